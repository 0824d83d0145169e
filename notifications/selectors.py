"""Who hears of what, where a hot path asks it.

``offers_to_tell_at_once(request)`` is the rule: the offers whose owners hear of
a new request on the board at once. Every request that goes on the board asks
it (posting one, approving one), and nearly always nobody chose "at once" for
that pod and kind of help. Through the ORM even that empty answer costs ~0.9 ms
of app CPU, the building and compiling of three tables' joins (issue 18);
``anyone_to_tell_at_once(request)`` asks the same through a cursor for
~0.05 ms, and only a yes runs the ORM's query.
tests/notifications/test_selectors.py checks the two agree, condition by
condition.
"""

from __future__ import annotations

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet

from notifications.models import NotificationPreference
from pods.models import Membership
from requests_app.models import Offer, Request


def offers_to_tell_at_once(request: Request) -> QuerySet[Offer]:
    """Available, visible offers of the request's pod and kind of help whose owners
    chose to hear of matches at once and still belong to the pod, the requester's
    own left out; owner by owner, the longest-lasting offer first."""
    offers = (
        Offer.objects.available()
        .filter(pod_id=request.pod_id, category=request.category, hidden=False)
        .filter(
            owner__notification_preference__offer_matches=(
                NotificationPreference.OfferMatches.AT_ONCE
            ),
            owner__memberships__pod_id=request.pod_id,
        )
        .select_related("owner")
        .order_by("owner_id", "-expires_on")
    )
    if request.requester_id is not None:
        offers = offers.exclude(owner_id=request.requester_id)
    return offers


def anyone_to_tell_at_once(request: Request) -> bool:
    """Whether ``offers_to_tell_at_once(request)`` has any row: one statement,
    made from the models' own tables and columns, every value bound, on the
    database the router picks for the ORM's query."""
    alias = router.db_for_read(Offer)
    connection = connections[alias]
    own = request.requester_id is not None
    sql = _ANYONE_SQL.get((connection.vendor, own))
    if sql is None:
        sql = _ANYONE_SQL[connection.vendor, own] = _anyone_sql(connection, leave_out_own=own)
    params: list[str | int | bool | None] = [
        Offer.Status.ACTIVE.value,
        request.pod_id,
        request.category,
        False,
        NotificationPreference.OfferMatches.AT_ONCE.value,
        request.pod_id,
    ]
    if own:
        params.append(request.requester_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


_ANYONE_SQL: dict[tuple[str, bool], str] = {}


def _anyone_sql(connection: BaseDatabaseWrapper, *, leave_out_own: bool) -> str:
    quote = connection.ops.quote_name

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    def column(model: type[Model], name: str) -> str:
        return quote(str(model._meta.get_field(name).column))  # type: ignore[union-attr]

    owner = f"o.{column(Offer, 'owner')}"
    # Table and column names from the models' meta; every value is bound.
    sql = (
        f"SELECT 1 FROM {table(Offer)} o "  # noqa: S608  # nosec B608
        f"INNER JOIN {table(NotificationPreference)} np "
        f"ON np.{column(NotificationPreference, 'person')} = {owner} "
        f"WHERE o.{column(Offer, 'status')} = %s AND o.{column(Offer, 'pod')} = %s "
        f"AND o.{column(Offer, 'category')} = %s AND o.{column(Offer, 'hidden')} = %s "
        f"AND np.{column(NotificationPreference, 'offer_matches')} = %s "
        f"AND EXISTS (SELECT 1 FROM {table(Membership)} m "
        f"WHERE m.{column(Membership, 'person')} = {owner} "
        f"AND m.{column(Membership, 'pod')} = %s)"
    )
    if leave_out_own:
        sql += f" AND {owner} <> %s"
    return sql + " LIMIT 1"
