"""What coordinators look at, read the same way by every page, email and job.

``coordinator_queues(pod, now)`` is the one answer to "what needs a
coordinator": the dashboard shows it, the coordinators' digest sums it up,
housekeeping nudges and releases exactly its stale claims. The rules it uses
live on the querysets (``RequestQuerySet.expiring``, ``ClaimQuerySet.stale``);
this module only puts them side by side for a pod. One exception, for speed:
``dashboard_queues`` says them again in two SQL statements for the dashboard,
and tests/requests_app/test_dashboard_queues.py holds it to the querysets.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from mutualaid.compiled import CompiledQuery, Param
from pods.models import Person, Pod, Proposal, Report
from pods.models.moderation import ReportQuerySet
from requests_app.models import (
    Claim,
    ClaimQuerySet,
    Connection,
    ContactExport,
    Handover,
    KeepHelping,
    Offer,
    Request,
    RequestQuerySet,
    RequestSeries,
)
from requests_app.models.claims import stale_condition
from requests_app.models.exports import APPROVAL_WINDOW
from requests_app.models.requests import expiring_condition

# Public fields only, so a list can never carry contact details. They are also
# all a request row shows (pods/_request_row.html), so they key its cache.
LIST_FIELDS = (
    "pk",
    "pod_id",
    "category",
    "summary",
    "area",
    "status",
    "hidden",
    "created_at",
    "expires_on",
    "possible_duplicate_of_id",
    "series_id",
)


class RowCount(Subquery):
    """``(SELECT COUNT(*) FROM (queryset))``: the rows ``queryset.count()`` would
    count, as one more column of another queryset's ``aggregate()``, so that many
    counts cost one query. It never refers to the outer rows (no OuterRef): one
    value for the whole query, which is what an aggregate is."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()
    contains_aggregate = True  # so that aggregate() takes it

    def __init__(self, queryset: QuerySet[Any]) -> None:
        super().__init__(queryset.order_by().values("pk"))


# The request queues, in the order a coordinator takes them.
QUEUE_KEYS = ("new", "open", "stale", "expiring", "duplicates", "handovers")


@dataclass(frozen=True)
class CoordinatorQueues:
    """The queues of one pod (or of every pod, when ``pod`` is None) at ``now``.

    Each request queue is a queryset of public fields in the order a coordinator
    takes it: oldest first, longest without news first, soonest to expire first.
    """

    pod: Pod | None
    now: datetime.datetime

    # The queues counts() always counts; any other by asking.
    COUNTED = ("new", "open", "expiring", "stale")

    @property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)

    def _requests(self) -> RequestQuerySet:
        requests = Request.objects.all() if self.pod is None else self.pod.requests.all()
        return requests.only(*LIST_FIELDS)

    @property
    def new(self) -> RequestQuerySet:
        return self._requests().filter(status=Request.Status.NEW).oldest_first()

    @property
    def open(self) -> RequestQuerySet:
        return self._requests().filter(status=Request.Status.OPEN).oldest_first()

    @property
    def expiring(self) -> RequestQuerySet:
        return self._requests().expiring(self.today).order_by("expires_on", "pk")

    @property
    def stale_claims(self) -> ClaimQuerySet:
        """Active claims with no news for the pod's stale period (ClaimQuerySet.stale)."""
        return Claim.objects.stale(self.now, pod=self.pod)

    @property
    def claims_to_release(self) -> ClaimQuerySet:
        """Stale claims nudged the pod's ``release_after_stale_days`` ago, with no
        news since (ClaimQuerySet.due_for_release): housekeeping releases them."""
        return Claim.objects.due_for_release(self.now, pod=self.pod)

    @property
    def stale(self) -> RequestQuerySet:
        """The requests of the stale claims, longest without news first, read in
        that order from the claim_pod_active index (pod, progress_at, request).
        An active claim means the request is claimed: no status test needed."""
        return (
            self._requests()
            .filter(stale_condition(self.now, pod=self.pod, prefix="claims__"))
            .order_by("claims__progress_at", "pk")
        )

    @property
    def duplicates(self) -> RequestQuerySet:
        """Active requests that may repeat another active one (the same phone or
        email), oldest first."""
        return (
            self._requests()
            .filter(
                status__in=Request.ACTIVE_STATUSES,
                possible_duplicate_of__status__in=Request.ACTIVE_STATUSES,
            )
            .oldest_first()
        )

    @property
    def handovers(self) -> RequestQuerySet:
        """Claimed requests someone offered to take over, oldest first."""
        return (
            self._requests()
            .filter(status=Request.Status.CLAIMED, handovers__status=Handover.Status.PENDING)
            .oldest_first()
        )

    def requests(self, key: str) -> RequestQuerySet:
        """One request queue by its key (QUEUE_KEYS)."""
        if key not in QUEUE_KEYS:
            raise KeyError(key)
        queue: RequestQuerySet = getattr(self, key)
        return queue

    def counts(self, **more: QuerySet[Any]) -> dict[str, int]:
        """The size of each request queue, and of each queryset in ``more`` (by
        its name), in one query. New, open and about-to-expire requests in one
        pass over the pod's active requests (the request_pod_expiring index),
        stale claims from the claim_pod_active index, each of ``more`` as a
        ``SELECT COUNT(*)`` of exactly that queryset: closed requests, however
        many years of them, are never read."""
        new, open_ = Request.Status.NEW, Request.Status.OPEN
        requests = Request.objects.all() if self.pod is None else self.pod.requests.all()
        counts: dict[str, int] = requests.filter(status__in=(new, open_)).aggregate(
            new=Count("status", filter=Q(status=new)),
            open=Count("status", filter=Q(status=open_)),
            expiring=Count("status", filter=expiring_condition(self.today)),
            stale=RowCount(self.stale_claims),
            **{name: RowCount(queryset) for name, queryset in more.items()},
        )
        return counts

    def reports(self, coordinator: Person) -> ReportQuerySet:
        """The pod's open reports that ``coordinator`` may see (never those about
        themselves: pods.access.may_see_report)."""
        reports = Report.objects.open().visible_to(coordinator)
        return reports if self.pod is None else reports.filter(pod=self.pod)


