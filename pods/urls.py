from django.urls import path

from pods.views import dashboard, moderation, pods, privacy, proposals, spreadsheets, stats

app_name = "pods"

urlpatterns = [
    path("", pods.pod_list, name="list"),
    path("find/", pods.pod_find, name="find"),
    # New pods: proposed by anyone, approved by a network admin.
    path("new-pods/", pods.pod_proposal_list, name="pod_proposal_list"),
    path("new-pods/propose/", pods.pod_propose, name="pod_propose"),
    path("new-pods/<int:pk>/approve/", pods.pod_proposal_approve, name="pod_proposal_approve"),
    path("new-pods/<int:pk>/decline/", pods.pod_proposal_decline, name="pod_proposal_decline"),
    # Reports, from anyone who can see the post or the person.
    path("report/request/<int:pk>/", moderation.report_request, name="report_request"),
    path("report/offer/<int:pk>/", moderation.report_offer, name="report_offer"),
    path("<slug:slug>/report/person/<int:pk>/", moderation.report_person, name="report_person"),
    # A pod and its members.
    path("<slug:slug>/", pods.pod_detail, name="detail"),
    path("<slug:slug>/join/", pods.pod_join_view, name="join"),
    path("<slug:slug>/leave/", pods.pod_leave_view, name="leave"),
    path("<slug:slug>/stats/", stats.stats, name="stats"),
    # Consent decisions: for members.
    path("<slug:slug>/proposals/", proposals.proposal_list, name="proposal_list"),
    path("<slug:slug>/proposals/new/", proposals.proposal_new, name="proposal_new"),
    path("<slug:slug>/proposals/<int:pk>/", proposals.proposal_detail, name="proposal_detail"),
    path(
        "<slug:slug>/proposals/<int:pk>/respond/",
        proposals.proposal_respond,
        name="proposal_respond",
    ),
    path("<slug:slug>/proposals/<int:pk>/amend/", proposals.proposal_amend, name="proposal_amend"),
    path(
        "<slug:slug>/proposals/<int:pk>/withdraw/",
        proposals.proposal_withdraw,
        name="proposal_withdraw",
    ),
    path("<slug:slug>/decisions/", proposals.decisions, name="decisions"),
    # Coordinators.
    path("<slug:slug>/dashboard/", dashboard.dashboard, name="dashboard"),
    path("<slug:slug>/requests/", dashboard.request_list, name="request_list"),
    path("<slug:slug>/hotline/", dashboard.hotline, name="hotline"),
    path("<slug:slug>/hotline/done/", dashboard.hotline_done, name="hotline_done"),
    path("<slug:slug>/members/", dashboard.members, name="members"),
    path("<slug:slug>/members/<int:pk>/remove/", dashboard.member_remove, name="member_remove"),
    path("<slug:slug>/members/<int:pk>/readmit/", dashboard.member_readmit, name="member_readmit"),
    path("<slug:slug>/settings/", dashboard.pod_settings, name="settings"),
    path("<slug:slug>/reports/<int:pk>/", moderation.report_detail, name="report_detail"),
    path("<slug:slug>/moderation/", moderation.moderation_log, name="moderation_log"),
    path("<slug:slug>/contact-log/", privacy.contact_log, name="contact_log"),
    path("<slug:slug>/needs/", spreadsheets.needs_text, name="needs_text"),
    path("<slug:slug>/export/", spreadsheets.export, name="export"),
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
