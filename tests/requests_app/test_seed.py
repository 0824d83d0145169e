"""manage.py seed on a connection that has lived a while, as a test run's has.

Django's foreign keys are checked at COMMIT, each row with a plan PostgreSQL
keeps on the connection, made the last time the referenced table's statistics
changed. If that was while the table was nearly empty, the plan reads the whole
table for every row: the COMMIT of test_explain's 100,000 seeded requests once
took 20+ minutes. The seed analyzes its tables before committing, so the checks
use the primary key (docs/scaling.md)."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from requests_app import services
from requests_app.models import Request
from tests.factories import make_person, make_pod, make_request

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SMALL = "pods_pod, pods_person, pods_membership, requests_app_request, requests_app_requestcontact"
CHECK_OF_A_REQUEST = 'FROM ONLY "public"."requests_app_request" x WHERE "id" OPERATOR'


def nearly_empty_tables_with_their_checks_planned():
    """What autovacuum and a few committed transactions leave behind in a test run:
    the tables vacuumed with no live rows, then each foreign key checked often
    enough for PostgreSQL to keep one plan for it (after five)."""
    pod = make_pod()
    people = [make_person(pods=[pod]) for _ in range(3)]
    make_request(pod)
    Request.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {SMALL}")
    for number in range(7):
        with transaction.atomic():
            request, _token = make_request(pod)
            services.claim_request(request=request, by=people[number % 3])


def test_the_seed_checks_its_foreign_keys_through_the_primary_key():
    nearly_empty_tables_with_their_checks_planned()
    plans = []
    connection.ensure_connection()
    connection.connection.add_notice_handler(lambda notice: plans.append(notice.message_primary))
    with connection.cursor() as cursor:
        # Every statement's plan, the checks run by the COMMIT too, sent to us.
        cursor.execute("LOAD 'auto_explain'")
        cursor.execute("SET auto_explain.log_min_duration = 0")
        cursor.execute("SET auto_explain.log_nested_statements = on")
        cursor.execute("SET client_min_messages = log")
    try:
        call_command("seed", requests=1_000, pods=2, people=200, seed=9, stdout=None)
    finally:
        connection.close()
    checks = [plan for plan in plans if plan and CHECK_OF_A_REQUEST in plan]
    assert len(checks) > 500  # a contact for each request, and claims
    assert not [plan for plan in checks if "Seq Scan" in plan], checks[0]
    assert all("Index Scan using requests_app_request_pkey" in plan for plan in checks)
