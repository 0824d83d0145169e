"""What a pod's coordinators do with a request: approve, edit, hide, merge,
connect with an offer, release a stale claim, close. And where an offer's owner
answers a coordinator's ask.

Every coordinator view starts with require_coordinator on the request's pod:
404 for outsiders, 403 for members. Nothing here shows contact details.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pods.access import require_coordinator
from pods.models import Person
from pods.services import moderation_set_hidden
from requests_app import matching, services
from requests_app.forms import CloseRequestForm, MergeForm, RequestPublicForm
from requests_app.models import Claim, Connection, Handover, Offer, Request
from requests_app.views.board import NEEDS_VETTING_MESSAGE

MERGE_CANDIDATES = 10


def _coordinated_request(request, pk):
    req = get_object_or_404(
        Request.objects.select_related("pod", "series", "possible_duplicate_of"), pk=pk
    )
    require_coordinator(request.user, req.pod)
    return req


def _back(req):
    return redirect("requests_app:request_coordinate", pk=req.pk)


@login_required
@never_cache
def request_coordinate(request, pk):
    """One request, for its pod's coordinators: its state and every action on it."""
    req = _coordinated_request(request, pk)
    return _coordinate_page(request, req)


def _coordinate_page(request, req, *, merge_form=None, close_form=None):
    """The coordinator page; a form that came back with an error keeps what was typed."""
    active_claim = Claim.objects.active().filter(request=req).select_related("helper").first()
    matches = matching.offers_for_request(req) if req.can_be_claimed() else []
    owners = Person.objects.in_bulk({m.item.owner_id for m in matches if m.item.owner_id})
    for match in matches:
        match.owner = owners.get(match.item.owner_id)
    connections = (
        Connection.objects.filter(request=req)
        .select_related("offer__owner")
        .order_by("-created_at")[:20]
    )
    candidates = (
        Request.objects.active()
        .filter(pod=req.pod, category=req.category)
        .exclude(pk=req.pk)
        .only("pk", "summary", "area", "created_at", "status", "pod_id", "category")
        .oldest_first()[:MERGE_CANDIDATES]
    )
    duplicate = req.possible_duplicate_of
    handover = (
        Handover.objects.pending().filter(claim=active_claim).select_related("asked_by").first()
        if active_claim is not None
        else None
    )
    return render(
        request,
        "requests_app/request_coordinate.html",
        {
            "req": req,
            "duplicate": duplicate,
            "can_merge_duplicate": duplicate is not None
            and not duplicate.is_closed
            and not req.is_closed,
            "handover": handover,
            "active_claim": active_claim,
            "is_stale": active_claim is not None and active_claim.is_stale(),
            "matches": matches,
            "connections": connections,
            "candidates": candidates if not req.is_closed else [],
            "merge_form": merge_form or MergeForm(),
            "close_form": close_form or CloseRequestForm(),
        },
    )


@login_required
@require_POST
def request_approve(request, pk):
    req = _coordinated_request(request, pk)
    if services.approve_request(request=req):
        messages.success(request, _("Approved: the request is on the board now."))
    else:
        messages.info(request, _("This request was not waiting for approval."))
    return _back(req)


@login_required
def request_edit(request, pk):
    """Tidy up the public half of a post; contact details are the requester's."""
    req = _coordinated_request(request, pk)
    if req.is_closed:
        messages.info(request, _("This request is closed, so it can't be changed."))
        return _back(req)
    form = RequestPublicForm(request.POST or None, instance=req, editing=True)
    if request.method == "POST" and form.is_valid():
        public = form.public_fields()
        req.refresh_from_db()
        services.coordinator_edit_request(request=req, public=public)
        messages.success(request, _("The changes are saved."))
        return _back(req)
    return render(request, "requests_app/request_edit.html", {"req": req, "form": form})


def _set_hidden(request, pk, hidden):
    req = _coordinated_request(request, pk)
    moderation_set_hidden(pod=req.pod, actor=request.user, hidden=hidden, request=req)
    if hidden:
        messages.success(request, _("The request is hidden. Only coordinators can see it now."))
    else:
        messages.success(request, _("The request is shown again."))
    return _back(req)


@login_required
@require_POST
def request_hide(request, pk):
    return _set_hidden(request, pk, True)


@login_required
@require_POST
def request_unhide(request, pk):
    return _set_hidden(request, pk, False)


