from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mutualaid import views
from pods.views import account
from pods.views.people import signup

urlpatterns = [
    path("", views.home, name="home"),
    path("agreements/", views.agreements, name="agreements"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("language/", views.set_language, name="set_language"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", signup, name="signup"),
    path("account/", account.account, name="account"),
    path("account/data/", account.account_data, name="account_data"),
    path("account/delete/", account.account_delete, name="account_delete"),
    path("notifications/", include("notifications.urls")),
    path("pods/", include("pods.urls")),
    path("", include("requests_app.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "mutualaid.views.bad_request"
handler403 = "mutualaid.views.permission_denied"
handler404 = "mutualaid.views.page_not_found"
handler500 = "mutualaid.views.server_error"
