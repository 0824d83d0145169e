"""What each kind of message says, rendered when it is sent.

A renderer reads the message's references and returns ``Content``: a subject
and a few blocks (paragraphs, links, lists). One template turns the blocks into
HTML and one function into plain text, so both parts always say the same, and
a channel without HTML (SMS) can use the text. A renderer returns None when
there is nothing left to say: the claim ended, the request was closed.

Renderers run with the recipient's language active. No message carries
contact details of anyone but its recipient, and every link points at SITE_URL.
"""

import datetime
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from notifications import tokens
from notifications.models import OutboxMessage
from pods.access import is_coordinator, may_see_report
from pods.models import Membership, Proposal, Report
from requests_app.access import may_see_concern, open_concerns_count
from requests_app.links import private_url
from requests_app.models import (
    Claim,
    Concern,
    Connection,
    ContactExport,
    Feedback,
    Handover,
    KeepHelping,
    Offer,
    Request,
    RequestSeries,
)
from requests_app.selectors import coordinator_queues

# How many items a digest lists before it says "and N more".
DIGEST_ITEMS = 10


@dataclass
class Paragraph:
    text: str
    kind: str = "paragraph"

    def as_text(self):
        return self.text


@dataclass
class Link:
    label: str
    url: str
    kind: str = "link"

    def as_text(self):
        return f"{self.label}\n{self.url}" if self.label else self.url


@dataclass
class Item:
    label: str
    url: str = ""


@dataclass
class Section:
    title: str
    items: list
    more: str = ""
    kind: str = "section"
    # How many there are in all, when a list shows only the first few.
    count: int | None = None

    def as_text(self):
        lines = [self.title]
        for item in self.items:
            lines.append(f"- {item.label}")
            if item.url:
                lines.append(f"  {item.url}")
        if self.more:
            lines.append(self.more)
        return "\n".join(lines)


@dataclass
class Content:
    subject: str
    blocks: list
    # Set for messages a person chose to get; adds the one-click unsubscribe.
    unsubscribe_url: str = ""
    why: str = ""
    language: str = "en"

    def greeting(self):
        return _("Hello,")

    def closing(self):
        return [_("Take care,"), _("Your mutual aid network")]

    def text(self):
        parts = [self.greeting(), *(block.as_text() for block in self.blocks)]
        parts.append("\n".join(self.closing()))
        if self.why:
            parts.append(self.why)
        if self.unsubscribe_url:
            parts.append(_("To stop these emails, open this link:") + "\n" + self.unsubscribe_url)
        return "\n\n".join(parts) + "\n"

    def html(self):
        return render_to_string("emails/message.html", {"content": self})


def site_url(path):
    return tokens.site_url(path)


def coordinators_page(pod):
    """The pod's coordinator dashboard where this version of the app has one, else its page."""
    try:
        return site_url(reverse("pods:dashboard", args=[pod.slug]))
    except NoReverseMatch:
        return site_url(pod.get_absolute_url())


def day(value):
    return formats.date_format(value, "DATE_FORMAT")


def request_label(request):
    """A request as lists show it: its public summary and kind of help, nothing private."""
    return f"{request.summary} ({request.get_category_display()})"


# --- To the requester -------------------------------------------------------------


def private_link(message):
    if not message.secret:
        return None
    url = private_url(message.secret)
    return Content(
        subject=_("Your request: your private link"),
        blocks=[
            Paragraph(
                _(
                    "Your request for help is posted. This is your private link; with it you "
                    "can see who is helping, change your request, or mark it done:"
                )
            ),
            Link("", url),
            Paragraph(
                _("Please keep it to yourself: anyone with the link can change your request.")
            ),
        ],
    )


def request_claimed(message):
    claim = message.claim
    if claim is None or claim.status != Claim.Status.ACTIVE:
        return None
    name = claim.helper.display_name if claim.helper else _("a neighbor")
    return Content(
        subject=_("Someone can help with your request"),
        blocks=[
            Paragraph(
                _("%(name)s, a neighbor in %(pod)s, can help with your request: %(summary)s")
                % {"name": name, "pod": claim.request.pod.name, "summary": claim.request.summary}
            ),
            Paragraph(
                _(
                    "They can now see the contact details you gave, and may get in touch "
                    "soon. Your private link shows who is helping."
                )
            ),
        ],
    )