def coordinator_queues(pod: Pod | None, now: datetime.datetime) -> CoordinatorQueues:
    """What needs a coordinator of ``pod`` (None: of any pod) at ``now``."""
    return CoordinatorQueues(pod=pod, now=now)


# --- The coordinator dashboard: every tile's number and the queues' first rows ------

# The dashboard's tiles, counted by dashboard_queues (and by CoordinatorQueues.counts
# with dashboard_more's querysets: tests/requests_app/test_dashboard_queues.py).
DASHBOARD_COUNTS = (
    *CoordinatorQueues.COUNTED,
    "reports",
    "connections",
    "handovers",
    "series",
    "exports_pending",
)


def dashboard_more(queues: CoordinatorQueues, coordinator: Person) -> dict[str, QuerySet[Any]]:
    """What the dashboard counts besides the request queues, as the querysets that
    hold each rule: the reports ``coordinator`` may see, asks waiting for an
    offer's owner, hand-overs waiting for the helper, needs that come back, and
    the pod's pending contact exports. Which of those ``coordinator`` may
    approve is ContactExport.approvers' rule alone: the dashboard asks
    ``ContactExport.objects.awaiting`` for them when any is pending."""
    pod = queues.pod
    assert pod is not None  # noqa: S101  # nosec B101 - the dashboard is one pod's
    return {
        "reports": queues.reports(coordinator),
        "connections": Connection.objects.pending().filter(pod=pod),
        "handovers": Handover.objects.pending().filter(pod=pod),
        "series": RequestSeries.objects.current().filter(pod=pod),
        "exports_pending": ContactExport.objects.pending(now=queues.now).filter(pod=pod),
    }


