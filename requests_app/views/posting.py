"""Posting a request, and the requester's private status page behind the link."""

import hmac

from django.conf import settings
from django.contrib import messages
from django.core.validators import slug_re
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from mutualaid import idempotency
from mutualaid.http import keep_private
from mutualaid.ratelimit import client_key, hit, over_limit, ratelimit
from pods.models import Pod
from requests_app import consent, services
from requests_app.forms import FeedbackForm, RequestContactForm, RequestPublicForm, SeriesForm
from requests_app.links import private_url
from requests_app.models import (
    Claim,
    ContactView,
    DoneBy,
    Feedback,
    Request,
    canonical_token,
    hash_token,
)

# The session key under which the fresh private link waits to be shown once.
SESSION_NEW_TOKEN = "just_posted_token"  # noqa: S105 - a key name, not a secret  # nosec B105


# Wrong private links a client may try per hour before every link is refused
# to it for the rest of the hour: plenty for a person typing one in, useless
# for guessing (there are 2**100 links).
WRONG_LINKS_PER_HOUR = 20
WRONG_LINK_SCOPE = "private_link_miss"


def private_page(view):
    """Pages behind a private link: not indexed, not cached, no Referer onward,
    and a client that keeps trying wrong links is stopped.

    Error reports show no local variable of these views or what they call: the
    token is in every frame.
    """

    @sensitive_variables()
    def wrapper(request, token, *args, **kwargs):
        limits = settings.RATE_LIMITS_ENABLED
        key = client_key(request) if limits else ""
        window = {"scope": WRONG_LINK_SCOPE, "key": key, "period": 3600}
        if limits and over_limit(limit=WRONG_LINKS_PER_HOUR, **window):
            return keep_private(render(request, "429.html", status=429))
        try:
            response = view(request, token, *args, **kwargs)
        except Http404:
            if limits:
                hit(limit=WRONG_LINKS_PER_HOUR, **window)
            raise
        return keep_private(response)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def get_request_by_token(token):
    """The request this private link opens, or 404.

    The lookup is by hash, so the database never sees the token; the final
    comparison is in constant time.
    """
    if not token or len(token) > 100:
        raise Http404
    token_hash = hash_token(token)
    request = (
        Request.objects.select_related("pod", "contact", "series", "phone_consent_by")
        .filter(token_hash=token_hash)
        .first()
    )
    if request is None or not hmac.compare_digest(request.token_hash, token_hash):
        raise Http404
    return request


@private_page
def private_link(request, token):
    """The short link we give out, /ABCDE-FGHJK-MNPQR-STUVW, however it was typed:
    on to the private page at its canonical spelling."""
    canonical = canonical_token(token)
    if canonical is None:
        raise Http404
    get_request_by_token(canonical)
    return redirect("requests_app:private_status", token=canonical)


@sensitive_variables()
def post_once(request, *, scope, post):
    """Run ``post(token=...)`` (a workflow that returns a ``PostedRequest``) once per
    submission, and return the private token to show, or None.

    A retry of the same submission (mutualaid/idempotency.py) creates nothing and
    gets the same token back: it is derived from the form's key, never stored. It
    is None when the link was renewed since (the old one no longer opens anything),
    and ``idempotency.Conflict`` is raised when the key came with other content.
    """
    key = idempotency.posted_key(request)
    token = idempotency.derived_secret(key, "private-link") if key else None
    posted = []

    def create():
        posted.append(post(token=token))
        return posted[0].request

    outcome = idempotency.once(
        scope=scope, key=key, fingerprint=idempotency.fingerprint(request), create=create
    )
    if not outcome.replayed:
        return posted[0].token
    if not Request.objects.filter(pk=outcome.object_id, token_hash=hash_token(token)).exists():
        return None
    return token


def form_sent_with_other_details(request):
    """The message for a key reused with different content; the form gets a new key."""
    request.POST = request.POST.copy()
    request.POST[idempotency.FIELD] = idempotency.new_key()
    messages.info(
        request,
        _(
            "This form was already sent once, with other details, and that was saved. "
            "Nothing new was saved now: check what you typed and send it again."
        ),
    )