def request_done(message):
    request = message.request
    if request is None or request.status != Request.Status.DONE:
        return None
    blocks = [
        Paragraph(_("Your request is marked done: %(summary)s") % {"summary": request.summary}),
        Paragraph(_("We hope it went well. Thank you for letting your neighbors help.")),
    ]
    given = Feedback.objects.filter(request=request, author=Feedback.Author.REQUESTER).exists()
    if not given:
        blocks.append(
            Link(
                _("If you like, tell us how it went. It is optional and never shown publicly:"),
                tokens.feedback_url(request),
            )
        )
    return Content(subject=_("Your request is marked done"), blocks=blocks)


def request_expiring(message):
    request = message.request
    if request is None or request.status not in (Request.Status.NEW, Request.Status.OPEN):
        return None
    return Content(
        subject=_("Your request will expire soon"),
        blocks=[
            Paragraph(
                _("Nobody has said they can help with your request yet: %(summary)s")
                % {"summary": request.summary}
            ),
            Paragraph(
                _(
                    "It stays on the board until %(date)s. If you still need help after that, "
                    "you are welcome to ask again."
                )
                % {"date": day(request.expires_on)}
            ),
        ],
    )


# --- To a helper ------------------------------------------------------------------


def claim_stale(message):
    claim = message.claim
    if claim is None or claim.status != Claim.Status.ACTIVE or claim.nudged_at is None:
        return None
    release_on = timezone.localdate(
        claim.nudged_at + datetime.timedelta(days=claim.pod.release_after_stale_days)
    )
    return Content(
        subject=_("Are you still helping with this request?"),
        blocks=[
            Paragraph(
                _("You said you could help with this request: %(summary)s")
                % {"summary": claim.request.summary}
            ),
            Paragraph(
                _(
                    "If you are still on it, say so on the request's page. If you can't do "
                    "it, that's fine: step back there, and someone else can help."
                )
            ),
            Paragraph(
                _(
                    "If we don't hear from you, it goes back on the board on %(date)s, with "
                    "no mark against you."
                )
                % {"date": day(release_on)}
            ),
            Link(_("The request's page:"), site_url(claim.request.get_absolute_url())),
        ],
    )


# --- To owners of offers ------------------------------------------------------------


def _offer_choice_footer(person):
    return {
        "why": _("You get these emails because of your choice on My page: %(url)s")
        % {"url": site_url(reverse("notifications:preferences"))},
        "unsubscribe_url": tokens.unsubscribe_url(person, tokens.OFFER_MATCHES),
    }


def offer_match(message):
    request, offer, person = message.request, message.offer, message.person
    if request is None or offer is None or person is None:
        return None
    # Only while someone can still take it up (the board's rule).
    if not request.can_be_claimed():
        return None
    if offer.status != Offer.Status.ACTIVE or offer.hidden:
        return None
    return Content(
        subject=_("A new request matches your offer"),
        blocks=[
            Paragraph(
                _("A neighbor in %(pod)s asked for help that matches your offer:")
                % {"pod": request.pod.name}
            ),
            Section(
                title=request.get_category_display(),
                items=[Item(request.summary, site_url(request.get_absolute_url()))],
            ),
            Paragraph(_("If you can help, say so on the request's page. No pressure.")),
        ],
        **_offer_choice_footer(person),
    )


