"""Realistic synthetic data at city scale, for benchmarks and for trying indexes.

    manage.py seed --requests 1000000 --pods 1000 --people 50000 --seed 1

Rows are written in batches: with PostgreSQL's COPY, elsewhere with executemany.
The same --seed gives the same pods, people and requests (dates are relative to
the moment of seeding, so the boards always have fresh open requests).

What it makes, so the queries meet the shapes they meet in a real city:

- pods of very uneven size: the first ("seed-0001") gets 10% of all requests,
  the others a long-tailed share of the rest;
- people in one pod, some in two, with two coordinators per pod;
- requests spread over --years, with a recent surge: recent ones are new, open
  or claimed, older ones done, withdrawn or expired (their contact details
  already erased, as the daily purge would have done);
- a claim for every claimed and done request (and released claims before some),
  a contact view for recent ones, some feedback, and offers.
"""

import datetime
import hashlib
import itertools
import random
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from pods.models import CONTACT_RETENTION_DAYS, Membership, Person, Pod, PostalCode
from requests_app.models import (
    Category,
    Claim,
    ContactView,
    Feedback,
    Offer,
    Request,
    RequestContact,
)

SEED_PASSWORD = "seed-password"  # noqa: S105 - for synthetic accounts on a throwaway database  # nosec B105
BIG_POD_SHARE = 0.10
RECENT_DAYS = 30
RECENT_SHARE = 0.08
DAY = datetime.timedelta(days=1)

FIRST_NAMES = [
    "Ana", "Ben", "Chen", "Dalia", "Emeka", "Fatima", "Gus", "Hana", "Ivan", "Jun",
    "Kemal", "Lupe", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tuan",
    "Uma", "Vera", "Wen", "Ximena", "Yusuf", "Zoe",
]  # fmt: skip
STREETS = [
    "Maple", "Oak", "Elm", "Cedar", "Pine", "Birch", "Willow", "Ash", "Spruce", "Juniper",
    "Walnut", "Chestnut", "Magnolia", "Laurel", "Hawthorn", "Linden",
]  # fmt: skip
NEIGHBORHOODS = [
    "Riverside", "Hillcrest", "Northgate", "Southbank", "Eastwood", "Westview", "Old Town",
    "Parkside", "Lakeview", "Fairmount", "Brookline", "Greenfield", "Harbor", "Midtown",
]  # fmt: skip
SUMMARIES = {
    Category.GROCERIES: [
        "Weekly groceries, I can't get out this week",
        "Milk, bread and fruit for two",
        "A few groceries after my surgery",
    ],
    Category.MEDICATION: [
        "Pick up a prescription at the pharmacy",
        "Insulin pickup, ready after 3pm",
        "Refill waiting at the corner drugstore",
    ],
    Category.SUPPLIES: [
        "Diapers and wipes, size 4",
        "Cleaning supplies for a small flat",
        "Masks and hand soap",
    ],
    Category.RIDE: [
        "Ride to a clinic appointment on Thursday",
        "Lift to the food bank and back",
        "Ride to the vaccination center",
    ],
    Category.MEAL: [
        "A hot meal or two this week",
        "Vegetarian meals for a family of four",
        "Soup for someone with the flu",
    ],
    Category.CHILDCARE: [
        "Someone to watch my kids for two hours",
        "School pickup on Friday",
    ],
    Category.PET_CARE: [
        "Walk my dog while I'm sick",
        "Cat food and litter",
    ],
    Category.CHECK_IN: [
        "A phone call now and then, I live alone",
        "Someone to talk to in the evenings",
    ],
    Category.TRANSLATION: [
        "Help reading a letter from the housing office",
        "Translate at a doctor's appointment",
    ],
    Category.HOME_HELP: [
        "Someone to change a light bulb I can't reach",
        "Help tidying the kitchen after my operation",
    ],
    Category.OTHER: [
        "Help moving a heavy box to the curb",
        "Set up a video call with my grandchildren",
    ],
}
OFFER_TEXTS = [
    "I drive to the pharmacy on Tuesdays and can pick up for two.",
    "I cook on Sundays and can make extra portions.",
    "I can shop for groceries on Saturday mornings.",
    "I speak Spanish and can translate on the phone.",
    "I have a car and free afternoons.",
    "I can walk dogs in the mornings.",
]
CATEGORIES = list(Category.values)
# How often each kind of help is asked for: groceries and medication most.
CATEGORY_WEIGHTS = [30, 20, 8, 8, 12, 3, 3, 8, 3, 2, 5]
CATEGORY_CUM_WEIGHTS = list(itertools.accumulate(CATEGORY_WEIGHTS))
LANGUAGE_SETS = [",en,", ",es,", ",en,es,", ",zh,", ",vi,", ",en,", ",en,", ""]

