from django.urls import path, re_path

from requests_app.views import board, coordination, offers, posting, safeguarding, series

app_name = "requests_app"

urlpatterns = [
    path("requests/new/", posting.request_new, name="request_new"),
    path("requests/new/posted/", posting.request_posted, name="request_posted"),
    path("requests/<int:pk>/", board.request_detail, name="request_detail"),
    path("requests/<int:pk>/contact/", board.request_contact, name="request_contact"),
    path("requests/<int:pk>/sheet/", board.request_sheet, name="request_sheet"),
    path("requests/<int:pk>/claim/", board.request_claim, name="request_claim"),
    path("requests/<int:pk>/release/", board.request_release, name="request_release"),
    path("requests/<int:pk>/progress/", board.request_progress, name="request_progress"),
    path("requests/<int:pk>/done/", board.request_done, name="request_done"),
    path("requests/<int:pk>/feedback/", board.request_feedback, name="request_feedback"),
    path("requests/<int:pk>/take-over/", board.request_take_over, name="request_take_over"),
    path("handovers/<int:pk>/answer/", board.handover_answer, name="handover_answer"),
    path("r/<str:token>/", posting.private_status, name="private_status"),
    # The short private link, as given out: four groups of five, any case.
    re_path(
        r"^(?P<token>[0-9A-Za-z]{5}[-_. ]?[0-9A-Za-z]{5}[-_. ]?"
        r"[0-9A-Za-z]{5}[-_. ]?[0-9A-Za-z]{5})/?$",
        posting.private_link,
        name="private_link",
    ),
    path("r/<str:token>/edit/", posting.private_edit, name="private_edit"),
    path("r/<str:token>/withdraw/", posting.private_withdraw, name="private_withdraw"),
    path("r/<str:token>/done/", posting.private_done, name="private_done"),
    path("r/<str:token>/feedback/", posting.private_feedback, name="private_feedback"),
    path("r/<str:token>/check-in/", posting.private_check_in, name="private_check_in"),
    path("r/<str:token>/done-answer/", posting.private_done_answer, name="private_done_answer"),
    path("r/<str:token>/series/", posting.private_series, name="private_series"),
    path("r/<str:token>/forget/", posting.private_forget, name="private_forget"),
    path("r/<str:token>/new-link/", posting.private_new_link, name="private_new_link"),
    path("r/<str:token>/concern/", safeguarding.concern_private, name="private_concern"),
    # Safeguarding concerns: raised by anyone signed in who sees the request, the
    # claim or the person; read only by the pod's safeguarding leads.
    path("concerns/request/<int:pk>/", safeguarding.concern_request, name="concern_request"),
    path("concerns/claim/<int:pk>/", safeguarding.concern_claim, name="concern_claim"),
    path(
        "pods/<slug:slug>/concerns/person/<int:pk>/",
        safeguarding.concern_person,
        name="concern_person",
    ),
    path("pods/<slug:slug>/concerns/", safeguarding.concern_list, name="concern_list"),
    path(
        "pods/<slug:slug>/concerns/<int:pk>/", safeguarding.concern_detail, name="concern_detail"
    ),
    path("pods/<slug:slug>/board/", board.board, name="board"),
    path("offers/new/", offers.offer_new, name="offer_new"),
    path("offers/<int:pk>/", offers.offer_detail, name="offer_detail"),
    path("offers/<int:pk>/edit/", offers.offer_edit, name="offer_edit"),
    *[
        path(
            f"offers/<int:pk>/{action}/",
            offers.offer_action,
            {"action": action},
            name=f"offer_{action}",
        )
        for action in offers.OFFER_ACTIONS
    ],
    path("me/", offers.my_page, name="my_page"),
    path(
        "keep-helping/<int:pk>/answer/",
        series.keep_helping_answer,
        name="keep_helping_answer",
    ),
    # Coordinators, on one request of their pod.
    path(
        "requests/<int:pk>/coordinate/", coordination.request_coordinate, name="request_coordinate"
    ),
    path("requests/<int:pk>/approve/", coordination.request_approve, name="request_approve"),
    path("requests/<int:pk>/edit/", coordination.request_edit, name="request_edit"),
    path("requests/<int:pk>/hide/", coordination.request_hide, name="request_hide"),
    path("requests/<int:pk>/unhide/", coordination.request_unhide, name="request_unhide"),
    path("requests/<int:pk>/merge/", coordination.request_merge, name="request_merge"),
    path("requests/<int:pk>/connect/", coordination.request_connect, name="request_connect"),
    path(
        "requests/<int:pk>/release-claim/",
        coordination.request_release_claim,
        name="request_release_claim",
    ),
    path("requests/<int:pk>/close/", coordination.request_close, name="request_close"),
    path("offers/<int:pk>/hide/", coordination.offer_hide, name="offer_hide"),
    path("offers/<int:pk>/unhide/", coordination.offer_unhide, name="offer_unhide"),
    # An offer's owner answers a coordinator's ask.
    path("me/asks/", coordination.connection_list, name="connection_list"),
    path("asks/<int:pk>/accept/", coordination.connection_accept, name="connection_accept"),
    path("asks/<int:pk>/decline/", coordination.connection_decline, name="connection_decline"),
]