def dashboard_queues(
    queues: CoordinatorQueues, coordinator: Person, *, preview: int
) -> tuple[dict[str, int], dict[str, list[Request]]]:
    """Every tile's number (DASHBOARD_COUNTS) and the first ``preview`` rows of
    each request queue (public fields, LIST_FIELDS), for one pod's dashboard:
    two statements, the second only when a queue has rows.

    The same answer as ``queues.counts(**dashboard_more(queues, coordinator))``
    and ``queues.requests(key)[:preview]``, which the digest and housekeeping
    use. Through the ORM that is fourteen query parts to build and compile, most
    of the page's CPU (issue 18); here the statements are made once per database
    vendor from the models' tables, with the statuses written in (so that a
    prepared statement's generic plan can use the partial indexes) and every
    other value bound. tests/requests_app/test_dashboard_queues.py compares the
    two on data with something in, and just outside, every queue.
    """
    pod = queues.pod
    assert pod is not None  # noqa: S101  # nosec B101 - the dashboard is one pod's
    alias = router.db_for_read(Request)
    connection = connections[alias]
    sql = _DASHBOARD_SQL.get(connection.vendor)
    if sql is None:
        sql = _DASHBOARD_SQL[connection.vendor] = _dashboard_sql(connection)
    ops = connection.ops
    today = queues.today
    params = {
        "pod": pod.pk,
        "person": coordinator.pk,
        # expiring_condition, stale_condition and ContactExportQuerySet.pending.
        "expiring_from": ops.adapt_datefield_value(today),
        "expiring_to": ops.adapt_datefield_value(
            today + datetime.timedelta(days=settings.REQUEST_EXPIRING_DAYS)
        ),
        "stale_before": ops.adapt_datetimefield_value(
            queues.now - datetime.timedelta(days=pod.stale_claim_days)
        ),
        "exports_after": ops.adapt_datetimefield_value(queues.now - APPROVAL_WINDOW),
        "preview": preview,
    }
    rows: dict[str, list[Request]] = {key: [] for key in CoordinatorQueues.COUNTED}
    with connection.cursor() as cursor:
        cursor.execute(sql["counts"], params)
        counts = dict(zip(DASHBOARD_COUNTS, cursor.fetchone(), strict=True))
        if not any(counts[key] for key in CoordinatorQueues.COUNTED):
            return counts, rows
        cursor.execute(sql["rows"], params)
        found = cursor.fetchall()
    fields = _list_fields()
    converters = _converters(fields, connection)
    # The claim's last news for a stale claim, else when the request was posted.
    queued = Claim._meta.get_field("progress_at")
    (queued_converters,) = _converters([queued], connection)
    loaded = []
    for queue, queued_at, *values in found:
        for convert in queued_converters:
            queued_at = convert(queued_at, queued.cached_col, connection)
        req = _from_values(Request, fields, converters, values, alias, connection)
        # Each queue in its own order, as CoordinatorQueues orders it (each part of
        # the statement is read in that order, but a UNION ALL promises none).
        order = (req.expires_on, req.pk) if queue == "expiring" else (queued_at, req.pk)
        loaded.append((queue, order, req))
    for queue, _key, req in sorted(loaded, key=lambda row: (row[0], row[1])):
        rows[queue].append(req)
    return counts, rows


_DASHBOARD_SQL: dict[str, dict[str, str]] = {}


def _list_fields() -> list[Any]:
    """LIST_FIELDS in the model's own order, as Model.from_db takes them."""
    wanted = {"id" if name == "pk" else name for name in LIST_FIELDS}
    return [field for field in Request._meta.concrete_fields if field.attname in wanted]


