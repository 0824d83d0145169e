"""The board's and the dashboard's queries use an index at city scale, never a
scan of every request."""

import json

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from psycopg.sql import Literal

from pods.models import Membership, Pod
from requests_app.models import Connection, Handover
from requests_app.selectors import coordinator_queues
from requests_app.services import due_check_ins

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

REQUESTS = "requests_app_request"


def plan_nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def explain(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        document = cursor.fetchone()[0]
    if isinstance(document, str):
        document = json.loads(document)
    return list(plan_nodes(document[0]["Plan"]))


def sequential_scans_of_requests(nodes):
    return [n for n in nodes if n["Node Type"] == "Seq Scan" and n["Relation Name"] == REQUESTS]


def index_names(nodes):
    return {node["Index Name"] for node in nodes if "Index Name" in node}


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """100,000 requests, seeded once for the module and removed after it; the pod
    returned has over 50,000 of them, so its board has more than 50 pages."""
    with django_db_blocker.unblock():
        call_command("seed", requests=100_000, pods=3, people=2_000, seed=8, stdout=None)
        yield Pod.objects.get(slug="seed-8-0002")
        call_command("flush", interactive=False, verbosity=0)


def board_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured if REQUESTS in query["sql"]]


@pytest.mark.parametrize("page", [1, 50])
def test_board_page_uses_an_index_not_a_sequential_scan_and_counts_nothing(client, city, page):
    queries = board_queries(client, f"/pods/{city.slug}/board/?page={page}")
    # The page itself, 21 rows: no COUNT for the pager (mutualaid/pagination.py).
    assert len(queries) == 1
    (page_sql,) = queries
    assert "COUNT(" not in page_sql.upper()
    assert "LIMIT 21" in page_sql
    assert f"OFFSET {(page - 1) * 20}" in page_sql or page == 1
    for sql in queries:
        nodes = explain(sql)
        assert not sequential_scans_of_requests(nodes), sql
        assert index_names(nodes), sql
    # The page is read in board order from one of the board's indexes. Which of the two
    # the planner picks varies with its statistics (seen in full-suite runs), so either
    # passes; what matters is no sequential scan and no sort of the whole pod.
    page_nodes = explain(page_sql)
    assert index_names(page_nodes) & {"request_board_open", "request_board"}, page_sql
    assert not [n for n in page_nodes if n["Node Type"] == "Sort"], page_sql


def test_filtered_board_still_uses_an_index(client, city):
    queries = board_queries(client, f"/pods/{city.slug}/board/?category=meal&language=es")
    for sql in queries:
        nodes = explain(sql)
        assert not sequential_scans_of_requests(nodes), sql
        assert index_names(nodes), sql


def test_dashboard_queues_are_read_from_indexes_in_their_order(client, city):
    coordinator = Membership.objects.filter(pod=city, role=Membership.Role.COORDINATOR).first()
    client.force_login(coordinator.person)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/pods/{city.slug}/dashboard/")
    assert response.status_code == 200
    sections = {s["key"]: s for s in response.context["sections"]}
    # The seeded pod has thousands in each queue: a sort would be of thousands.
    assert sections["stale"]["count"] > 100 and sections["expiring"]["count"] > 100
    queries = [q["sql"] for q in captured if REQUESTS in q["sql"]]
    for sql in queries:
        nodes = explain(sql)
        assert not sequential_scans_of_requests(nodes), sql
        assert index_names(nodes), sql
    # The queues' first rows are one statement (selectors.dashboard_queues), each
    # part read in its queue's order from an index: stale claims from
    # claim_pod_active, about to expire from request_pod_expiring, no Sort of all.
    (rows,) = [sql for sql in queries if "UNION ALL" in sql]
    nodes = explain(rows)
    assert not [n for n in nodes if n["Node Type"] == "Sort"], rows
    assert {"claim_pod_active", "request_pod_expiring"} <= index_names(nodes), rows


def generic_plan(sql, params):
    """The plan PostgreSQL keeps for ``sql`` as a prepared statement once it
    stops planning for each execution's values (what prepared statements do)."""
    for number in range(1, len(params) + 1):
        sql = sql.replace("%s", f"${number}", 1)
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        try:
            cursor.execute(f"PREPARE board_rows AS {sql}")
            values = ", ".join(Literal(p).as_string(connection.connection) for p in params)
            arguments = f"({values})" if params else ""
            cursor.execute(f"EXPLAIN (FORMAT JSON) EXECUTE board_rows{arguments}")
            document = cursor.fetchone()[0]
        finally:
            cursor.execute("DEALLOCATE ALL")
            cursor.execute("RESET plan_cache_mode")
    if isinstance(document, str):
        document = json.loads(document)
    return list(plan_nodes(document[0]["Plan"]))


def generic_plan_of(queryset):
    """generic_plan of the statement ``queryset`` sends."""
    return generic_plan(*queryset.query.sql_with_params())