def connection_ask(message):
    """A coordinator asks an offer's owner whether they can help: only while the
    ask is still waiting for an answer and the request still needs someone."""
    request, offer, person = message.request, message.offer, message.person
    if request is None or offer is None or person is None:
        return None
    waiting = Connection.objects.pending().filter(request=request, offer=offer).exists()
    if not waiting or not request.can_be_claimed():
        return None
    return Content(
        subject=_("Could your offer help a neighbor?"),
        blocks=[
            Paragraph(
                _("A coordinator of %(pod)s thinks your offer could meet this request:")
                % {"pod": request.pod.name}
            ),
            Section(
                title=request.get_category_display(),
                items=[Item(request.summary, site_url(request.get_absolute_url()))],
            ),
            Paragraph(
                _(
                    "Say yes or no on My page. No is always fine; if you say yes, you "
                    "become the request's helper and see how to reach the neighbor."
                )
            ),
            Link(_("My page:"), site_url(reverse("requests_app:my_page"))),
        ],
    )


def matching_new_requests(person, since):
    """Open requests posted since ``since`` that match the person's available offers."""
    pairs = set(
        Offer.objects.available()
        .filter(owner=person, hidden=False)
        .values_list("pod_id", "category")
    )
    if not pairs:
        return []
    candidates = (
        Request.objects.on_board()
        .filter(created_at__gte=since, pod_id__in={pod for pod, _c in pairs})
        .exclude(requester=person)
        .select_related("pod")
        .oldest_first()
    )
    return [r for r in candidates if (r.pod_id, r.category) in pairs]


def offer_digest(message):
    person = message.person
    since = message.data.get("since")
    if person is None or not since:
        return None
    found = matching_new_requests(person, datetime.datetime.fromisoformat(since))
    if not found:
        return None
    items = [
        Item(f"{request_label(r)}, {r.pod.name}", site_url(r.get_absolute_url()))
        for r in found[:DIGEST_ITEMS]
    ]
    more = ""
    if len(found) > DIGEST_ITEMS:
        rest = len(found) - DIGEST_ITEMS
        more = ngettext(
            "and %(count)s more on My page.", "and %(count)s more on My page.", rest
        ) % {"count": rest}
    return Content(
        subject=_("New requests that match your offers"),
        blocks=[
            Paragraph(_("Since yesterday, neighbors asked for help that matches your offers:")),
            Section(title=_("New requests"), items=items, more=more),
            Paragraph(_("If you can help with one, say so on its page. No pressure.")),
        ],
        **_offer_choice_footer(person),
    )


# --- To coordinators ------------------------------------------------------------------


# The digest's sections: the dashboard's queues that need a coordinator to act
# (requests_app.selectors), in this order.
DIGEST_QUEUES = {
    "new": gettext_lazy("New requests awaiting approval"),
    "duplicates": gettext_lazy("Possible duplicates (the same phone or email)"),
    "stale": gettext_lazy("Claims that went stale"),
    "handovers": gettext_lazy("Stale claims someone offered to take over"),
    "expiring": gettext_lazy("Requests about to expire"),
}


