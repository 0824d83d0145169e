from django.urls import path

from pods.views import pods as views
from pods.views import privacy

app_name = "pods"

urlpatterns = [
    path("", views.pod_list, name="list"),
    path("find/", views.pod_find, name="find"),
    path("<slug:slug>/", views.pod_detail, name="detail"),
    path("<slug:slug>/join/", views.pod_join_view, name="join"),
    path("<slug:slug>/leave/", views.pod_leave_view, name="leave"),
    path("<slug:slug>/contact-log/", privacy.contact_log, name="contact_log"),
]
