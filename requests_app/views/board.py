"""The pod board, a request's page, and what its helper does with it."""

import datetime
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from mutualaid import idempotency
from mutualaid.compiled import CompiledQuery, Param
from mutualaid.fragments import fingerprint_values
from mutualaid.http import cached_for_visitors
from mutualaid.pagination import page_number, window
from mutualaid.ratelimit import ratelimit
from mutualaid.routers import reads_from_replica
from pods.access import get_membership, get_pod
from requests_app import access, matching, services
from requests_app.forms import BoardFilterForm, FeedbackForm
from requests_app.models import (
    Claim,
    ContactView,
    DoneBy,
    Feedback,
    Handover,
    Request,
    languages_filter,
)

BOARD_PAGE_SIZE = 20


@reads_from_replica
@cached_for_visitors
def board(request, slug):
    """Open requests in a pod, oldest first, public fields only; visitors see it too."""
    pod = get_pod(slug)
    category = language = ""
    # The form is built only to filter, or to render on a miss of its cached HTML.
    filter_form = SimpleLazyObject(lambda: BoardFilterForm(request.GET or None))
    if FILTERS.intersection(request.GET) and filter_form.is_valid():
        category = filter_form.cleaned_data["category"]
        language = filter_form.cleaned_data["language"]
    # No COUNT of the board for the pager: one row more than a page says if there
    # is a next one (mutualaid/pagination.py).
    rows = board_rows(category, language).bind(pod=pod.pk)
    page = window(rows, page_number(request.GET.get("page")), BOARD_PAGE_SIZE)
    cards_key = fingerprint_values(page.object_list)
    page.object_list = Cards(page.object_list)
    query = ""
    if request.GET:
        rest = request.GET.copy()
        rest.pop("page", None)
        query = rest.urlencode()
    return render(
        request,
        "requests_app/request_board.html",
        {
            "pod": pod,
            "page": page,
            "cards_key": cards_key,
            "filter_form": filter_form,
            "membership": get_membership(request.user, pod),
            "query": query,
        },
    )


FILTERS = {"category", "language"}

# Everything a board card shows (requests_app/_request_card.html).
CARD_FIELDS = (
    "pk",
    "category",
    "summary",
    "area",
    "needed_by",
    "languages",
    "contactless",
    "created_at",
)


# The board's rows, before their pod and filters: what the cards show, as plain
# values, oldest first (the request_board_open index covers them). Never
# evaluated as it is: board_rows() compiles it with its pod and filters.
BOARD_ROWS = Request.objects.on_board().oldest_first().values_list(*CARD_FIELDS)


@functools.cache
def board_rows(category: str, language: str) -> CompiledQuery:
    """The board's rows of a pod (``pod``, its pk), filtered by a category and a
    language ("" for any), compiled once per filter: building and compiling the
    query cost more app CPU than running it (issue 18). The filters are the
    form's choices, so there are at most (11 + 1) x (12 + 1) of these."""
    rows = BOARD_ROWS.filter(pod_id=Param("pod", BigIntegerField()))
    if category:
        rows = rows.filter(category=category)
    if language:
        rows = rows.filter(languages_filter("languages", language))
    return CompiledQuery(rows)


class Cards:
    """A page's rows (values of CARD_FIELDS) as the requests the cards' template
    takes, made only as it iterates: on a page whose cards are cached, never."""

    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return (Request(**dict(zip(CARD_FIELDS, row, strict=True))) for row in self.rows)


NEEDS_VETTING_MESSAGE = _lazy("This one needs a vetted helper: ask your coordinators.")


def _load_request(pk):
    return get_object_or_404(Request.objects.select_related("pod"), pk=pk)