def _dashboard_sql(connection: BaseDatabaseWrapper) -> dict[str, str]:
    quote = connection.ops.quote_name
    request, claim, report, ask, handover, series, export = (
        quote(model._meta.db_table)
        for model in (Request, Claim, Report, Connection, Handover, RequestSeries, ContactExport)
    )
    new, open_ = Request.Status.NEW.value, Request.Status.OPEN.value
    active = Claim.Status.ACTIVE.value
    # Table names from the models' meta, statuses from their choices; every other
    # value is bound.
    counts = (
        "SELECT "  # noqa: S608  # nosec B608
        f"COUNT(CASE WHEN r.status = '{new}' THEN 1 END), "
        f"COUNT(CASE WHEN r.status = '{open_}' THEN 1 END), "
        "COUNT(CASE WHEN r.expires_on >= %(expiring_from)s AND r.expires_on <= %(expiring_to)s "
        "THEN 1 END), "
        f"(SELECT COUNT(*) FROM {claim} c WHERE c.status = '{active}' AND c.pod_id = %(pod)s "
        "AND c.progress_at <= %(stale_before)s), "
        f"(SELECT COUNT(*) FROM {report} WHERE status = '{Report.Status.OPEN.value}' "
        "AND pod_id = %(pod)s "
        "AND (reported_person_id IS NULL OR reported_person_id <> %(person)s)), "
        f"(SELECT COUNT(*) FROM {ask} WHERE status = '{Connection.Status.PENDING.value}' "
        "AND pod_id = %(pod)s), "
        f"(SELECT COUNT(*) FROM {handover} WHERE status = '{Handover.Status.PENDING.value}' "
        "AND pod_id = %(pod)s), "
        f"(SELECT COUNT(*) FROM {series} WHERE status <> '{RequestSeries.Status.ENDED.value}' "
        "AND pod_id = %(pod)s), "
        f"(SELECT COUNT(*) FROM {export} WHERE approved_at IS NULL AND declined_at IS NULL "
        "AND created_at > %(exports_after)s AND pod_id = %(pod)s) "
        f"FROM {request} r WHERE r.pod_id = %(pod)s AND r.status IN ('{new}', '{open_}')"
    )
    columns = ", ".join(f"r.{quote(str(field.column))}" for field in _list_fields())
    parts = {
        "new": f"FROM {request} r WHERE r.pod_id = %(pod)s AND r.status = '{new}' "
        "ORDER BY r.created_at, r.id",
        "open": f"FROM {request} r WHERE r.pod_id = %(pod)s AND r.status = '{open_}' "
        "ORDER BY r.created_at, r.id",
        "stale": f"FROM {request} r INNER JOIN {claim} c ON c.request_id = r.id "
        f"WHERE r.pod_id = %(pod)s AND c.status = '{active}' AND c.pod_id = %(pod)s "
        "AND c.progress_at <= %(stale_before)s ORDER BY c.progress_at, r.id",
        "expiring": f"FROM {request} r WHERE r.pod_id = %(pod)s "
        "AND r.expires_on >= %(expiring_from)s AND r.expires_on <= %(expiring_to)s "
        f"AND r.status IN ('{new}', '{open_}') ORDER BY r.expires_on, r.id",
    }
    rows = " UNION ALL ".join(
        f"SELECT * FROM (SELECT '{key}' AS queue, "  # noqa: S608  # nosec B608
        f"{'c.progress_at' if key == 'stale' else 'r.created_at'} AS queued_at, {columns} "
        f"{part} LIMIT %(preview)s) {key}_rows"
        for key, part in parts.items()
    )
    return {"counts": counts, "rows": rows}


# --- A request's page: the request, its pod and the viewer's claim, one query -------


def request_with_claim(pk: int, helper_id: int | None) -> tuple[Request, Claim | None]:
    """The request ``pk`` with its pod, and the claim of ``helper_id`` on it that
    ``access.request_viewer`` goes by: their latest one that was not released
    (None for a visitor, or for someone who holds none). Raises
    ``Request.DoesNotExist``.

    A request's page and a claim start with exactly this. Through the ORM it is
    two queries whose building and compiling cost more app CPU than the page's
    template (issue 18); here it is one statement, made from the models' own
    tables and columns, every value bound, on the database the router picks,
    each value through the same converters the ORM applies.
    tests/requests_app/test_request_with_claim.py checks it against the ORM.
    """
    if not _ID_MIN <= pk <= _ID_MAX:
        # An address no row can have (the ORM answers the same; SQLite would refuse it).
        raise Request.DoesNotExist(f"No request {pk}.")
    alias = router.db_for_read(Request)
    connection = connections[alias]
    sql = _REQUEST_WITH_CLAIM_SQL.get(connection.vendor)
    if sql is None:
        sql = _REQUEST_WITH_CLAIM_SQL[connection.vendor] = _request_with_claim_sql(connection)
    with connection.cursor() as cursor:
        # A visitor (None) matches no claim: "helper_id = NULL" is never true.
        cursor.execute(sql, [helper_id, Claim.Status.RELEASED.value, pk])
        row = cursor.fetchone()
    if row is None:
        raise Request.DoesNotExist(f"No request {pk}.")
    request = _from_row(Request, row, 0, alias, connection)
    request.pod = _from_row(Pod, row, _PAGE_COLUMNS[0], alias, connection)
    claim_start = _PAGE_COLUMNS[0] + _PAGE_COLUMNS[1]
    if row[claim_start] is None:
        return request, None
    claim = _from_row(Claim, row, claim_start, alias, connection)
    claim.request = request
    return request, claim


_M = TypeVar("_M", bound=Model)
_ID_MIN, _ID_MAX = -(2**63), 2**63 - 1  # a BigAutoField's range
_PAGE_COLUMNS = tuple(len(model._meta.concrete_fields) for model in (Request, Pod, Claim))
_REQUEST_WITH_CLAIM_SQL: dict[str, str] = {}


