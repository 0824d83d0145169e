"""Spreadsheets in and out: CSV export, the plain-text list of needs, CSV import."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from requests_app import spreadsheets
from requests_app.models import ContactView, CsvImport, Request, RequestContact
from tests.factories import REQUESTER_PHONE, make_request


def export(client, pod, **data):
    response = client.post(reverse("pods:export", args=[pod.slug]), {"statuses": "all", **data})
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return response, list(csv.reader(io.StringIO(body)))


# --- Export -------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_has_public_fields_only_by_default(maple, alice_client):
    make_request(maple, summary="Soup for two")

    response, rows = export(alice_client, maple)

    assert response["Content-Type"].startswith("text/csv")
    assert rows[0] == spreadsheets.PUBLIC_COLUMNS
    assert rows[1][4] == "Soup for two"
    assert REQUESTER_PHONE not in str(rows)
    assert not ContactView.objects.exists()


@pytest.mark.django_db
def test_export_with_contacts_waits_for_a_second_person(maple, alice_client):
    # Two people for a contact export: tests/requests_app/test_contact_export.py.
    make_request(maple)
    response = alice_client.post(
        reverse("pods:export", args=[maple.slug]), {"statuses": "all", "include_contacts": "on"}
    )
    assert response.status_code == 302
    assert not response.streaming
    assert not ContactView.objects.exists()


@pytest.mark.django_db
def test_export_of_another_status_leaves_out_the_rest(maple, alice_client):
    done, _token = make_request(maple, summary="Done already")
    Request.objects.filter(pk=done.pk).update(status=Request.Status.DONE)
    make_request(maple, summary="Still open")
    _response, rows = export(alice_client, maple, statuses="closed")
    assert [row[4] for row in rows[1:]] == ["Done already"]


@pytest.mark.django_db
def test_export_defuses_spreadsheet_formulas(maple, alice_client):
    make_request(maple, summary='=HYPERLINK("http://evil")', area="+1 street")
    _response, rows = export(alice_client, maple)
    assert rows[1][4] == '\'=HYPERLINK("http://evil")'
    assert rows[1][5] == "'+1 street"


def test_safe_cell_leaves_ordinary_text_alone():
    assert spreadsheets.safe_cell("Bread") == "Bread"
    assert spreadsheets.safe_cell("@cmd") == "'@cmd"
    assert spreadsheets.safe_cell("-2") == "'-2"
    assert spreadsheets.safe_cell(None) == ""
    assert spreadsheets.safe_cell(True) == "yes"


@pytest.mark.django_db
def test_export_queries_stay_flat(maple, alice_client, django_assert_max_num_queries):
    for index in range(30):
        make_request(maple, summary=f"Need {index}")
    with django_assert_max_num_queries(8):
        _response, rows = export(alice_client, maple)
    assert len(rows) == 31


@pytest.mark.django_db
def test_export_with_a_made_up_choice_shows_the_form_again(maple, alice_client):
    response = alice_client.post(reverse("pods:export", args=[maple.slug]), {"statuses": "x"})
    assert response.status_code == 200
    assert not response.streaming


# --- List of needs ------------------------------------------------------------------


@pytest.mark.django_db
def test_list_of_needs_has_one_line_per_open_request_and_no_contact(maple, alice_client):
    first, _token = make_request(maple, summary="Milk and bread")
    hidden, _token = make_request(maple, summary="Hidden one")
    Request.objects.filter(pk=hidden.pk).update(hidden=True)

    response = alice_client.get(reverse("pods:needs_text", args=[maple.slug]))

    text = response.context["text"]
    assert text.count("\n") == 0
    assert "Milk and bread" in text
    assert first.get_absolute_url() in text
    assert "Hidden one" not in text
    assert REQUESTER_PHONE not in response.content.decode()


# --- Import -------------------------------------------------------------------------

HEADER = [
    "Timestamp",
    "What do you need?",
    "Kind of help",
    "Your name",
    "Phone number",
    "Email",
    "Languages",
    "Needed by",
]


def csv_bytes(rows, header=HEADER):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def good_row(index):
    return [
        "2026-11-01 10:00",
        f"Groceries, week {index}",
        "Groceries",
        f"Neighbor {index}",
        f"718-555-{index:04d}",
        "",
        "English, Spanish",
        "",
    ]


def upload(client, pod, content, name="needs.csv"):
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse("pods:import", args=[pod.slug]), {"file": file})


def map_columns(client, pod, upload_pk, **overrides):
    form = client.get(reverse("pods:import_map", args=[pod.slug, upload_pk])).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["default_category"] = "other"
    data.update(overrides)
    return client.post(reverse("pods:import_map", args=[pod.slug, upload_pk]), data)


@pytest.mark.django_db
def test_import_guesses_the_columns_of_a_google_forms_export(maple, alice_client):
    response = upload(alice_client, maple, csv_bytes([good_row(1)]))
    pk = CsvImport.objects.get().pk
    assert response["Location"] == reverse("pods:import_map", args=[maple.slug, pk])
    initial = alice_client.get(response["Location"]).context["form"].initial
    assert initial["summary"] == "1"
    assert initial["category"] == "2"
    assert initial["name"] == "3"
    assert initial["phone"] == "4"
    assert initial["email"] == "5"


@pytest.mark.django_db
def test_import_of_1000_rows_with_3_bad_reports_exactly_those_and_imports_nothing(
    maple, alice_client
):
    rows = [good_row(index) for index in range(1000)]
    rows[10][2] = "Juggling"  # an unknown kind of help
    rows[500][4] = ""  # no way to reach them
    rows[998][1] = ""  # no summary
    upload(alice_client, maple, csv_bytes(rows))
    pending = CsvImport.objects.get()
    map_columns(alice_client, maple, pending.pk)

    review = alice_client.get(reverse("pods:import_review", args=[maple.slug, pending.pk]))

    dry_run = review.context["dry_run"]
    assert [row.number for row in dry_run.invalid] == [12, 502, 1000]  # header is row 1
    assert dry_run.valid_count == 997
    html = review.content.decode()
    assert "Juggling" in html
    assert reverse("pods:import_confirm", args=[maple.slug, pending.pk]) not in html

    alice_client.post(reverse("pods:import_confirm", args=[maple.slug, pending.pk]))
    assert not Request.objects.exists()

    # Fixed and uploaded again: all 1000 go in at once.
    rows[10][2], rows[500][4], rows[998][1] = "Meal", "718-555-0123", "Soup"
    upload(alice_client, maple, csv_bytes(rows))
    fixed = CsvImport.objects.latest("pk")
    map_columns(alice_client, maple, fixed.pk)
    response = alice_client.post(reverse("pods:import_confirm", args=[maple.slug, fixed.pk]))
    assert response["Location"] == reverse("pods:dashboard", args=[maple.slug])
    assert Request.objects.filter(pod=maple).count() == 1000
    assert RequestContact.objects.filter(pod=maple).count() == 1000
    meal = Request.objects.get(summary="Groceries, week 10")
    assert (meal.category, meal.languages) == ("meal", ["en", "es"])
    assert not CsvImport.objects.filter(pk=fixed.pk).exists()


@pytest.mark.django_db
def test_import_without_a_category_column_uses_the_chosen_kind(maple, alice_client):
    upload(
        alice_client,
        maple,
        csv_bytes([["Bread", "Ann", "718-555-0123"]], header=["summary", "name", "phone"]),
    )
    pending = CsvImport.objects.get()
    map_columns(alice_client, maple, pending.pk, default_category="meal")
    alice_client.post(reverse("pods:import_confirm", args=[maple.slug, pending.pk]))
    assert Request.objects.get().category == "meal"


@pytest.mark.django_db
def test_mapping_needs_summary_name_and_a_way_to_reach(maple, alice_client):
    upload(alice_client, maple, csv_bytes([good_row(1)]))
    pending = CsvImport.objects.get()
    response = map_columns(alice_client, maple, pending.pk, summary="", phone="", email="")
    assert response.status_code == 200
    assert "summary" in response.content.decode()
    response = map_columns(alice_client, maple, pending.pk, summary="99")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "does not look like a CSV"),
        (b"summary,name,phone\n", "no rows"),
        (b'summary,name\n"unclosed,quote\n' + b"x" * 10, "not a valid CSV"),
    ],
)
def test_malformed_files_get_a_400_and_a_clear_message(maple, alice_client, content, message):
    response = upload(alice_client, maple, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CsvImport.objects.exists()


@pytest.mark.django_db
def test_oversized_files_get_a_400(maple, alice_client, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_BYTES", 100)
    response = upload(alice_client, maple, csv_bytes([good_row(i) for i in range(10)]))
    assert response.status_code == 400
    assert "too big" in response.content.decode()


@pytest.mark.django_db
def test_a_post_without_a_file_gets_a_400(maple, alice_client):
    response = alice_client.post(reverse("pods:import", args=[maple.slug]), {})
    assert response.status_code == 400


@pytest.mark.django_db
def test_files_from_older_spreadsheet_programs_are_read_too(maple, alice_client):
    content = "summary,name,phone\nPan dulce y café,José,718-555-0123\n".encode("cp1252")
    upload(alice_client, maple, content)
    pending = CsvImport.objects.get()
    assert "café" in pending.content


@pytest.mark.django_db
def test_cancel_deletes_the_upload(maple, alice_client):
    upload(alice_client, maple, csv_bytes([good_row(1)]))
    pending = CsvImport.objects.get()
    alice_client.post(reverse("pods:import_cancel", args=[maple.slug, pending.pk]))
    assert not CsvImport.objects.exists()


@pytest.mark.django_db
def test_an_upload_of_another_pod_is_not_found(maple, oak, alice, alice_client):
    other = CsvImport.objects.create(pod=oak, uploaded_by=alice, content="a\n1\n")
    url = reverse("pods:import_review", args=[maple.slug, other.pk])
    assert alice_client.get(url).status_code == 404