@sensitive_variables()
@sensitive_post_parameters("name", "phone", "email", "address", "notes", "idempotency_key")
@ratelimit("post_request", limit=10, period=3600)
def request_new(request):
    # Coming from a pod's page (?pod=<slug>), the pod is already chosen. Anything but a
    # slug is ignored: a NUL byte in the query would make PostgreSQL refuse it (a 500).
    slug = request.GET.get("pod", "")[:50]
    pod = Pod.objects.filter(slug=slug).first() if slug_re.match(slug) else None
    public_form = RequestPublicForm(request.POST or None, pod=pod)
    contact_form = RequestContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.limited:
            messages.error(
                request,
                _(
                    "Many requests were posted from here in the last hour. Nothing was lost: "
                    "please try again later, or call your pod's hotline."
                ),
            )
            status = 429
        elif public_form.is_valid() & contact_form.is_valid():
            try:
                token = post_once(
                    request,
                    scope="post_request",
                    post=lambda token: services.post_request(
                        pod=public_form.cleaned_data["pod"],
                        public=public_form.public_fields(),
                        contact=contact_form.cleaned_data,
                        requester=request.user,
                        repeat=public_form.cleaned_data.get("repeat", ""),
                        token=token,
                    ),
                )
            except idempotency.Conflict:
                form_sent_with_other_details(request)
            else:
                if token is None:
                    messages.info(request, _("Your request was already posted."))
                    return redirect("home")
                request.session[SESSION_NEW_TOKEN] = token
                return redirect("requests_app:request_posted")
    return render(
        request,
        "requests_app/request_form.html",
        {"public_form": public_form, "contact_form": contact_form},
        status=status,
    )


@sensitive_variables()
@never_cache
def request_posted(request):
    """Shows the private link once; reloading the page does not show it again."""
    token = request.session.pop(SESSION_NEW_TOKEN, None)
    if token is None:
        return redirect("home")
    posted = get_request_by_token(token)
    return keep_private(
        render(
            request,
            "requests_app/request_posted.html",
            {
                "req": posted,
                "link": private_url(token, request=request),
                "path": reverse("requests_app:private_status", args=[token]),
            },
        )
    )


@private_page
def private_status(request, token):
    req = get_request_by_token(token)
    claim = (
        Claim.objects.filter(request=req)
        .exclude(status=Claim.Status.RELEASED)
        .select_related("helper")
        .order_by("-created_at")
        .first()
    )
    views = ContactView.objects.filter(request=req).select_related("viewer")[:50]
    feedback_given = Feedback.objects.filter(
        request=req, author=Feedback.Author.REQUESTER
    ).exists()
    return render(
        request,
        "requests_app/request_private.html",
        {
            "req": req,
            "token": token,
            "link": private_url(token, request=request),
            "claim": claim,
            "contact_views": views,
            "feedback_form": FeedbackForm() if req.status == Request.Status.DONE else None,
            "feedback_given": feedback_given,
            "series_form": SeriesForm(
                initial={"frequency": req.series.frequency} if req.series else None
            ),
            "can_dispute": req.can_be_disputed(),
            "phone_script": consent.script(req.pod, version=req.phone_consent_version)
            if consent.is_known(req.phone_consent_version)
            else None,
        },
    )


@private_page
@sensitive_post_parameters("name", "phone", "email", "address", "notes")
def private_edit(request, token):
    req = get_request_by_token(token)
    if req.is_closed:
        messages.info(request, _("This request is closed, so it can't be changed."))
        return redirect("requests_app:private_status", token=token)
    public_form = RequestPublicForm(request.POST or None, instance=req, editing=True)
    contact_form = RequestContactForm(request.POST or None, instance=req.contact)
    if request.method == "POST" and public_form.is_valid() & contact_form.is_valid():
        services.update_request(
            request=req,
            public={name: public_form.cleaned_data[name] for name in public_form.Meta.fields},
            contact=contact_form.cleaned_data,
        )
        messages.success(request, _("Your changes are saved."))
        return redirect("requests_app:private_status", token=token)
    return render(
        request,
        "requests_app/request_form.html",
        {"public_form": public_form, "contact_form": contact_form, "editing": True, "req": req},
    )