def coordinator_digest(message):
    person, pod = message.person, message.pod
    if person is None or pod is None:
        return None
    if not is_coordinator(person, pod):
        return None
    # The dashboard's queues and counts, from the same selector.
    queues = coordinator_queues(pod, timezone.now())
    # The dashboard's counts, those of the queues it shows apart and the needs that
    # come back, in one query.
    counts = queues.counts(
        **{key: queues.requests(key) for key in DIGEST_QUEUES if key not in queues.COUNTED},
        series=RequestSeries.objects.current().filter(pod=pod),
    )
    blocks = []
    for key, title in DIGEST_QUEUES.items():
        if not counts[key]:
            continue
        requests = list(queues.requests(key)[:DIGEST_ITEMS])
        items = [Item(request_label(r), site_url(r.get_absolute_url())) for r in requests]
        more = ""
        if counts[key] > len(requests):
            extra = counts[key] - len(requests)
            more = ngettext(
                "And %(count)s more on the pod's pages.",
                "And %(count)s more on the pod's pages.",
                extra,
            ) % {"count": extra}
        blocks.append(Section(title=str(title), items=items, more=more, count=counts[key]))
    if series := counts["series"]:
        blocks.append(
            Paragraph(
                ngettext(
                    "%(count)s need comes back regularly in this pod.",
                    "%(count)s needs come back regularly in this pod.",
                    series,
                )
                % {"count": series}
            )
        )
    # Only for a safeguarding lead, and never a concern about themselves.
    concerns = open_concerns_count(person, pod)
    if concerns:
        blocks.append(
            Paragraph(
                ngettext(
                    "%(count)s safeguarding concern is open.",
                    "%(count)s safeguarding concerns are open.",
                    concerns,
                )
                % {"count": concerns}
            )
        )
    # Never a report about the coordinator themselves (pods.access.may_see_report).
    if count := queues.reports(person).count():
        blocks.append(
            Paragraph(
                ngettext(
                    "%(count)s report is waiting for a coordinator.",
                    "%(count)s reports are waiting for a coordinator.",
                    count,
                )
                % {"count": count}
            )
        )
    if not blocks:
        return None
    return Content(
        subject=_("What needs a coordinator in %(pod)s today") % {"pod": pod.name},
        blocks=[
            Paragraph(
                _("Here is what is waiting in %(pod)s. Thank you for looking after it.")
                % {"pod": pod.name}
            ),
            *blocks,
            Link(_("Where coordinators look after the pod:"), coordinators_page(pod)),
        ],
        why=_("You get this because you coordinate %(pod)s.") % {"pod": pod.name},
        unsubscribe_url=tokens.unsubscribe_url(person, tokens.COORDINATOR_DIGEST),
    )


def request_reported(message):
    pod = message.pod
    if pod is None or message.person is None:
        return None
    report = Report.objects.filter(pk=message.data.get("report"), pod=pod).first()
    # Checked again when sent: never to the person the report is about.
    if report is not None and not may_see_report(message.person, report):
        return None
    blocks = [
        Paragraph(
            _("Someone reported a post or a person in %(pod)s. Please take a look when you can.")
            % {"pod": pod.name}
        )
    ]
    report_id = message.data.get("report")
    try:
        report_url = site_url(reverse("pods:report_detail", args=[pod.slug, report_id]))
    except NoReverseMatch:
        report_url = ""
    if report_url:
        blocks.append(Link(_("The report:"), report_url))
    elif message.request is not None:
        blocks.append(
            Link(
                _("The request that was reported:"),
                site_url(message.request.get_absolute_url()),
            )
        )
    blocks.append(Link(_("Where coordinators look after the pod:"), coordinators_page(pod)))
    return Content(subject=_("A report in %(pod)s") % {"pod": pod.name}, blocks=blocks)


def text_received(message):
    """A neighbor texted something only a person can answer, or asked for help by
    text: the coordinators read it on the site, never in the email."""
    pod = message.pod
    if pod is None or message.person is None:
        return None
    return Content(
        subject=_("A text message in %(pod)s") % {"pod": pod.name},
        blocks=[
            Paragraph(
                _("A neighbor texted %(pod)s, and it needs a person. Please read it when you can.")
                % {"pod": pod.name}
            ),
            Link(
                _("The pod's text messages:"),
                site_url(reverse("notifications:pod_texts", args=[pod.slug])),
            ),
        ],
    )


def coordinators_note(message):
    pod, person = message.pod, message.person
    if pod is None or person is None:
        return None
    if not Membership.objects.filter(pod=pod, person=person).exists():
        return None
    return Content(
        subject=_("A note from the coordinators of %(pod)s") % {"pod": pod.name},
        blocks=[
            Paragraph(
                _(
                    "The coordinators of %(pod)s left you a note about the community "
                    "agreements. You can read it on the pod's page when you are signed in."
                )
                % {"pod": pod.name}
            ),
            Link(_("The pod's page:"), site_url(pod.get_absolute_url())),
        ],
    )


# --- Needs that come back, check-ins, hand-overs ----------------------------------------


