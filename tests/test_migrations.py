"""Models that changed app keep their tables' rows (issue 13): a database migrated
to the state before the move, with rows in every moved table, still has them
after migrating to today's state, and so do the content types that point at them."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from notifications.models import OutboxMessage
from requests_app.models import CsvImport

# The last migrations before the notification models left mutualaid and CsvImport left pods.
BEFORE_THE_MOVE = [
    ("mutualaid", "0005_outbox_new_kinds"),
    ("pods", "0004_proposalresponse_pod_required"),
    ("requests_app", "0004_dashboard_expiring_index"),
    ("notifications", None),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # The state those migrations leave (an app migrated to None adds nothing to it).
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def fill_the_old_tables(old):
    Pod = old.get_model("pods", "Pod")
    Person = old.get_model("pods", "Person")
    Request = old.get_model("requests_app", "Request")
    pod = Pod.objects.create(name="Maple Street", slug="maple", languages="en")
    person = Person.objects.create(username="rosa", display_name="Rosa", email="rosa@example.org")
    request = Request.objects.create(
        pod=pod,
        category="groceries",
        summary="Groceries on Friday",
        token_hash="a" * 64,
        expires_on=datetime.date(2030, 1, 1),
    )
    old.get_model("mutualaid", "OutboxMessage").objects.create(
        kind="private_link",
        recipient="requester@example.org",
        language="es",
        request=request,
        pod=pod,
        secret="the-private-link",
        dedupe_key="private_link:1",
    )
    old.get_model("mutualaid", "NotificationPreference").objects.create(
        person=person, offer_matches="never", coordinator_digest=False
    )
    old.get_model("mutualaid", "RequesterLanguage").objects.create(
        request=request, pod=pod, language="es"
    )
    old.get_model("pods", "CsvImport").objects.create(
        pod=pod, uploaded_by=person, filename="needs.csv", content="summary\nBread\n"
    )
    ContentType = old.get_model("contenttypes", "ContentType")
    outbox_type, _created = ContentType.objects.get_or_create(
        app_label="mutualaid", model="outboxmessage"
    )
    Permission = old.get_model("auth", "Permission")
    permission, _created = Permission.objects.get_or_create(
        content_type=outbox_type,
        codename="view_outboxmessage",
        defaults={"name": "Can view outbox message"},
    )
    return {"request": request.pk, "person": person.pk, "outbox_type": outbox_type.pk}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_its_rows():
    leaves = latest()
    try:
        old = migrate(BEFORE_THE_MOVE)
        ids = fill_the_old_tables(old)
        new = migrate(leaves)
    finally:
        migrate(leaves)

    [message] = new.get_model("notifications", "OutboxMessage").objects.all()
    assert (message.kind, message.recipient, message.secret, message.dedupe_key) == (
        "private_link",
        "requester@example.org",
        "the-private-link",
        "private_link:1",
    )
    assert message.request_id == ids["request"]
    preference = new.get_model("notifications", "NotificationPreference").objects.get()
    assert (preference.person_id, preference.offer_matches) == (ids["person"], "never")
    language = new.get_model("notifications", "RequesterLanguage").objects.get()
    assert (language.request_id, language.language) == (ids["request"], "es")
    upload = new.get_model("requests_app", "CsvImport").objects.get()
    assert (upload.filename, upload.content) == ("needs.csv", "summary\nBread\n")

    # The tables carry their new apps' names, and the old ones are gone.
    tables = set(connection.introspection.table_names())
    assert {"notifications_outboxmessage", "requests_app_csvimport"} <= tables
    assert not {"mutualaid_outboxmessage", "pods_csvimport"} & tables

    # The content type moved with the model, so its permissions still apply to it.
    outbox_type = new.get_model("contenttypes", "ContentType").objects.get(pk=ids["outbox_type"])
    assert (outbox_type.app_label, outbox_type.model) == ("notifications", "outboxmessage")
    assert (
        new.get_model("auth", "Permission")
        .objects.filter(content_type_id=ids["outbox_type"], codename="view_outboxmessage")
        .exists()
    )


def test_new_rows_go_to_the_new_tables():
    assert OutboxMessage._meta.db_table == "notifications_outboxmessage"
    assert CsvImport._meta.db_table == "requests_app_csvimport"
