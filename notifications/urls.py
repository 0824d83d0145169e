from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("feedback/<str:token>/", views.feedback, name="feedback"),
    path("check-in/<str:token>/", views.check_in, name="check_in"),
]