@reads_from_replica
@cached_for_visitors
@sensitive_variables("contact")
@never_cache
def request_detail(request, pk):
    viewer = access.load_request_viewer(request.user, pk)
    req = viewer.request
    if not access.may_see_request(viewer):
        raise Http404
    membership, own_claim = viewer.membership, viewer.claim
    is_active_claimer, is_coordinator = viewer.is_active_claimer, viewer.is_coordinator
    contact = None
    # The helper finds the details on the page itself; coordinators open them on
    # their own logged page (request_contact), so a look at the post shows none.
    if access.contact_role(viewer) == ContactView.Role.CLAIMER:
        contact = req.contact
        services.record_contact_visit(
            request=req, viewer=request.user, role=ContactView.Role.CLAIMER
        )
    active_claim = None
    if is_active_claimer or is_coordinator:
        active_claim = (
            own_claim
            if is_active_claimer
            else (Claim.objects.active().filter(request=req).select_related("helper").first())
        )
    # Other people's offers are for coordinators connecting help; the helper has
    # just said they'll do it.
    matches = matching.offers_for_request(req) if is_coordinator else []
    # Hand-overs: the helper sees an ask to take over; another member may make one.
    handover = can_take_over = None
    if req.status == Request.Status.CLAIMED and membership is not None:
        if is_active_claimer:
            handover = (
                Handover.objects.pending()
                .filter(claim=own_claim)
                .select_related("asked_by")
                .first()
            )
        else:
            claim = active_claim or Claim.objects.active().filter(request=req).first()
            if claim is not None:
                claim.request, claim.pod = req, req.pod
                handover = (
                    Handover.objects.pending().filter(claim=claim, asked_by=request.user).first()
                )
                can_take_over = handover is None and services.can_ask_to_take_over(
                    claim=claim, person=request.user
                )
    helper_feedback = None
    if own_claim is not None and req.status == Request.Status.DONE:
        helper_feedback = Feedback.objects.filter(
            request=req, author=Feedback.Author.HELPER
        ).exists()
    response = render(
        request,
        "requests_app/request_detail.html",
        {
            "req": req,
            "membership": membership,
            "own_claim": own_claim,
            "is_active_claimer": is_active_claimer,
            "is_coordinator": is_coordinator,
            "active_claim": active_claim,
            "contact": contact,
            "matches": matches,
            "feedback_form": FeedbackForm() if helper_feedback is False else None,
            # "I'm still on it" means nothing minutes after saying "I can help".
            "can_note_progress": is_active_claimer
            and (own_claim.nudged_at or timezone.now() - own_claim.progress_at >= PROGRESS_AFTER),
            "handover": handover,
            "can_take_over": can_take_over,
            # A member sees a post that needs a vetted helper, but no button for it.
            "may_claim": membership is not None and req.can_be_claimed_by(request.user),
            "needs_vetting_message": NEEDS_VETTING_MESSAGE,
        },
    )
    if contact is not None:
        response["Cache-Control"] = "no-store, private"
    return response


PROGRESS_AFTER = datetime.timedelta(hours=12)


@sensitive_variables()
def _contact_page(request, pk, template, kind):
    """Contact details for the active claimer or a coordinator; each showing is logged."""
    if not request.user.is_authenticated:
        raise Http404
    viewer = access.load_request_viewer(request.user, pk)
    req = viewer.request
    role = access.require_contact_role(viewer)
    services.record_contact_visit(request=req, viewer=request.user, role=role, kind=kind)
    response = render(request, template, {"req": req, "contact": req.contact, "role": role})
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def request_contact(request, pk):
    return _contact_page(request, pk, "requests_app/request_contact.html", ContactView.Kind.PAGE)


@login_required
def request_sheet(request, pk):
    """A printable task sheet: what, where, how to reach them, safety notes."""
    return _contact_page(request, pk, "requests_app/request_sheet.html", ContactView.Kind.SHEET)