@private_page
@require_POST
def private_withdraw(request, token):
    req = get_request_by_token(token)
    if services.withdraw_request(request=req):
        messages.success(request, _("Your request is withdrawn. Take care."))
    return redirect("requests_app:private_status", token=token)


@private_page
@require_POST
def private_done(request, token):
    req = get_request_by_token(token)
    if services.mark_done(request=req, by=DoneBy.REQUESTER):
        messages.success(request, _("Marked as done. We're glad you got help."))
    return redirect("requests_app:private_status", token=token)


@private_page
@require_POST
def private_check_in(request, token):
    """The answer to "do you still need help?" on the private page."""
    req = get_request_by_token(token)
    answer = request.POST.get("answer")
    if answer not in ("yes", "no"):
        messages.error(request, _("Please choose yes or no."))
    elif services.answer_check_in(request=req, still_needed=answer == "yes"):
        if answer == "yes":
            messages.success(request, _("Thank you. Your request stays on the board."))
        else:
            messages.success(request, _("Your request is withdrawn. Take care."))
    return redirect("requests_app:private_status", token=token)


@private_page
@require_POST
def private_done_answer(request, token):
    """After a helper marked it done: the requester confirms, or says it was not done."""
    req = get_request_by_token(token)
    answer = request.POST.get("answer")
    if answer == "done" and services.confirm_done(request=req):
        messages.success(request, _("Thank you for confirming. We're glad you got help."))
    elif answer == "not_done" and services.report_not_done(request=req):
        messages.success(
            request,
            _(
                "Sorry it didn't happen. Your request is back on the board, and the pod's "
                "coordinators know."
            ),
        )
    return redirect("requests_app:private_status", token=token)


@private_page
@require_POST
def private_series(request, token):
    """Set up a need that comes back, or change how often, or pause, resume or end it."""
    req = get_request_by_token(token)
    action = request.POST.get("action", "")
    series = req.series
    try:
        if action == "repeat":
            form = SeriesForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Please choose how often you need it."))
            elif series is None:
                services.start_series(request=req, frequency=form.cleaned_data["frequency"])
                messages.success(
                    request,
                    _("Done: when this one is over, we'll put it on the board again."),
                )
            else:
                services.change_series(series=series, frequency=form.cleaned_data["frequency"])
                messages.success(request, _("Your changes are saved."))
        elif series is None:
            messages.error(request, _("This request doesn't repeat."))
        elif action == "pause" and services.pause_series(series=series):
            messages.success(
                request, _("Paused: nothing new goes on the board until you resume it.")
            )
        elif action == "resume" and services.resume_series(series=series):
            messages.success(request, _("Resumed: it will come back as before."))
        elif action == "end" and services.end_series(series=series):
            messages.success(
                request,
                _("It no longer repeats. This time stays as it is. Take care."),
            )
    except services.SeriesError as error:
        messages.error(request, str(error))
    return redirect("requests_app:private_status", token=token)


@private_page
@require_POST
def private_feedback(request, token):
    req = get_request_by_token(token)
    form = FeedbackForm(request.POST)
    if form.is_valid() and services.leave_feedback(
        request=req, author=Feedback.Author.REQUESTER, **form.cleaned_data
    ):
        messages.success(request, _("Thank you for telling us."))
    elif form.errors:
        messages.error(request, _("Please choose whether your need was met."))
    return redirect("requests_app:private_status", token=token)


@private_page
@require_POST
def private_forget(request, token):
    """The requester's "forget me": their contact details are erased at once."""
    req = get_request_by_token(token)
    services.forget_contact(request=req)
    messages.success(
        request,
        _(
            "Your contact details are erased. Nobody can see them any more, and this "
            "request is closed. Take care."
        ),
    )
    return redirect("requests_app:private_status", token=token)


@private_page
@require_POST
def private_new_link(request, token):
    """A new private link; the old one stops working at once (for a link that leaked)."""
    req = get_request_by_token(token)
    new_token = services.renew_private_link(request=req)
    messages.success(
        request,
        _(
            "This page has a new private link, and the old one no longer works. Please "
            "bookmark this page or copy the link below."
        ),
    )
    return redirect("requests_app:private_status", token=new_token)
