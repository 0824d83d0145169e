"""Everything under /pods/, in the "pods" URL namespace (``{% url 'pods:dashboard' %}``).

pods' own pages come first (pods/urls.py), so fixed paths such as ``find/`` win
over a pod's slug. Then the pages about requests that live in requests_app: the
list of pods and a pod's page (they count open requests), what coordinators do
with requests (queues, hotline, spreadsheets, statistics, contact log), and
reporting a post. pods cannot import these views; this module may import both.
"""

from django.urls import path

from pods.urls import urlpatterns as pod_patterns
from requests_app.views import dashboard, pods, privacy, reports, spreadsheets, stats

app_name = "pods"

urlpatterns = [
    *pod_patterns,
    path("", pods.pod_list, name="list"),
    # Reports, from anyone who can see the post.
    path("report/request/<int:pk>/", reports.report_request, name="report_request"),
    path("report/offer/<int:pk>/", reports.report_offer, name="report_offer"),
    # Contact exports waiting for this person's approval (a second coordinator, a network admin).
    path("contact-exports/", spreadsheets.export_approvals, name="export_approvals"),
    path("<slug:slug>/", pods.pod_detail, name="detail"),
    path("<slug:slug>/stats/", stats.stats, name="stats"),
    # Coordinators.
    path("<slug:slug>/dashboard/", dashboard.dashboard, name="dashboard"),
    path("<slug:slug>/requests/", dashboard.request_list, name="request_list"),
    path("<slug:slug>/hotline/", dashboard.hotline, name="hotline"),
    path("<slug:slug>/hotline/done/", dashboard.hotline_done, name="hotline_done"),
    path("<slug:slug>/contact-log/", privacy.contact_log, name="contact_log"),
    path("<slug:slug>/needs/", spreadsheets.needs_text, name="needs_text"),
    path("<slug:slug>/export/", spreadsheets.export, name="export"),
    path(
        "<slug:slug>/export/<int:pk>/download/",
        spreadsheets.export_download,
        name="export_download",
    ),
    path(
        "<slug:slug>/export/<int:pk>/approve/", spreadsheets.export_approve, name="export_approve"
    ),
    path(
        "<slug:slug>/export/<int:pk>/decline/", spreadsheets.export_decline, name="export_decline"
    ),
    path("<slug:slug>/import/", spreadsheets.import_upload, name="import"),
    path("<slug:slug>/import/<int:pk>/", spreadsheets.import_map, name="import_map"),
    path("<slug:slug>/import/<int:pk>/review/", spreadsheets.import_review, name="import_review"),
    path(
        "<slug:slug>/import/<int:pk>/confirm/",
        spreadsheets.import_confirm,
        name="import_confirm",
    ),
    path("<slug:slug>/import/<int:pk>/cancel/", spreadsheets.import_cancel, name="import_cancel"),
]