def check_in(message):
    """Do you still need help? Only while the question stands."""
    request = message.request
    if request is None or not request.awaits_check_in():
        return None
    return Content(
        subject=_("Do you still need help?"),
        blocks=[
            Paragraph(
                _("Nobody has said they can help with your request yet: %(summary)s")
                % {"summary": request.summary}
            ),
            Paragraph(
                _(
                    "Do you still need help? If you do, we keep it on the board. If you "
                    "don't, we take it down. If we don't hear from you, it stays until "
                    "%(date)s."
                )
                % {"date": day(request.expires_on)}
            ),
            Link(_("Answer here (it takes one tap):"), tokens.check_in_url(request)),
        ],
    )


def keep_helping(message):
    ask_id = message.data.get("ask")
    ask = KeepHelping.objects.filter(pk=ask_id).select_related("after").first()
    if ask is None or ask.status != KeepHelping.Status.PENDING:
        return None
    return Content(
        subject=_("Would you keep helping with this?"),
        blocks=[
            Paragraph(
                _(
                    "Thank you for helping with this. The neighbor needs it again "
                    "(%(frequency)s): %(summary)s"
                )
                % {
                    "frequency": ask.series.get_frequency_display().lower(),
                    "summary": ask.after.summary,
                }
            ),
            Paragraph(
                _(
                    "Would you like to help next time too? Say yes or no on My page. No is "
                    "always fine: then it goes on the board for someone else."
                )
            ),
            Link(_("My page:"), site_url(reverse("requests_app:my_page"))),
        ],
    )


def handover_ask(message):
    claim = message.claim
    handover = Handover.objects.filter(pk=message.data.get("handover")).first()
    if claim is None or handover is None or handover.status != Handover.Status.PENDING:
        return None
    if claim.status != Claim.Status.ACTIVE:
        return None
    return Content(
        subject=_("Someone could take over a request you are helping with"),
        blocks=[
            Paragraph(
                _("You said you could help with this request: %(summary)s")
                % {"summary": claim.request.summary}
            ),
            Paragraph(
                _(
                    "Another neighbor in the pod offers to take it over. If you are still "
                    "on it, keep it; if not, hand it on. Both are fine."
                )
            ),
            Paragraph(
                _("If we don't hear from you by %(date)s, it passes to them.")
                % {
                    "date": formats.date_format(
                        timezone.localtime(handover.answer_by), "DATETIME_FORMAT"
                    )
                }
            ),
            Link(_("The request's page:"), site_url(claim.request.get_absolute_url())),
        ],
    )


def handover_done(message):
    role = message.data.get("role")
    handover = (
        Handover.objects.filter(pk=message.data.get("handover")).select_related("request").first()
    )
    if handover is None:
        return None
    request = handover.request
    if role == "kept":
        subject = _("The helper is still on it")
        text = _(
            "You offered to take over a request: %(summary)s. Its helper is still on it, so "
            "nothing changes. Thank you for offering."
        )
    elif role == "former":
        subject = _("The request was handed on")
        text = _(
            "Another neighbor now helps with this request: %(summary)s. Thank you for what "
            "you did; there is no mark against you."
        )
    else:
        subject = _("You are now helping with a request")
        text = _(
            "You offered to take over a request, and now you are its helper: %(summary)s. "
            "Its page shows how to reach the neighbor."
        )
    blocks = [Paragraph(text % {"summary": request.summary})]
    if role == "new":
        blocks.append(Link(_("The request's page:"), site_url(request.get_absolute_url())))
    return Content(subject=subject, blocks=blocks)


def not_done(message):
    pod, request = message.pod, message.request
    if pod is None or request is None or message.person is None:
        return None
    if not Membership.objects.filter(
        pod=pod, person=message.person, role=Membership.Role.COORDINATOR
    ).exists():
        return None
    return Content(
        subject=_("A request was not done after all, in %(pod)s") % {"pod": pod.name},
        blocks=[
            Paragraph(
                _(
                    "The neighbor who asked says this request was not done, though it was "
                    "marked done. It is back on the board: %(summary)s"
                )
                % {"summary": request.summary}
            ),
            Link(
                _("The request:"),
                site_url(reverse("requests_app:request_coordinate", args=[request.pk])),
            ),
        ],
    )


