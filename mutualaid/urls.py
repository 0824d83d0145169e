from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mutualaid import views

# The apps' URLconfs are included by name: mutualaid imports no app (docs/architecture.md).

urlpatterns = [
    path("", views.home, name="home"),
    path("agreements/", views.agreements, name="agreements"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path("language/", views.set_language, name="set_language"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Signing up and a person's account: root paths, names without a namespace.
    path("", include("requests_app.account_urls")),
    path("notifications/", include("notifications.urls")),
    # pods' pages and requests_app's pages about a pod, all in the "pods" namespace.
    path("pods/", include("requests_app.pod_urls")),
    path("", include("requests_app.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "mutualaid.views.bad_request"
handler403 = "mutualaid.views.permission_denied"
handler404 = "mutualaid.views.page_not_found"
handler500 = "mutualaid.views.server_error"
