from mutualaid import phones


def test_a_number_typed_two_ways_normalizes_to_one_e164(settings):
    settings.PHONE_REGION = "US"
    assert phones.normalize_phone("(212) 555-0123") == "+12125550123"
    assert phones.normalize_phone("+1 212 555 0123") == "+12125550123"


def test_text_that_is_no_number_normalizes_to_none():
    assert phones.normalize_phone("call me maybe") is None
    assert phones.normalize_phone("") is None


def test_a_home_number_is_shown_nationally_and_a_foreign_one_internationally(settings):
    settings.PHONE_REGION = "US"
    assert phones.format_phone("+12125550123") == "(212) 555-0123"
    assert phones.format_phone("+34612345678").startswith("+34 ")


def test_contact_keys_match_for_one_value_and_differ_by_purpose():
    key = phones.contact_key("+12125550123", purpose="duplicate")
    assert key == phones.contact_key(" +12125550123 ", purpose="duplicate")
    assert key != phones.contact_key("+12125550123", purpose="sms-opt-out")
    assert "2125550123" not in key