# --- Consent decisions ---------------------------------------------------------------


def _open_proposal_for(message):
    """The proposal a message is about, while it is open and the recipient still
    belongs to its pod; else None (nothing left to say)."""
    person, pod = message.person, message.pod
    if person is None or pod is None:
        return None
    proposal = (
        Proposal.objects.filter(pk=message.data.get("proposal"), pod=pod)
        .select_related("author", "person")
        .first()
    )
    if proposal is None or not proposal.is_open:
        return None
    if not Membership.objects.filter(pod=pod, person=person).exists():
        return None
    return proposal


def _proposal_blocks(proposal):
    author = proposal.author.display_name if proposal.author else _("a former member")
    return [
        Paragraph(
            _("%(author)s proposes: “%(title)s”.") % {"author": author, "title": proposal.title}
        ),
        Paragraph(
            _("Members can consent, raise a concern or object until %(deadline)s.")
            % {"deadline": day(timezone.localtime(proposal.deadline))}
        ),
        Link(_("Read it and respond:"), site_url(proposal.get_absolute_url())),
    ]


def _proposals_footer(content, person, pod):
    content.why = _("You get this because you are a member of %(pod)s.") % {"pod": pod.name}
    content.unsubscribe_url = tokens.unsubscribe_url(person, tokens.PROPOSALS)
    return content


def proposal_new(message):
    proposal = _open_proposal_for(message)
    if proposal is None:
        return None
    pod = message.pod
    content = Content(
        subject=_("A new proposal in %(pod)s") % {"pod": pod.name},
        blocks=_proposal_blocks(proposal),
    )
    return _proposals_footer(content, message.person, pod)


def proposal_amended(message):
    proposal = _open_proposal_for(message)
    if proposal is None:
        return None
    pod = message.pod
    if message.data.get("concrete"):
        first = _(
            "A proposal in %(pod)s was amended, and what it would change is new. Earlier "
            "responses were cleared: if you want to be counted, please respond again."
        )
    else:
        first = _("A proposal in %(pod)s was amended; only its wording changed.")
    content = Content(
        subject=_("A proposal in %(pod)s was amended") % {"pod": pod.name},
        blocks=[Paragraph(first % {"pod": pod.name}), *_proposal_blocks(proposal)],
    )
    return _proposals_footer(content, message.person, pod)


def proposal_about_you(message):
    proposal = _open_proposal_for(message)
    if proposal is None or not proposal.names(message.person):
        return None
    pod = message.pod
    if proposal.change == Proposal.Change.ADD_COORDINATOR:
        first = _("A proposal in %(pod)s would make you a coordinator.")
    else:
        first = _("A proposal in %(pod)s would step you back from coordinating.")
    return Content(
        subject=_("A proposal in %(pod)s is about you") % {"pod": pod.name},
        blocks=[
            Paragraph(first % {"pod": pod.name}),
            Paragraph(
                _(
                    "You can respond like any member. If something about it worries you, "
                    "you can also talk with the pod's coordinators."
                )
            ),
            *_proposal_blocks(proposal),
        ],
        why=_("You get this because the proposal names you."),
    )


# --- Safeguarding -------------------------------------------------------------------


def safeguarding_concern(message):
    person, pod = message.person, message.pod
    concern = Concern.objects.filter(pk=message.data.get("concern")).first()
    if person is None or pod is None or concern is None:
        return None
    # Checked again at sending: still a lead, and the concern still not about them.
    if not may_see_concern(person, concern):
        return None
    try:
        url = site_url(reverse("requests_app:concern_detail", args=[pod.slug, concern.pk]))
    except NoReverseMatch:
        url = site_url(pod.get_absolute_url())
    return Content(
        subject=_("A safeguarding concern in %(pod)s") % {"pod": pod.name},
        blocks=[
            Paragraph(
                _(
                    "Someone in %(pod)s is worried about someone's safety. Please read it on "
                    "the site as soon as you can; only the pod's safeguarding leads can."
                )
                % {"pod": pod.name}
            ),
            Link(_("The concern:"), url),
        ],
        why=_("You get this because you are a safeguarding lead of %(pod)s.") % {"pod": pod.name},
    )