@login_required
@require_POST
@ratelimit("claim", limit=30, period=3600)
def request_claim(request, pk):
    viewer = access.load_request_viewer(request.user, pk)
    req = viewer.request
    if viewer.membership is None:
        if req.is_public:
            messages.info(request, _("Join this pod to help with its requests."))
            return redirect(req.pod)
        raise Http404
    if request.limited:
        return render(request, "429.html", status=429)
    if access.holds_active_claim(viewer):
        messages.info(request, _("You're already helping with this one. Thank you!"))
        return redirect(req)
    try:
        outcome = idempotency.once(
            scope="claim_request",
            key=idempotency.posted_key(request),
            fingerprint=idempotency.fingerprint(request),
            create=lambda: services.claim_request(request=req, by=request.user),
        )
    except idempotency.Conflict:
        return redirect(req)
    except services.ClaimError as error:
        if str(error) == services.NEEDS_VETTING:
            messages.info(request, NEEDS_VETTING_MESSAGE)
            return redirect(req)
        messages.info(
            request,
            _("Someone else is already helping with this one. Thank you for offering!"),
        )
        return redirect("requests_app:board", slug=req.pod.slug)
    if outcome.replayed:
        # This claim was made once already, and since released: nothing new is claimed.
        messages.info(request, _("You already offered to help with this one."))
        return redirect(req)
    messages.success(
        request,
        _("Thank you! Here is how to reach them. You can step back at any time."),
    )
    return redirect(req)


def _own_active_claim(request, pk):
    req = _load_request(pk)
    claim = (
        Claim.objects.active().filter(request=req, helper=request.user).first()
        if request.user.is_authenticated
        else None
    )
    if claim is None:
        if get_membership(request.user, req.pod) is None:
            raise Http404
        raise PermissionDenied
    return req, claim


@login_required
@require_POST
def request_release(request, pk):
    req, claim = _own_active_claim(request, pk)
    services.release_claim(claim=claim, by=request.user)
    messages.success(
        request, _("Thanks for letting us know. The request is open again for others.")
    )
    return redirect("requests_app:board", slug=req.pod.slug)


@login_required
@require_POST
def request_progress(request, pk):
    req, claim = _own_active_claim(request, pk)
    services.note_progress(claim=claim)
    messages.success(request, _("Thanks, noted that you're still on it."))
    return redirect(req)


@login_required
@require_POST
def request_done(request, pk):
    req, _claim = _own_active_claim(request, pk)
    services.mark_done(request=req, by=DoneBy.HELPER)
    messages.success(request, _("Marked as done. Thank you for helping!"))
    return redirect(req)


@login_required
@require_POST
def request_feedback(request, pk):
    req = _load_request(pk)
    helped = Claim.objects.filter(
        request=req, helper=request.user, status=Claim.Status.DONE
    ).exists()
    if not helped:
        raise Http404
    form = FeedbackForm(request.POST)
    if form.is_valid() and services.leave_feedback(
        request=req, author=Feedback.Author.HELPER, **form.cleaned_data
    ):
        messages.success(request, _("Thank you for telling us."))
    elif form.errors:
        messages.error(request, _("Please choose whether the need was met."))
    return redirect(req)


@login_required
@require_POST
def request_take_over(request, pk):
    """A member offers to take over a stale claim; its helper is asked first."""
    req = _load_request(pk)
    if get_membership(request.user, req.pod) is None:
        raise Http404
    try:
        services.ask_to_take_over(request=req, by=request.user)
    except services.HandoverError as error:
        messages.info(request, str(error))
        return redirect(req)
    messages.success(
        request,
        _(
            "Thank you. We've asked the helper; if they don't answer in time, the request "
            "passes to you and we'll tell you."
        ),
    )
    return redirect(req)


@login_required
@require_POST
def handover_answer(request, pk):
    """The helper keeps their claim or hands it on to the member who asked."""
    handover = get_object_or_404(Handover.objects.select_related("claim", "request"), pk=pk)
    if handover.claim.helper_id != request.user.pk:
        if get_membership(request.user, handover.request.pod) is None:
            raise Http404
        raise PermissionDenied
    answer = request.POST.get("answer")
    if answer not in ("keep", "hand_on"):
        messages.error(request, _("Please choose whether you keep it or hand it on."))
        return redirect(handover.request)
    try:
        services.answer_handover(handover=handover, keep=answer == "keep")
    except services.HandoverError as error:
        messages.info(request, str(error))
        return redirect(handover.request)
    if answer == "keep":
        messages.success(request, _("Thanks, noted that you're still on it."))
        return redirect(handover.request)
    messages.success(request, _("Thank you. Someone else helps with it now; no mark against you."))
    return redirect("requests_app:board", slug=handover.request.pod.slug)