def _request_with_claim_sql(connection: BaseDatabaseWrapper) -> str:
    quote = connection.ops.quote_name

    def columns(model: type[Model], table: str) -> list[str]:
        return [f"{table}.{quote(str(field.column))}" for field in model._meta.concrete_fields]

    def column(model: type[Model], name: str) -> str:
        return quote(next(str(f.column) for f in model._meta.concrete_fields if f.name == name))

    select = ", ".join(columns(Request, "r") + columns(Pod, "p") + columns(Claim, "c"))
    requests, pods, claims = (quote(m._meta.db_table) for m in (Request, Pod, Claim))
    # access.request_viewer's claim: not released, the latest first.
    latest = (
        f"SELECT c2.{column(Claim, 'id')} FROM {claims} c2 "  # noqa: S608  # nosec B608
        f"WHERE c2.{column(Claim, 'request')} = r.{column(Request, 'id')} "
        f"AND c2.{column(Claim, 'helper')} = %s "
        f"AND c2.{column(Claim, 'status')} <> %s "
        f"ORDER BY c2.{column(Claim, 'created_at')} DESC, c2.{column(Claim, 'id')} DESC "
        "LIMIT 1"
    )
    # Table and column names from the models' meta; every value is bound.
    return (
        f"SELECT {select} FROM {requests} r "  # noqa: S608  # nosec B608
        f"INNER JOIN {pods} p ON p.{column(Pod, 'id')} = r.{column(Request, 'pod')} "
        f"LEFT OUTER JOIN {claims} c ON c.{column(Claim, 'id')} = ({latest}) "
        f"WHERE r.{column(Request, 'id')} = %s"
    )


def _converters(fields: list[Any], connection: BaseDatabaseWrapper) -> list[list[Any]]:
    """The converters the ORM applies to each of ``fields`` when it reads them."""
    return [
        connection.ops.get_db_converters(field.cached_col)
        + field.cached_col.get_db_converters(connection)
        for field in fields
    ]


def _from_values(
    model: type[_M],
    fields: list[Any],
    converters: list[list[Any]],
    values: list[Any],
    alias: str,
    connection: BaseDatabaseWrapper,
) -> _M:
    """An instance of ``model`` with only ``fields`` loaded (like ``only()``)."""
    for index, field in enumerate(fields):
        for convert in converters[index]:
            values[index] = convert(values[index], field.cached_col, connection)
    return model.from_db(alias, [field.attname for field in fields], values)


def _from_row(
    model: type[_M], row: tuple[Any, ...], start: int, alias: str, connection: BaseDatabaseWrapper
) -> _M:
    """An instance of ``model`` from its columns in ``row``, as the ORM makes it."""
    fields = list(model._meta.concrete_fields)
    values = list(row[start : start + len(fields)])
    return _from_values(model, fields, _converters(fields, connection), values, alias, connection)


# --- Posting: the newest request sharing a contact, compiled once ---------------------


def newest_sharing_contact(
    *, pod_id: int, phone_key: str, email_key: str, now: datetime.datetime
) -> int | None:
    """The id of the first row of ``Request.objects.sharing_contact(...)`` with
    these keys (the newest possible duplicate in the pod), or None: what a new
    request is marked with when it is posted.

    Every post asks it. Built and compiled per post, the rule's query costs
    ~0.55 ms of app CPU (the join and the OR of keys), a tenth of posting's
    budget (issue 18); here it is the same queryset compiled once per kind of
    contact given (mutualaid/compiled.py), run with its values.
    tests/requests_app/test_duplicates.py checks it against the queryset.
    """
    if not phone_key and not email_key:
        return None
    values: dict[str, Any] = {"pod": pod_id, "now": now}
    if phone_key:
        values["phone_key"] = phone_key
    if email_key:
        values["email_key"] = email_key
    row = _newest_sharing_contact(bool(phone_key), bool(email_key)).first(**values)
    return None if row is None else int(row[0])


@functools.cache
def _newest_sharing_contact(phone: bool, email: bool) -> CompiledQuery:
    newest = Request.objects.sharing_contact(
        pod=Param("pod", BigIntegerField()),  # type: ignore[arg-type]
        phone_key=Param("phone_key", CharField()) if phone else "",  # type: ignore[arg-type]
        email_key=Param("email_key", CharField()) if email else "",  # type: ignore[arg-type]
        now=Param("now", DateTimeField()),  # type: ignore[arg-type]
    )
    return CompiledQuery(newest.values_list("pk")[:1])