RECENT_STATUSES = (["open"] * 60) + (["claimed"] * 25) + (["new"] * 5) + (["done"] * 10)
OLD_STATUSES = (["done"] * 70) + (["expired"] * 20) + (["withdrawn"] * 10)
CLOSED = {"done", "expired", "withdrawn"}


def seed_token_hash(seed, number):
    """A unique, deterministic stand-in for the hash of a private-link token."""
    return hashlib.sha256(f"seed:{seed}:{number}".encode()).hexdigest()


SEEDED_MODELS = [
    Pod,
    PostalCode,
    Person,
    Membership,
    Offer,
    Request,
    RequestContact,
    Claim,
    ContactView,
    Feedback,
]


class TableWriter:
    """Bulk-inserts tuples into one model's table.

    The caller gives values for ``columns`` (attribute names, in order), ready for
    the database. Every other column gets its model default, so a field added to
    the model later does not break the seed.
    """

    def __init__(self, model, columns, batch_size):
        self.model = model
        self.batch_size = batch_size
        fields = {f.attname: f for f in model._meta.local_concrete_fields}
        given = [fields[name] for name in columns]
        extra = [f for name, f in fields.items() if name not in columns and not f.primary_key]
        self.fields = given + extra
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
        self.table = model._meta.db_table
        self.copy = connection.vendor == "postgresql"
        self.adapters = [self._adapter(f) for f in given]
        self.rows = []
        self.count = 0

    def _adapter(self, field):
        # executemany passes values as they are: let the backend format dates.
        internal = field.get_internal_type()
        if internal == "DateTimeField":
            return connection.ops.adapt_datetimefield_value
        if internal == "DateField":
            return connection.ops.adapt_datefield_value
        return None

    def add(self, row):
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if self.copy:
                sql = f"COPY {quote(self.table)} ({columns}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in self.rows:
                        copy.write_row(row + self.defaults)
            else:
                adapters = [(i, a) for i, a in enumerate(self.adapters) if a is not None]
                rows = []
                for row in self.rows:
                    row = list(row)
                    for i, adapt in adapters:
                        if row[i] is not None:
                            row[i] = adapt(row[i])
                    rows.append(tuple(row) + self.defaults)
                marks = ", ".join(["%s"] * len(self.fields))
                sql = f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({marks})"  # noqa: S608  # nosec B608  # names from model meta, values bound
                cursor.executemany(sql, rows)
        self.count += len(self.rows)
        self.rows = []


