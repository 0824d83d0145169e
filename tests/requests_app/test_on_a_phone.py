"""What people stumbled on, on a phone: each fix, where a test can see it."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from pods.forms import ProposalForm, ProposalResponseForm, ReportForm, SignupForm
from requests_app import services
from requests_app.forms import FeedbackForm, RequestContactForm, RequestPublicForm
from requests_app.models import Claim, ContactView
from tests.conftest import client_for
from tests.factories import make_offer, make_person, request_form_data
from tests.requests_app.conftest import url
from tests.requests_app.test_dashboard import hotline_data

BLANK = "---------"


def test_was_the_need_met_starts_with_nothing_chosen_and_no_dashes():
    html = str(FeedbackForm()["need_met"])
    assert BLANK not in html
    assert "checked" not in html
    assert html.count('type="radio"') == 3


def test_was_the_need_met_starts_with_a_capital_in_spanish_too():
    with translation.override("es"):
        assert FeedbackForm()["need_met"].label == "¿Se resolvió la necesidad?"


@pytest.mark.django_db
def test_signup_language_starts_on_the_language_of_the_page_not_dashes():
    with translation.override("es"):
        form = SignupForm()
        html = str(form["language"])
    assert BLANK not in html
    assert re.search(r'<option value="es" selected>', html)


@pytest.mark.django_db
def test_signup_explains_username_and_password_in_plain_words(client):
    html = client.get(reverse("signup")).content.decode()
    assert "@/./+/-/_" not in html
    assert "One word, no spaces." in html
    # One sentence, not Django's four bullet points...
    assert "At least 8 characters." in html
    assert "password can’t be too similar" not in html
    # ...and a password that breaks a rule still gets that rule's message.
    response = client.post(
        reverse("signup"),
        {
            "username": "newbie",
            "display_name": "Newbie",
            "language": "en",
            "password1": "12345678901",
            "password2": "12345678901",
            "agree": "on",
        },
    )
    assert response.status_code == 200
    assert "This password is entirely numeric." in response.content.decode()


@pytest.mark.django_db
def test_one_phone_mistake_gives_one_error(maple):
    form = RequestContactForm(request_form_data(maple, phone="12", preferred="call"))
    assert not form.is_valid()
    assert form.errors["phone"] == ["Please enter a phone number with at least 7 digits."]
    assert not form.non_field_errors()


@pytest.mark.django_db
def test_request_form_puts_the_required_fields_first_and_folds_the_rest(client, maple):
    html = client.get(reverse("requests_app:request_new")).content.decode()
    fold = html.index('<details class="more"')
    for required in ("id_category", "id_summary"):
        assert html.index(f'id="{required}"') < fold
    for optional in ("id_area", "id_needed_by", "id_languages_0", "id_contactless"):
        assert html.index(f'id="{optional}"') > fold
    contact_fold = html.index('<details class="more"', fold + 1)
    assert html.index('id="id_phone"') < contact_fold < html.index('id="id_address"')
    assert '<details class="more" open' not in html


@pytest.mark.django_db
def test_a_folded_field_with_an_error_or_a_value_comes_back_unfolded(maple):
    too_late = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()
    form = RequestPublicForm(request_form_data(maple, needed_by=too_late), pod=None)
    assert not form.is_valid()
    assert form.folded_open
    untouched = RequestPublicForm(request_form_data(maple, area="", contactless=""), pod=None)
    assert untouched.is_valid()
    assert not untouched.folded_open


@pytest.mark.django_db
def test_right_after_claiming_the_helper_sees_no_still_on_it_and_no_other_offers(
    maple, maple_request, bob, bob_client
):
    req, _ = maple_request
    make_offer(maple, make_person(pods=[maple]), description="I shop on Fridays too")
    claim = services.claim_request(request=req, by=bob)
    html = bob_client.get(req.get_absolute_url()).content.decode()
    assert url("request_release", req.pk) in html
    assert "on it</button>" not in html
    assert "Offers that might help" not in html
    assert "I shop on Fridays too" not in html
    # A day on, "I'm still on it" is a real answer.
    Claim.objects.filter(pk=claim.pk).update(
        progress_at=timezone.now() - datetime.timedelta(days=1)
    )
    html = bob_client.get(req.get_absolute_url()).content.decode()
    assert "on it</button>" in html


@pytest.mark.django_db
def test_the_helper_is_logged_once_per_visit_not_once_per_page(maple_request, bob, bob_client):
    req, token = maple_request
    services.claim_request(request=req, by=bob)
    for _ in range(3):
        bob_client.get(req.get_absolute_url())
    assert ContactView.objects.filter(request=req, viewer=bob).count() == 1
    # The requester's list names them once.
    html = Client().get(url("private_status", token)).content.decode()
    seen = html[html.index("Who has seen your contact details") :].split("</ul>")[0]
    assert seen.count(bob.display_name) == 1
    # Another browser within the half hour is the same visit (one person, one look)...
    client_for(bob).get(req.get_absolute_url())
    assert ContactView.objects.filter(request=req, viewer=bob).count() == 1
    # ...and half an hour on is another visit, logged again.
    ContactView.objects.filter(request=req).update(
        viewed_at=timezone.now() - services.CONTACT_VISIT - datetime.timedelta(seconds=1)
    )
    bob_client.get(req.get_absolute_url())
    assert ContactView.objects.filter(request=req, viewer=bob).count() == 2


@pytest.mark.django_db
def test_the_hotline_form_speaks_about_the_caller(maple, alice_client):
    html = alice_client.get(reverse("pods:hotline", args=[maple.slug])).content.decode()
    assert "Best way to reach the caller" in html
    assert "Best way to reach you" not in html
    assert "Only your helper" not in html
    # The rest of the form too: what they need, not what "you" need.
    assert "Languages the caller would like help in" in html
    assert "Will the caller need this again?" in html
    # The privacy script (issue 14) is read aloud to the caller, so it speaks to
    # them; the form the coordinator fills in is everything after it.
    form = html[html.index("</fieldset>", html.index('id="privacy-script"')) :]
    for second_person in ("Languages you", "Will you need", "I&#x27;d like", "your private page"):
        assert second_person not in form, second_person
    response = alice_client.post(reverse("pods:hotline", args=[maple.slug]), hotline_data(maple))
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_dashboard_tiles_count_in_good_grammar_and_the_asks_tile_leads_to_a_list(
    maple, maple_request, alice, alice_client
):
    req, _ = maple_request
    offer = make_offer(maple, make_person(pods=[maple]))
    services.connect_offer(request=req, offer=offer, by=alice)
    html = alice_client.get(reverse("pods:dashboard", args=[maple.slug])).content.decode()
    assert '<a href="#queue-connections"><strong>1</strong> ask waiting' in html
    assert "1</strong> Asks" not in html
    assert "<strong>0</strong> open reports" in html
    # The queue tiles too: "1 open request", not "1 Open, oldest first".
    assert '<a href="#queue-open"><strong>1</strong> open request</a>' in html
    assert "<strong>0</strong> requests awaiting approval" in html
    assert "<strong>0</strong> stale claims" in html
    assert "<strong>0</strong> requests about to expire" in html
    assert "<strong>0</strong> needs that come back" in html
    section = html[html.index('id="queue-connections"') :]
    assert req.summary in section[: section.index("</section>")]
    with translation.override("es"):
        html = alice_client.get(
            reverse("pods:dashboard", args=[maple.slug]), HTTP_ACCEPT_LANGUAGE="es"
        ).content.decode()
    assert "<strong>1</strong> consulta espera" in html
    assert "<strong>1</strong> solicitud abierta</a>" in html
    assert "<strong>0</strong> ayudas detenidas" in html


def test_the_header_offers_sign_up_to_a_visitor(client, db):
    html = client.get("/").content.decode()
    assert f'href="{reverse("signup")}"' in html.split("</header>")[0]


@pytest.mark.django_db
def test_the_export_page_offers_radio_buttons_a_phone_does_not_cut_off(maple, alice_client):
    html = alice_client.get(reverse("pods:export", args=[maple.slug])).content.decode()
    assert '<select name="statuses"' not in html
    assert len(re.findall(r'<input[^>]*type="radio"[^>]*name="statuses"', html)) == 3


@pytest.mark.django_db
def test_the_kind_of_help_starts_on_choose_one_not_dashes(client, maple):
    html = client.get(reverse("requests_app:request_new")).content.decode()
    category = html[html.index('name="category"') :].split("</select>")[0]
    assert BLANK not in category
    assert '<option value="" selected>Choose one</option>' in category


@pytest.mark.django_db
def test_the_offer_form_speaks_spanish_and_starts_on_choose_one(maple, bob_client):
    response = bob_client.get(reverse("requests_app:offer_new"), HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert "Tu grupo" in html
    assert ">Pod<" not in html
    category = html[html.index('name="category"') :].split("</select>")[0]
    assert BLANK not in category
    assert '<option value="" selected>Elige una</option>' in category
    # The language they read the page in is already ticked.
    assert re.search(r'<input[^>]*name="languages" value="es"[^>]*checked', html)


@pytest.mark.django_db
def test_report_and_proposal_forms_choose_nothing_for_the_person_and_show_no_dashes(maple):
    for field in (ReportForm()["reason"], ProposalResponseForm()["kind"]):
        html = str(field)
        assert BLANK not in html
        assert "checked" not in html
    html = str(ProposalForm(pod=maple, author=make_person(pods=[maple])))
    assert BLANK not in html
    assert "None: not a change of setting" in html
    assert "Nobody: not a change of coordinators" in html