# --- My page: a person's own lists, each query compiled once -----------------------
#
# The rules stay on the querysets (KeepHelping.objects.pending(),
# Proposal.objects.awaiting_response_from(), Connection.objects.pending()...); each
# list is that queryset, of what the page shows, compiled once and run with the
# person's key (mutualaid/compiled.py: only the SQL is kept, never a row).
# tests/requests_app/test_my_page_lists.py checks each against the ORM.

MY_PAGE_ITEMS = 20  # requests, offers, claims
MY_PAGE_ASKS = 10  # keep-helping asks, proposals
_PERSON = Param("person", IntegerField())

_MY_REQUESTS = CompiledQuery(
    Request.objects.filter(requester_id=_PERSON)
    .order_by("-created_at")
    .values("pk", "summary", "status", "created_at", pod_name=F("pod__name"))[:MY_PAGE_ITEMS]
)
# Matching reads the offers themselves (their pod, category, languages...).
_MY_OFFERS = CompiledQuery(
    Offer.objects.filter(owner_id=_PERSON)
    .exclude(status=Offer.Status.CLOSED)
    .annotate(pod_name=F("pod__name"))
    .order_by("-created_at")[:MY_PAGE_ITEMS]
)
_MY_CLAIMS = CompiledQuery(
    Claim.objects.filter(helper_id=_PERSON)
    .exclude(status=Claim.Status.RELEASED)
    .order_by("-created_at")
    .values(
        "status",
        "created_at",
        "nudged_at",
        "request_id",
        summary=F("request__summary"),
        pod_name=F("pod__name"),
    )[:MY_PAGE_ITEMS]
)
_MY_KEEP_HELPING = CompiledQuery(
    KeepHelping.objects.pending()
    .filter(helper_id=_PERSON)
    .order_by("created_at")
    .values("pk", summary=F("after__summary"), frequency=F("series__frequency"))[:MY_PAGE_ASKS]
)
_MY_PROPOSALS = CompiledQuery(
    Proposal.objects.awaiting_response_from(_PERSON)
    .order_by("deadline", "pk")
    .values(
        "pk",
        "title",
        "deadline",
        "change",
        "person_id",
        "amended_at",
        pod_slug=F("pod__slug"),
        pod_name=F("pod__name"),
    )[:MY_PAGE_ASKS]
)
_MY_PODS = CompiledQuery(Pod.objects.of_member(_PERSON).values("slug", "name"))
_MY_PENDING_ASKS = CompiledQuery(
    Connection.objects.pending()
    .filter(offer__owner_id=_PERSON)
    .order_by()
    .values("offer__owner_id")
    .annotate(count=Count("pk"))
)


def my_requests(person_id: int) -> list[dict[str, Any]]:
    """The person's latest requests: pk, summary, status, created_at, pod_name."""
    rows: list[dict[str, Any]] = _MY_REQUESTS.all(person=person_id)
    return rows


def my_offers(person_id: int) -> list[Offer]:
    """The person's latest offers that are not closed, each with ``pod_name``."""
    offers: list[Offer] = _MY_OFFERS.all(person=person_id)
    return offers


def my_claims(person_id: int) -> list[dict[str, Any]]:
    """The person's latest claims that were not released: status, created_at,
    nudged_at, request_id, the request's summary, pod_name."""
    rows: list[dict[str, Any]] = _MY_CLAIMS.all(person=person_id)
    return rows


def my_keep_helping(person_id: int) -> list[dict[str, Any]]:
    """Asks to keep helping that wait for the person's answer: pk, summary, frequency."""
    rows: list[dict[str, Any]] = _MY_KEEP_HELPING.all(person=person_id)
    return rows


def my_proposals(person_id: int) -> list[dict[str, Any]]:
    """Open proposals waiting for the person's response, soonest deadline first."""
    rows: list[dict[str, Any]] = _MY_PROPOSALS.all(person=person_id)
    return rows


def my_pods(person_id: int) -> list[dict[str, Any]]:
    """The person's pods (slug, name), by name."""
    rows: list[dict[str, Any]] = _MY_PODS.all(person=person_id)
    return rows


def pending_asks_count(person_id: int) -> int:
    """How many coordinators' asks (connections) wait for the person's answer."""
    row = _MY_PENDING_ASKS.first(person=person_id)
    return int(row["count"]) if row else 0