@login_required
@require_POST
def request_merge(request, pk):
    req = _coordinated_request(request, pk)
    form = MergeForm(request.POST)
    into = None
    if form.is_valid():
        into = Request.objects.filter(pod=req.pod, pk=form.cleaned_data["into"]).first()
        if into is None:
            form.add_error("into", _("Please give the number of another request in this pod."))
    if into is not None:
        try:
            services.merge_requests(duplicate=req, into=into)
        except services.CoordinationError as error:
            form.add_error("into", str(error))
    if form.errors:
        return _coordinate_page(request, req, merge_form=form)
    messages.success(
        request, _("Merged into request #%(number)d. This one is closed.") % {"number": into.pk}
    )
    return redirect("requests_app:request_coordinate", pk=into.pk)


@login_required
@require_POST
def request_connect(request, pk):
    """Ask an offer's owner whether they can help; they answer yes or no themselves."""
    req = _coordinated_request(request, pk)
    offer_pk = request.POST.get("offer", "")
    offer = (
        Offer.objects.filter(pod=req.pod, pk=int(offer_pk)).first() if offer_pk.isdigit() else None
    )
    if offer is None:
        messages.error(request, _("Please choose one of the offers below."))
        return _back(req)
    try:
        _connection, created = services.connect_offer(request=req, offer=offer, by=request.user)
    except services.CoordinationError as error:
        messages.error(request, str(error))
        return _back(req)
    if created:
        messages.success(
            request,
            _("We asked %(name)s. They'll see it on their page and answer yes or no.")
            % {"name": offer.owner.display_name},
        )
    else:
        messages.info(request, _("They were asked already; waiting for their answer."))
    return _back(req)


@login_required
@require_POST
def request_release_claim(request, pk):
    req = _coordinated_request(request, pk)
    if services.coordinator_release_claim(request=req):
        messages.success(request, _("The claim is released and the request is open again."))
    else:
        messages.info(request, _("Nobody was helping with this request."))
    return _back(req)


@login_required
@require_POST
def request_close(request, pk):
    req = _coordinated_request(request, pk)
    form = CloseRequestForm(request.POST)
    if not form.is_valid():
        return _coordinate_page(request, req, close_form=form)
    if services.coordinator_close_request(request=req, outcome=form.cleaned_data["outcome"]):
        messages.success(request, _("The request is closed."))
    else:
        messages.info(request, _("This request was closed already."))
    return _back(req)


def _set_offer_hidden(request, pk, hidden):
    offer = get_object_or_404(Offer.objects.select_related("pod"), pk=pk)
    require_coordinator(request.user, offer.pod)
    moderation_set_hidden(pod=offer.pod, actor=request.user, hidden=hidden, offer=offer)
    if hidden:
        messages.success(request, _("The offer is hidden. Only coordinators can see it now."))
    else:
        messages.success(request, _("The offer is shown again."))
    return redirect(offer)


@login_required
@require_POST
def offer_hide(request, pk):
    return _set_offer_hidden(request, pk, True)


@login_required
@require_POST
def offer_unhide(request, pk):
    return _set_offer_hidden(request, pk, False)


# --- The offer's owner answers ------------------------------------------------------


@login_required
@never_cache
def connection_list(request):
    """Coordinators' asks waiting for the signed-in person's answer (public fields only)."""
    asks = (
        Connection.objects.pending()
        .filter(offer__owner=request.user)
        .select_related("request", "offer", "pod")
        .order_by("created_at")[:50]
    )
    return render(request, "requests_app/connection_list.html", {"asks": asks})


def _own_connection(request, pk):
    connection = get_object_or_404(Connection.objects.select_related("request", "offer"), pk=pk)
    if connection.offer.owner_id != request.user.pk:
        raise Http404
    return connection


@login_required
@require_POST
def connection_accept(request, pk):
    connection = _own_connection(request, pk)
    try:
        claim = services.connection_accept(connection=connection)
    except services.CoordinationError as error:
        messages.info(request, str(error))
        return redirect("requests_app:connection_list")
    if claim is None:
        if not connection.request.helper_is_allowed(request.user):
            # Vetted when the coordinator asked, no longer now (expired or withdrawn).
            messages.info(request, NEEDS_VETTING_MESSAGE)
        else:
            messages.info(
                request,
                _("Someone else is already helping with this one, or it is closed. Thank you!"),
            )
        return redirect("requests_app:connection_list")
    messages.success(
        request, _("Thank you! Here is how to reach them. You can step back at any time.")
    )
    return redirect(connection.request)


@login_required
@require_POST
def connection_decline(request, pk):
    connection = _own_connection(request, pk)
    services.connection_decline(connection=connection)
    messages.info(request, _("Thanks for letting us know. No need to give a reason."))
    return redirect("requests_app:connection_list")
