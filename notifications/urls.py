from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("feedback/<str:token>/", views.feedback, name="feedback"),
    path("check-in/<str:token>/", views.check_in, name="check_in"),
    path("pods/<slug:slug>/texts/", views.pod_texts, name="pod_texts"),
    path("pods/<slug:slug>/texts/<int:pk>/read/", views.pod_text_handled, name="pod_text_handled"),
]
