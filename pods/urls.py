from django.urls import path

from pods.views import members, moderation, pods, proposals, safeguarding

# These are pods' own pages. The /pods/ pages about requests (the list of pods and a
# pod's page, with their request counts; coordinators' queues, hotline, spreadsheets,
# statistics, contact log; reporting a post) are requests_app's, in the same "pods"
# namespace: requests_app/pod_urls.py adds them, and the root URLconf includes that.
app_name = "pods"

urlpatterns = [
    path("find/", pods.pod_find, name="find"),
    # New pods: proposed by anyone, approved by a network admin.
    path("new-pods/", pods.pod_proposal_list, name="pod_proposal_list"),
    path("new-pods/propose/", pods.pod_propose, name="pod_propose"),
    path("new-pods/<int:pk>/approve/", pods.pod_proposal_approve, name="pod_proposal_approve"),
    path("new-pods/<int:pk>/decline/", pods.pod_proposal_decline, name="pod_proposal_decline"),
    # Reports, from anyone who can see the post or the person.
    path("<slug:slug>/report/person/<int:pk>/", moderation.report_person, name="report_person"),
    # A pod and its members.
    path("<slug:slug>/join/", pods.pod_join_view, name="join"),
    path("<slug:slug>/leave/", pods.pod_leave_view, name="leave"),
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
    path("<slug:slug>/members/", members.members, name="members"),
    path("<slug:slug>/members/<int:pk>/remove/", members.member_remove, name="member_remove"),
    path("<slug:slug>/members/<int:pk>/readmit/", members.member_readmit, name="member_readmit"),
    path("<slug:slug>/settings/", members.pod_settings, name="settings"),
    path("<slug:slug>/members/<int:pk>/vetting/", safeguarding.vetting, name="vetting"),
    path(
        "<slug:slug>/members/<int:pk>/vetting/withdraw/",
        safeguarding.vetting_withdraw,
        name="vetting_withdraw",
    ),
    path(
        "<slug:slug>/members/<int:pk>/safeguarding-lead/",
        safeguarding.safeguarding_lead,
        name="safeguarding_lead",
    ),
    path("<slug:slug>/reports/<int:pk>/", moderation.report_detail, name="report_detail"),
    path("<slug:slug>/moderation/", moderation.moderation_log, name="moderation_log"),
]