def keep_only_index(table, index):
    """Drop every index of ``table`` but ``index`` and those behind a constraint,
    inside the test's transaction (rolled back after it).

    Which of several usable indexes wins depends on the statistics the suite's
    other tests leave; what the ``__is`` lookup changes is whether a partial index
    is usable at all. Without the others, a plan that cannot use it must scan the
    whole table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND c.relname <> %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
            [table, index],
        )
        others = [row[0] for row in cursor.fetchall()]
        for name in others:
            cursor.execute(f'DROP INDEX "{name}"')


def vacuum_analyze(table):
    """As autovacuum leaves a table that has settled (the seed ran inside a
    transaction here): pages all-visible, statistics fresh."""
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as direct:
        direct.execute(f"VACUUM ANALYZE {table}")


def sequential_scans(nodes, table):
    return [n for n in nodes if n["Node Type"] == "Seq Scan" and n["Relation Name"] == table]


def test_a_deep_board_page_keeps_its_index_on_a_generic_plan(city):
    # The status is written into the SQL (mutualaid/lookups.py): bound as a
    # parameter, the generic plan could not use the partial index at all.
    from requests_app.views.board import board_rows

    # Pages all-visible, so an index-only scan is worth choosing.
    vacuum_analyze(REQUESTS)
    keep_only_index(REQUESTS, "request_board_open")
    # The statement the board sends for its page 50 (views.board, compiled once).
    nodes = generic_plan(*board_rows("", "").bind(pod=city.pk).sql_with_params(slice(980, 1001)))
    # Whether it then reads the index in order or sorts a bitmap scan of it is
    # the planner's choice on the statistics of the moment (a whole-suite run
    # saw both); what the lookup decides is that the index is used at all.
    assert "request_board_open" in index_names(nodes)
    assert not sequential_scans_of_requests(nodes)


# The other partial indexes: their statuses are written into the SQL as well
# (mutualaid/lookups.py), so that a prepared statement's generic plan can use them.


def test_the_expiring_queue_keeps_its_index_on_a_generic_plan(city):
    # Bound, "status IN ($2, $3)" cannot prove request_pod_expiring's condition:
    # the plan scanned the pod's requests by request_pod_expiry and sorted them.
    # (Whether it reads the partial index in order or sorts a bitmap scan of it is
    # the planner's choice, as for the board; the lookup decides it is usable.)
    vacuum_analyze(REQUESTS)
    keep_only_index(REQUESTS, "request_pod_expiring")
    queue = coordinator_queues(city, timezone.now()).expiring
    for page in (queue[:10], queue[25:50]):
        nodes = generic_plan_of(page)
        assert "request_pod_expiring" in index_names(nodes)
        assert not sequential_scans_of_requests(nodes)


def test_housekeepings_check_ins_keep_their_index_on_a_generic_plan(city):
    # Bound, the statuses left request_check_in_due unusable: a scan of every
    # request (2.7 s on the seeded 100,000 as a generic plan; 25 ms written in).
    vacuum_analyze(REQUESTS)
    keep_only_index(REQUESTS, "request_check_in_due")
    nodes = generic_plan_of(due_check_ins(now=timezone.now()).values("pk"))
    assert "request_check_in_due" in index_names(nodes)
    assert not sequential_scans_of_requests(nodes)


@pytest.fixture
def many_answered(city):
    """Thousands of hand-overs and asks long answered, a few still pending (as a
    pod's history looks after a while): inside the test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO requests_app_handover "
            "(claim_id, request_id, pod_id, asked_by_id, status, created_at, answer_by) "
            "SELECT c.id, c.request_id, c.pod_id, c.helper_id, "
            "CASE WHEN row_number() OVER (ORDER BY c.id) <= 5 THEN 'pending' ELSE 'kept' END, "
            "now(), now() FROM requests_app_claim c WHERE c.helper_id IS NOT NULL"
        )
        cursor.execute(
            "INSERT INTO requests_app_connection "
            "(request_id, offer_id, pod_id, status, created_at) "
            "SELECT r.id, o.id, r.pod_id, "
            "CASE WHEN row_number() OVER (ORDER BY r.id) <= 5 THEN 'pending' ELSE 'declined' END, "
            "now() FROM requests_app_request r "
            "JOIN requests_app_offer o ON o.pod_id = r.pod_id AND o.id % 50 = r.id % 50 "
            "WHERE r.id % 10 = 0"
        )
        for table in ("requests_app_handover", "requests_app_connection"):
            cursor.execute(f"ANALYZE {table}")  # sees the transaction's own rows
    assert Handover.objects.count() > 1000 and Connection.objects.count() > 1000


@pytest.mark.parametrize(
    ("name", "table", "index"),
    [
        ("hand-overs past their answer date", "requests_app_handover", "handover_due"),
        ("an offer's pending asks", "requests_app_connection", "one_pending_connection_per_pair"),
    ],
)
def test_pending_hand_overs_and_asks_keep_their_index_on_a_generic_plan(
    many_answered, name, table, index
):
    request_id, offer_id = Connection.objects.values_list("request_id", "offer_id").first()
    queryset = {
        "handover_due": Handover.objects.pending().filter(answer_by__lte=timezone.now()),
        # services.connect_offer: is this pair's ask still waiting?
        "one_pending_connection_per_pair": Connection.objects.pending().filter(
            request_id=request_id, offer_id=offer_id
        ),
    }[index]
    keep_only_index(table, index)
    nodes = generic_plan_of(queryset.values("pk"))
    assert index in index_names(nodes), name
    assert not sequential_scans(nodes, table), name