class Seeder:
    def __init__(self, *, requests, pods, people, seed, years, batch_size, now, log):
        self.n_requests = requests
        self.n_pods = pods
        self.n_people = people
        self.seed = seed
        self.random = random.Random(seed)  # noqa: S311 - synthetic data, deterministic by design  # nosec B311
        self.years = years
        self.batch_size = batch_size
        self.now = now
        self.log = log

    def writer(self, model, columns):
        return TableWriter(model, columns, self.batch_size)

    def next_id(self, model):
        return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    # --- Pods and people ---------------------------------------------------------

    def make_pods(self):
        rnd = self.random
        prefix = f"seed-{self.seed}-" if self.seed != 1 else "seed-"
        existing = set(Pod.objects.filter(slug__startswith=prefix).values_list("slug", flat=True))
        pods = []
        for i in range(1, self.n_pods + 1):
            slug = f"{prefix}{i:04d}"
            if slug in existing:
                raise CommandError(f"Pod {slug} exists already: seed into an empty database.")
            street = STREETS[i % len(STREETS)]
            hood = NEIGHBORHOODS[(i // len(STREETS)) % len(NEIGHBORHOODS)]
            pods.append(
                Pod(
                    slug=slug,
                    name=f"{hood} {street} {i}",
                    area_description=f"{street} Street and the blocks around it, in {hood}.",
                    languages=rnd.choice(["en", "en,es", "es,en", "en,zh"]),
                    requires_approval=rnd.random() < 0.1,
                )
            )
        pods = Pod.objects.bulk_create(pods, batch_size=self.batch_size)
        if not all(pod.pk for pod in pods):  # backends that don't return ids
            pods = list(Pod.objects.filter(slug__startswith=prefix).order_by("slug"))
        codes = [
            PostalCode(pod=pod, code=f"{self.seed % 90 + 10:02d}{i:04d}")
            for i, pod in enumerate(pods)
        ]
        PostalCode.objects.bulk_create(codes, batch_size=self.batch_size)
        # A long tail: pod k gets a share proportional to 1 / k ** 0.7, the
        # first one a fixed 10% (a dense city center, and the export benchmark).
        tail = [1 / (k**0.7) for k in range(1, len(pods))]
        total = sum(tail) or 1
        self.pods = pods
        self.pod_weights = [BIG_POD_SHARE] + [(1 - BIG_POD_SHARE) * w / total for w in tail]
        if len(pods) == 1:
            self.pod_weights = [1.0]
        self.log(f"{len(pods)} pods")

    def make_people(self):
        rnd = self.random
        password = make_password(SEED_PASSWORD)
        first = self.next_id(Person)
        prefix = f"seed{self.seed}-" if self.seed != 1 else "seed-"
        people = self.writer(
            Person,
            [
                "id",
                "password",
                "username",
                "display_name",
                "email",
                "language",
                "agreements_accepted_at",
                "date_joined",
                "is_active",
                "is_staff",
                "is_superuser",
            ],
        )
        self.person_ids = []
        for i in range(self.n_people):
            pk = first + i
            name = rnd.choice(FIRST_NAMES)
            joined = self.now - datetime.timedelta(days=rnd.uniform(1, self.years * 365))
            people.add(
                (
                    pk,
                    password,
                    f"{prefix}{i:06d}",
                    f"{name} {chr(65 + i % 26)}.",
                    f"{prefix}{i:06d}@example.org" if rnd.random() < 0.5 else "",
                    rnd.choice(["en", "en", "es", ""]),
                    joined,
                    joined,
                    True,
                    False,
                    False,
                )
            )
            self.person_ids.append(pk)
        people.flush()

        # Every pod gets two coordinators first, then everyone joins a pod by size,
        # and some join a second one.
        memberships = self.writer(Membership, ["person_id", "pod_id", "role", "joined_at"])
        self.members = {pod.pk: [] for pod in self.pods}
        self.pods_of = {}
        pairs = set()
        coordinators = {}
        people_ids = self.person_ids
        for index, pod in enumerate(self.pods):
            for k in range(2):
                if not people_ids:
                    break
                person = people_ids[(index * 2 + k) % len(people_ids)]
                if (person, pod.pk) not in pairs:
                    pairs.add((person, pod.pk))
                    coordinators[(person, pod.pk)] = True
        pod_ids = [pod.pk for pod in self.pods]
        for person in people_ids:
            count = 2 if rnd.random() < 0.15 else 1
            for pod_id in rnd.choices(pod_ids, weights=self.pod_weights, k=count):
                pairs.add((person, pod_id))
        for person, pod_id in sorted(pairs):
            role = "coordinator" if (person, pod_id) in coordinators else "member"
            memberships.add((person, pod_id, role, self.now - DAY * rnd.randint(1, 700)))
            self.members[pod_id].append(person)
            self.pods_of.setdefault(person, []).append(pod_id)
        memberships.flush()
        self.log(f"{people.count} people, {memberships.count} memberships")

    # --- Offers ----------------------------------------------------------------

    def make_offers(self):
        rnd = self.random
        offers = self.writer(
            Offer,
            [
                "pod_id",
                "owner_id",
                "category",
                "description",
                "availability",
                "recurrence",
                "languages",
                "status",
                "hidden",
                "created_at",
                "expires_on",
                "closed_at",
            ],
        )
        for person in self.person_ids:
            if rnd.random() >= 0.3:
                continue
            pod_id = rnd.choice(self.pods_of[person])
            created = self.now - datetime.timedelta(days=rnd.uniform(0, 400))
            status = rnd.choice(["active", "active", "active", "paused", "closed", "expired"])
            closed = (
                created + DAY * rnd.randint(1, 60) if status in ("closed", "expired") else None
            )
            offers.add(
                (
                    pod_id,
                    person,
                    rnd.choices(CATEGORIES, cum_weights=CATEGORY_CUM_WEIGHTS)[0],
                    rnd.choice(OFFER_TEXTS),
                    rnd.choice(["weekday evenings", "Saturday mornings", "", "most afternoons"]),
                    rnd.choice(["once", "ongoing"]),
                    rnd.choice(LANGUAGE_SETS),
                    status,
                    False,
                    created,
                    (self.now + DAY * rnd.randint(1, 60)).date()
                    if status in ("active", "paused")
                    else (created + DAY * 60).date(),
                    closed,
                )
            )
        offers.flush()
        self.log(f"{offers.count} offers")

    # --- Requests, contacts, claims ------------------------------------------------

    def make_requests(self):
        rnd = self.random
        now = self.now
        span_days = max(self.years * 365, RECENT_DAYS + 1)
        request_columns = [
            "id",
            "pod_id",
            "category",
            "summary",
            "area",
            "needed_by",
            "languages",
            "contactless",
            "status",
            "hidden",
            "requester_id",
            "token_hash",
            "created_at",
            "expires_on",
            "closed_at",
        ]
        requests = self.writer(Request, request_columns)
        contacts = self.writer(
            RequestContact,
            ["request_id", "pod_id", "name", "phone", "email", "preferred", "address", "notes"]
            + ["erased_at"],
        )
        claims = self.writer(
            Claim,
            [
                "request_id",
                "pod_id",
                "helper_id",
                "status",
                "created_at",
                "progress_at",
                "nudged_at",
                "ended_at",
                "released_automatically",
            ],
        )
        views = self.writer(
            ContactView, ["request_id", "pod_id", "viewer_id", "role", "kind", "viewed_at"]
        )
        feedback = self.writer(
            Feedback, ["request_id", "pod_id", "author", "need_met", "note", "created_at"]
        )
        first = self.next_id(Request)
        pod_ids = [pod.pk for pod in self.pods]
        pod_choices = rnd.choices(pod_ids, weights=self.pod_weights, k=self.n_requests)
        contact_retention = datetime.timedelta(days=CONTACT_RETENTION_DAYS)
        view_retention = datetime.timedelta(days=90)
        started = time.monotonic()
        for i in range(self.n_requests):
            pk = first + i
            pod_id = pod_choices[i]
            members = self.members[pod_id]
            recent = rnd.random() < RECENT_SHARE
            if recent:
                age = datetime.timedelta(seconds=rnd.uniform(0, RECENT_DAYS * 86400))
                status = rnd.choice(RECENT_STATUSES)
            else:
                age = datetime.timedelta(seconds=rnd.uniform(RECENT_DAYS, span_days) * 86400)
                status = rnd.choice(OLD_STATUSES)
            created = now - age
            category = rnd.choices(CATEGORIES, cum_weights=CATEGORY_CUM_WEIGHTS)[0]
            needed_by = (created + DAY * rnd.randint(1, 10)).date() if rnd.random() < 0.3 else None
            expires_on = (created + DAY * 30).date()
            if needed_by and needed_by < expires_on:
                expires_on = needed_by
            if status in ("open", "new") and expires_on < now.date():
                expires_on = now.date() + DAY
            closed_at = None
            if status in CLOSED:
                closed_at = min(created + datetime.timedelta(hours=rnd.uniform(2, 600)), now)
            requester = rnd.choice(members) if members and rnd.random() < 0.4 else None
            street = rnd.choice(STREETS)
            requests.add(
                (
                    pk,
                    pod_id,
                    category,
                    rnd.choice(SUMMARIES[category]),
                    f"near {street} & {rnd.randint(1, 40)}th" if rnd.random() < 0.8 else "",
                    needed_by,
                    rnd.choice(LANGUAGE_SETS),
                    rnd.random() < 0.5,
                    status,
                    rnd.random() < 0.003,
                    requester,
                    seed_token_hash(self.seed, pk),
                    created,
                    expires_on,
                    closed_at,
                )
            )

            # Contact details of requests closed past retention are already erased.
            if closed_at is not None and now - closed_at > contact_retention:
                contacts.add(
                    (pk, pod_id, "", "", "", "call", "", "", closed_at + contact_retention)
                )
            else:
                name = rnd.choice(FIRST_NAMES)
                contacts.add(
                    (
                        pk,
                        pod_id,
                        name,
                        f"555-01{rnd.randint(0, 99):02d}-{rnd.randint(0, 9999):04d}",
                        f"{name.lower()}{pk}@example.net" if rnd.random() < 0.4 else "",
                        rnd.choice(["call", "call", "text"]),
                        f"{rnd.randint(1, 999)} {street} St" if rnd.random() < 0.5 else "",
                        "Buzzer 12" if rnd.random() < 0.2 else "",
                        None,
                    )
                )

            if not members or members == [requester]:
                continue
            if rnd.random() < 0.05:
                # Someone stepped back before: a released claim, no mark against them.
                taken = created + datetime.timedelta(hours=rnd.uniform(0.5, 24))
                ended = taken + datetime.timedelta(hours=rnd.uniform(1, 48))
                if ended < now:
                    claims.add(
                        (
                            pk,
                            pod_id,
                            self.helper_for(members, requester),
                            "released",
                            taken,
                            taken,
                            None,
                        )
                        + (ended, rnd.random() < 0.3)
                    )
            if status not in ("claimed", "done"):
                continue
            helper = self.helper_for(members, requester)
            latest = closed_at or now
            taken = created + (latest - created) * rnd.uniform(0.05, 0.5)
            if status == "claimed":
                # Housekeeping nudges a claim after three quiet days and releases it
                # three days later: active claims have recent progress.
                quiet = datetime.timedelta(hours=rnd.uniform(0, 144))
                progress = max(taken, now - quiet)
                nudged = progress + 3 * DAY if now - progress > 3 * DAY else None
                claims.add((pk, pod_id, helper, "active", taken, progress, nudged, None, False))
            else:
                claims.add((pk, pod_id, helper, "done", taken, closed_at, None, closed_at, False))
                if rnd.random() < 0.1:
                    feedback.add(
                        (pk, pod_id, rnd.choice(["requester", "helper"]), "yes", "", closed_at)
                    )
            if now - taken < view_retention:
                views.add((pk, pod_id, helper, "claimer", "page", taken))
            if (i + 1) % 100_000 == 0:
                rate = (i + 1) / (time.monotonic() - started)
                self.log(f"  {i + 1:,} requests ({rate:,.0f}/s)")
        for writer in (requests, contacts, claims, views, feedback):
            writer.flush()
        self.log(
            f"{requests.count:,} requests, {contacts.count:,} contacts, {claims.count:,} claims, "
            f"{views.count:,} contact views, {feedback.count:,} feedback"
        )

    def helper_for(self, members, requester):
        """A member of the pod other than the requester (the caller checks there is one)."""
        while True:
            helper = self.random.choice(members)
            if helper != requester:
                return helper

    def reset_sequences(self):
        models = [Person, Request]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)

    def run(self):
        self.make_pods()
        self.make_people()
        self.make_offers()
        self.make_requests()
        self.reset_sequences()


class Command(BaseCommand):
    help = (
        "Fill the database with realistic synthetic pods, people, requests, claims and "
        "offers, for benchmarks. Deterministic for a given --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=10_000)
        parser.add_argument("--pods", type=int, default=20)
        parser.add_argument("--people", type=int, default=1_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--years", type=int, default=3, help="How far back requests go.")
        parser.add_argument("--batch-size", type=int, default=5_000)

    def handle(self, *args, **options):
        if options["pods"] < 1 or options["people"] < 1 or options["requests"] < 0:
            raise CommandError("Give at least one pod and one person.")
        started = time.monotonic()

        def log(message):
            self.stdout.write(f"[{time.monotonic() - started:6.1f}s] {message}")

        seeder = Seeder(
            requests=options["requests"],
            pods=options["pods"],
            people=options["people"],
            seed=options["seed"],
            years=options["years"],
            batch_size=options["batch_size"],
            now=timezone.now(),
            log=log,
        )
        tables = ", ".join(m._meta.db_table for m in SEEDED_MODELS)
        postgres = connection.vendor == "postgresql"
        with transaction.atomic():
            seeder.run()
            if postgres:
                # Before the COMMIT, which checks every foreign key of every row
                # written (Django's are deferred). PostgreSQL checks each with a plan
                # this connection keeps, made the last time the table's statistics
                # changed: on a connection that has lived while the tables were
                # nearly empty (a test run's), that plan reads the whole referenced
                # table for each row, and the COMMIT of 100,000 requests took 20+
                # minutes. ANALYZE here gives the plans the new sizes (docs/scaling.md).
                with connection.cursor() as cursor:
                    cursor.execute(f"ANALYZE {tables}")
        if postgres and not connection.in_atomic_block:
            # Visibility maps too, so index-only scans are those of a database
            # that has been running for a while. VACUUM cannot run in a
            # transaction (a test's, say): the ANALYZE above is all it gets then.
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {tables}")
        log("done")
