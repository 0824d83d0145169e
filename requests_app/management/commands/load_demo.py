"""Demo pods, people, requests and offers for a first run. Safe to run again."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from pods import services as pod_services
from pods.models import Membership, Person, Pod, PostalCode, Proposal, ProposalResponse, Report
from requests_app import consent, services
from requests_app.models import Category, Offer

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed for the demo, refused in production  # nosec B105

PODS = [
    (
        "maple",
        "Maple Street",
        "Maple Street from 1st to 9th Avenue, and the park.",
        "en,es",
        ["10001", "10002"],
        False,
    ),
    (
        "riverside",
        "Riverside",
        "The blocks between the river and Elm Road.",
        "en",
        ["10003"],
        False,
    ),
    (
        "hillcrest",
        "Hillcrest",
        "Hillcrest and the streets around the library.",
        "es,en",
        ["10004"],
        True,
    ),
]

# username, display name, language, {pod: role}
PEOPLE = [
    ("alice", "Alice (demo)", "en", {"maple": "coordinator"}),
    ("bob", "Bob (demo)", "en", {"maple": "member"}),
    ("carol", "Carol (demo)", "es", {"riverside": "coordinator", "hillcrest": "coordinator"}),
    ("dave", "Dave (demo)", "en", {}),
    ("elena", "Elena (demo)", "es", {"maple": "member", "hillcrest": "member"}),
]

# pod, category, summary, area, days ago, languages, contact name, phone suffix
REQUESTS = [
    (
        "maple",
        Category.GROCERIES,
        "Weekly groceries, I'm recovering from surgery",
        "near Maple & 3rd",
        4,
        ["en"],
        "Grace",
        "0101",
    ),
    (
        "maple",
        Category.MEDICATION,
        "Pick up a prescription at the corner pharmacy",
        "Maple & 7th",
        1,
        ["en", "es"],
        "Hector",
        "0102",
    ),
    (
        "maple",
        Category.CHECK_IN,
        "A friendly phone call now and then",
        "by the park",
        2,
        ["es"],
        "Inés",
        "0103",
    ),
    (
        "maple",
        Category.RIDE,
        "Ride to a clinic appointment on Friday morning",
        "Maple & 1st",
        0,
        ["en"],
        "June",
        "0104",
    ),
    (
        "riverside",
        Category.MEAL,
        "Two hot meals for an elderly couple",
        "Elm Road north end",
        3,
        ["en"],
        "Karl",
        "0105",
    ),
    (
        "riverside",
        Category.PET_CARE,
        "Walk my dog while my leg heals",
        "riverside path",
        6,
        ["en"],
        "Lena",
        "0106",
    ),
    (
        "hillcrest",
        Category.TRANSLATION,
        "Ayuda para leer una carta del seguro",
        "cerca de la biblioteca",
        1,
        ["es"],
        "Marta",
        "0107",
    ),
    (
        "maple",
        Category.OTHER,
        "Cheap phone cases for sale, message me",
        "Maple Street",
        3,
        ["en"],
        "Vendor",
        "0108",
    ),
]

OFFERS = [
    (
        "bob",
        "maple",
        Category.GROCERIES,
        "I shop on Saturdays and can pick up for two households.",
        "Saturday mornings",
        Offer.Recurrence.ONGOING,
        ["en"],
    ),
    (
        "elena",
        "maple",
        Category.CHECK_IN,
        "Puedo llamar por teléfono para conversar un rato.",
        "evenings",
        Offer.Recurrence.ONGOING,
        ["es", "en"],
    ),
    (
        "carol",
        "riverside",
        Category.MEAL,
        "I can cook an extra meal on Sundays.",
        "Sundays",
        Offer.Recurrence.ONCE,
        ["en", "es"],
    ),
]


class Command(BaseCommand):
    help = "Load demo pods, people, requests and offers (obviously fake). Runs once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off (never on a real network's database).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for development: set DEBUG=1, or pass --force.")
        if Person.objects.filter(username="alice").exists():
            self.stdout.write("Demo data is already loaded.")
            return
        with transaction.atomic():
            self._load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))

    def _load(self):
        now = timezone.now()
        pods = {}
        for slug, name, area, languages, codes, approval in PODS:
            pod = Pod.objects.create(
                slug=slug,
                name=name,
                area_description=area,
                languages=languages,
                requires_approval=approval,
            )
            PostalCode.objects.bulk_create(PostalCode(pod=pod, code=code) for code in codes)
            pods[slug] = pod
        people = {}
        for username, display_name, language, roles in PEOPLE:
            person = Person.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                display_name=display_name,
                language=language,
                agreements_accepted_at=now,
            )
            people[username] = person
            for slug, role in roles.items():
                Membership.objects.create(person=person, pod=pods[slug], role=role)
        posted = []
        for slug, category, summary, area, days_ago, languages, name, suffix in REQUESTS:
            posted.append(
                services.post_request(
                    pod=pods[slug],
                    public={
                        "category": category,
                        "summary": summary,
                        "area": area,
                        "needed_by": None,
                        "languages": languages,
                        "contactless": days_ago % 2 == 0,
                    },
                    contact={
                        "name": name,
                        "phone": f"+1718555{suffix}",  # made up: 555-01xx
                        "email": "",
                        "preferred": "call",
                        "address": "",
                        "notes": "",
                    },
                    now=now - datetime.timedelta(days=days_ago, hours=days_ago),
                )
            )
        # Bob is already helping with the prescription pickup.
        services.claim_request(request=posted[1].request, by=people["bob"])
        offers = {}
        for username, slug, category, description, when, recurrence, languages in OFFERS:
            offers[username] = services.post_offer(
                pod=pods[slug],
                owner=people[username],
                fields={
                    "category": category,
                    "description": description,
                    "availability": when,
                    "recurrence": recurrence,
                    "languages": languages,
                },
            )
        self._coordination(pods, people, posted, offers, now)

    def _coordination(self, pods, people, posted, offers, now):
        """Something in each of Maple Street's coordination pages, for alice to try."""
        maple = pods["maple"]
        spam = next(p.request for p in posted if p.request.category == Category.OTHER)
        pod_services.report_submit(
            pod=maple,
            reporter=people["elena"],
            reason=Report.Reason.SPAM,
            details="Selling things, not a need.",
            request=spam,
        )
        check_in = next(p.request for p in posted if p.request.category == Category.CHECK_IN)
        services.connect_offer(request=check_in, offer=offers["elena"], by=people["alice"])
        proposal = pod_services.proposal_create(
            pod=maple,
            author=people["bob"],
            fields={
                "title": "Ask helpers for news after 5 days instead of 3",
                "text": "Some tasks, like a weekly shop, take a few days; 3 days feels pushy.",
                "deadline": now + datetime.timedelta(days=7),
                "change": Proposal.Change.SETTING,
                "setting": "stale_claim_days",
                "value": "5",
            },
            now=now,
        )
        pod_services.proposal_respond(
            proposal=proposal, person=people["elena"], kind=ProposalResponse.Kind.CONSENT, now=now
        )
        # Grace's groceries come back every week, and she also phoned the hotline about
        # them: a possible duplicate for alice to merge.
        groceries = posted[0].request
        services.start_series(request=groceries, frequency="weekly", now=now)
        services.hotline_intake(
            pod=maple,
            public={
                "category": Category.GROCERIES,
                "summary": "Groceries for the week (called the hotline)",
                "area": "near Maple & 3rd",
                "needed_by": None,
                "languages": ["en"],
                "contactless": True,
            },
            contact={
                "name": "Grace",
                "phone": "+17185550101",  # Grace again: the same number
                "email": "",
                "preferred": "call",
                "address": "",
                "notes": "",
            },
            callback_preference="call",
            # alice read Grace the privacy script, and Grace agreed.
            coordinator=people["alice"],
            consent_version=consent.CURRENT_VERSION,
            now=now,
        )
        self._safeguarding(pods, people, posted, now)

    def _safeguarding(self, pods, people, posted, now):
        """Maple Street asks for vetted helpers for rides, childcare and help at home:
        elena is vetted, bob is not (he sees the ride but cannot take it); alice is
        the safeguarding lead, with one concern to look at."""
        maple = pods["maple"]
        maple.in_home_needs_vetting = True
        maple.save(update_fields=["in_home_needs_vetting"])
        pod_services.safeguarding_lead_set(
            pod=maple, person=people["alice"], lead=True, by=people["alice"], now=now
        )
        pod_services.vetting_record(
            pod=maple,
            person=people["elena"],
            by=people["alice"],
            expires_on=timezone.localdate(now) + datetime.timedelta(days=365),
            note="Met in person; two neighbors vouched for her.",
            now=now,
        )
        check_in = next(p.request for p in posted if p.request.category == Category.CHECK_IN)
        services.concern_raise(
            pod=maple,
            raised_by=people["elena"],
            text="When I called, she said someone at home shouts at her. She sounded scared.",
            request=check_in,
            now=now,
        )
