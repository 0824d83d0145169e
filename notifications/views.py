"""Pages reached from emails (unsubscribe, feedback) and the email preferences page."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from mutualaid.http import keep_private
from mutualaid.phones import format_phone
from notifications import services, tokens
from notifications.channels import channel_configured
from notifications.forms import PreferencesForm
from notifications.models import IncomingText, NotificationPreference, TextTally
from pods.access import get_pod_for_coordinator
from pods.models import Membership
from requests_app import services as requests_services
from requests_app.forms import FeedbackForm
from requests_app.models import Feedback, Request


@login_required
def preferences(request):
    person = request.user
    current = NotificationPreference.for_person(person)
    coordinator = Membership.objects.filter(
        person=person, role=Membership.Role.COORDINATOR
    ).exists()
    texts = channel_configured("sms")
    form = PreferencesForm(
        request.POST or None,
        coordinator=coordinator,
        texts=texts,
        initial={
            "offer_matches": current.offer_matches,
            "coordinator_digest": current.coordinator_digest,
            "proposals": current.proposals,
            "helper_texts": current.helper_texts,
            "phone": format_phone(person.phone) if person.phone else "",
            "language": person.language,
            "email": person.email,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.preferences_update(
            person=person,
            offer_matches=form.cleaned_data["offer_matches"],
            coordinator_digest=form.cleaned_data.get(
                "coordinator_digest", current.coordinator_digest
            ),
            language=form.cleaned_data["language"],
            proposals=form.cleaned_data["proposals"],
            helper_texts=form.cleaned_data.get("helper_texts") if texts else None,
            phone=form.cleaned_data.get("phone") if texts else None,
            # A form sent without the field (an old page, a script) leaves it alone.
            email=form.cleaned_data["email"] if "email" in form.data else None,
        )
        messages.success(request, _("Your choices are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_email": bool(person.email)},
    )


# RFC 8058: mail programs POST here, without a session or a CSRF token, when the
# person presses "Unsubscribe". The signed token is the proof, so CSRF adds nothing.
@csrf_exempt
@never_cache
def unsubscribe(request, token):
    """GET asks to confirm (link scanners must not unsubscribe anyone); POST does it."""
    found = tokens.read_unsubscribe_token(token)
    if found is None:
        raise Http404
    person_id, topic = found
    done = False
    if request.method == "POST":
        services.unsubscribe(person_id=person_id, topic=topic)
        done = True
    response = render(
        request,
        "notifications/unsubscribe.html",
        {"token": token, "topic": topic, "done": done},
    )
    return keep_private(response)


@never_cache
def feedback(request, token):
    """The requester's feedback, from the link in the "done" email.

    The private link's token is stored only hashed, so the email cannot carry it;
    this signed link opens nothing but this form, for this request.
    """
    request_id = tokens.read_feedback_token(token)
    req = Request.objects.filter(pk=request_id, status=Request.Status.DONE).first()
    if request_id is None or req is None:
        raise Http404
    given = Feedback.objects.filter(request=req, author=Feedback.Author.REQUESTER).exists()
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and not given:
        if form.is_valid():
            requests_services.leave_feedback(
                request=req, author=Feedback.Author.REQUESTER, **form.cleaned_data
            )
            messages.success(request, _("Thank you for telling us."))
            return keep_private(redirect("notifications:feedback", token=token))
        messages.error(request, _("Please choose whether your need was met."))
    response = render(
        request,
        "notifications/feedback.html",
        {"req": req, "form": form, "given": given, "token": token},
    )
    return keep_private(response)


@never_cache
def check_in(request, token):
    """ "Do you still need help?", from the link in the check-in email.

    GET shows the question (link scanners must not answer for anyone); POST answers
    it through the same service as the private page and the text channel. The link
    works only while this check-in is the one being asked.
    """
    found = tokens.read_check_in_token(token)
    if found is None:
        raise Http404
    request_id, asked = found
    req = Request.objects.filter(pk=request_id).first()
    if req is None:
        raise Http404
    current = req.awaits_check_in() and req.check_in_sent_at.isoformat() == asked
    if request.method == "POST":
        if current and request.POST.get("answer") in ("yes", "no"):
            still_needed = request.POST["answer"] == "yes"
            requests_services.answer_check_in(request=req, still_needed=still_needed)
            if still_needed:
                messages.success(request, _("Thank you. Your request stays on the board."))
            else:
                messages.success(request, _("Thank you. Your request is taken down. Take care."))
        return keep_private(redirect("notifications:check_in", token=token))
    response = render(
        request, "notifications/check_in.html", {"req": req, "current": current, "token": token}
    )
    return keep_private(response)


# How many days of text counts the coordinators' texts page adds up.
TEXT_COUNT_DAYS = 30
TEXTS_ON_A_PAGE = 50


@login_required
@never_cache
def pod_texts(request, slug):
    """The pod's texts: how many went out and failed, and what neighbors texted
    that needs a person (coordinators only: the bodies are personal data)."""
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    today = timezone.localdate(timezone.now(), pod.zone)
    since = today - datetime.timedelta(days=TEXT_COUNT_DAYS - 1)
    tallies = TextTally.objects.filter(pod=pod, day__gte=since)
    totals = tallies.aggregate(sent=Sum("sent"), failed=Sum("failed"))
    today_row = tallies.filter(day=today).values("sent", "failed").first() or {}
    waiting = list(
        IncomingText.objects.filter(pod=pod, status=IncomingText.Status.FOR_COORDINATORS)
        .select_related("request")
        .order_by("received_at")[:TEXTS_ON_A_PAGE]
    )
    response = render(
        request,
        "notifications/pod_texts.html",
        {
            "pod": pod,
            "days": TEXT_COUNT_DAYS,
            "sent": totals["sent"] or 0,
            "failed": totals["failed"] or 0,
            "sent_today": today_row.get("sent", 0),
            "failed_today": today_row.get("failed", 0),
            "waiting": waiting,
        },
    )
    # The neighbors' words: never kept by a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def pod_text_handled(request, slug, pk):
    pod, _membership = get_pod_for_coordinator(request.user, slug)
    text = get_object_or_404(IncomingText, pk=pk, pod=pod)
    services.text_handled(text=text)
    messages.success(request, _("Marked as read."))
    return redirect("notifications:pod_texts", slug=pod.slug)