def _contact_export(message):
    export_id = (message.data or {}).get("export")
    if message.pod is None or message.person is None or export_id is None:
        return None
    return ContactExport.objects.filter(pk=export_id, pod=message.pod).first()


def contact_export_asked(message):
    export = _contact_export(message)
    if export is None or export.state() != "pending":
        return None
    pod = message.pod
    return Content(
        subject=_("A contact export in %(pod)s waits for your approval") % {"pod": pod.name},
        blocks=[
            Paragraph(
                _(
                    "A coordinator of %(pod)s asked for a spreadsheet with the contact "
                    "details of the pod's requests. It needs a second person's approval. "
                    "Please approve it only if you know why it is needed."
                )
                % {"pod": pod.name}
            ),
            Link(_("Exports waiting for you:"), site_url(reverse("pods:export_approvals"))),
        ],
    )


def contact_export_approved(message):
    export = _contact_export(message)
    if export is None or export.state() != "approved":
        return None
    pod = message.pod
    return Content(
        subject=_("Your contact export of %(pod)s is approved") % {"pod": pod.name},
        blocks=[
            Paragraph(
                _(
                    "A second person approved your export with contact details. You can "
                    "download it once, within an hour of the approval, from the export page."
                )
            ),
            Link(_("The export page:"), site_url(reverse("pods:export", args=[pod.slug]))),
        ],
    )


RENDERERS = {
    OutboxMessage.Kind.CHECK_IN: check_in,
    OutboxMessage.Kind.KEEP_HELPING: keep_helping,
    OutboxMessage.Kind.HANDOVER_ASK: handover_ask,
    OutboxMessage.Kind.HANDOVER_DONE: handover_done,
    OutboxMessage.Kind.NOT_DONE: not_done,
    OutboxMessage.Kind.CONTACT_EXPORT_ASKED: contact_export_asked,
    OutboxMessage.Kind.CONTACT_EXPORT_APPROVED: contact_export_approved,
    OutboxMessage.Kind.PRIVATE_LINK: private_link,
    OutboxMessage.Kind.REQUEST_CLAIMED: request_claimed,
    OutboxMessage.Kind.REQUEST_DONE: request_done,
    OutboxMessage.Kind.REQUEST_EXPIRING: request_expiring,
    OutboxMessage.Kind.CLAIM_STALE: claim_stale,
    OutboxMessage.Kind.OFFER_MATCH: offer_match,
    OutboxMessage.Kind.OFFER_DIGEST: offer_digest,
    OutboxMessage.Kind.COORDINATOR_DIGEST: coordinator_digest,
    OutboxMessage.Kind.REQUEST_REPORTED: request_reported,
    OutboxMessage.Kind.CONNECTION_ASK: connection_ask,
    OutboxMessage.Kind.COORDINATORS_NOTE: coordinators_note,
    OutboxMessage.Kind.TEXT_RECEIVED: text_received,
    OutboxMessage.Kind.PROPOSAL_NEW: proposal_new,
    OutboxMessage.Kind.PROPOSAL_AMENDED: proposal_amended,
    OutboxMessage.Kind.PROPOSAL_ABOUT_YOU: proposal_about_you,
    OutboxMessage.Kind.SAFEGUARDING_CONCERN: safeguarding_concern,
}


@dataclass(frozen=True)
class Rendered:
    """A message ready for any channel: a channel without HTML uses the text."""

    subject: str
    text: str
    html: str
    unsubscribe_url: str = ""


def render(message):
    """The message in its recipient's language, or None if it is no longer needed."""
    with translation.override(message.language):
        content = RENDERERS[message.kind](message)
        if content is None:
            return None
        content.language = message.language
        return Rendered(
            subject=content.subject,
            text=content.text(),
            html=content.html(),
            unsubscribe_url=content.unsubscribe_url,
        )
