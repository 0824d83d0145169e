"""A visitor asks for help in Spanish, and every string they see on the way is
Spanish: page text, the page title, labels, help texts, buttons, the choices in
each list, and the messages when a field was left empty.

"Is Spanish" is decided against the catalogs rather than a list of expected
sentences, so the test keeps working as wording changes: no visible string may
be an English message of our catalog or Django's (or contain one of three words
or more) unless its Spanish translation is the same text. A short list of
English-only words catches text that never went through gettext at all.
"""

import re
from collections import Counter
from pathlib import Path

import django
import polib
import pytest
from django.conf import settings

from notifications.models import RequesterLanguage
from requests_app.models import Request
from tests.factories import make_pod

pytestmark = pytest.mark.browser

OUR_CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
DJANGO_CATALOG = (
    Path(django.__file__).parent / "conf" / "locale" / "es" / "LC_MESSAGES" / "django.po"
)

# What the visitor types, and the pod's name: data, in whatever language it is.
POD_NAME = "Calle del Arce"
SUMMARY = "Pan y leche, por favor"
AREA = "cerca de Arce y Tercera"
NAME = "Graciela"
PHONE = "(718) 555-0199"

# Each language is named in itself in the footer's switcher, so "English" is
# correct there on a Spanish page.
LANGUAGE_NAMES_IN_THEMSELVES = {"en": "English", "es": "Español"}

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
TAG = re.compile(r"<[^>]+>")
# Common English words that are not also Spanish words ("a", "me", "no",
# "has" are left out for that reason).
ENGLISH_ONLY_WORDS = {
    "about", "and", "are", "ask", "been", "can", "for", "from", "have", "help",
    "here", "how", "is", "it", "my", "need", "not", "of", "or", "our", "please",
    "that", "the", "this", "to", "we", "what", "when", "who", "will", "with",
    "you", "your",
}  # fmt: skip


def normalize(text):
    return " ".join(text.split())


def word_count(text):
    return len(re.findall(r"[^\W\d_]+", text))


class Catalogs:
    """English messages that show up differently in Spanish, from our catalog
    and Django's; read once, from the .po files, whatever the .mo holds."""

    def __init__(self, *paths):
        self.translations = {}
        english = set()
        spanish = set()
        for path in paths:
            for entry in polib.pofile(str(path)):
                if entry.obsolete:
                    continue
                msgstrs = list(entry.msgstr_plural.values()) if entry.msgid_plural else []
                msgstrs = msgstrs or [entry.msgstr]
                if path == OUR_CATALOG and not (entry.msgctxt or entry.msgid_plural):
                    # A fuzzy translation is never shown: it is left out of the .mo.
                    self.translations[entry.msgid] = "" if entry.fuzzy else entry.msgstr
                spanish.update(normalize(TAG.sub("", s)) for s in msgstrs if s)
                for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
                    # Untranslated or fuzzy entries count too: they show English.
                    if entry.fuzzy or any(s != msgid for s in msgstrs):
                        english.add(normalize(TAG.sub("", msgid)))
        # Text that is also a Spanish translation somewhere proves nothing.
        english -= spanish
        self.exact = {m for m in english if not PLACEHOLDER.search(m)}
        phrases = set()
        for message in english:
            for fragment in PLACEHOLDER.split(message):
                fragment = fragment.strip(" .,:;")
                if word_count(fragment) >= 3 and not any(fragment in s for s in spanish):
                    phrases.add(fragment)
        # Longest first, so a failure names the most telling message.
        self.phrases = sorted(phrases, key=lambda phrase: (-len(phrase), phrase))

    def spanish(self, msgid):
        """The Spanish for one of our messages, as the page should show it."""
        msgstr = self.translations.get(msgid)
        assert msgstr and msgstr != msgid, f"no Spanish for {msgid!r} in {OUR_CATALOG}"
        return msgstr

    def english_in(self, line):
        """Why a visible line looks English, or None."""
        if line in self.exact:
            return "an English message of the catalog"
        for phrase in self.phrases:
            if phrase in line:
                return f"contains the English message {phrase!r}"
        words = {w.lower() for w in re.findall(r"[^\W\d_]+", line)}
        if found := sorted(words & ENGLISH_ONLY_WORDS):
            return f"English words {found}, perhaps not in the catalog at all"
        return None


@pytest.fixture(scope="module")
def catalogs():
    return Catalogs(OUR_CATALOG, DJANGO_CATALOG)


@pytest.fixture
def open_page(browser, live_server, traffic):
    """A page in a fresh context whose browser speaks the given language."""
    contexts = []

    def open_page(*, locale, javascript):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, java_script_enabled=javascript
        )
        context.set_default_timeout(10_000)
        context.on("request", traffic.record)
        context.route("**/*", traffic.block_outside)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def attribute_values(page, name):
    return [value for el in page.locator(f"[{name}]").all() if (value := el.get_attribute(name))]


def visible_strings(page, *, data):
    """Every string the page shows or reads out, one per line, less the data."""
    body_lines = Counter(normalize(line) for line in page.inner_text("body").splitlines())
    # The switcher names each language in itself; take those lines out once.
    switcher = page.locator("#language-select option")
    body_lines -= Counter(normalize(text) for text in switcher.all_inner_texts())
    strings = [
        page.title(),
        *body_lines.elements(),
        *page.locator("label, legend, summary").all_inner_texts(),
        *page.locator("button, a.btn").all_inner_texts(),
        *page.locator("select:not(#language-select) option").all_inner_texts(),
        *page.locator(".form-text, .invalid-feedback, [role=alert]").all_inner_texts(),
        *attribute_values(page, "aria-label"),
        *attribute_values(page, "placeholder"),
        *attribute_values(page, "title"),
        *attribute_values(page, "alt"),
    ]
    lines = {normalize(line) for text in strings for line in text.splitlines()}
    return {line for line in lines if line and word_count(line) and line not in data}


def assert_all_spanish(page, catalogs, *, data=()):
    assert page.get_attribute("html", "lang") == "es"
    data = {POD_NAME, SUMMARY, AREA, NAME, PHONE, *data}
    english = {
        line: why
        for line in visible_strings(page, data=data)
        if (why := catalogs.english_in(line))
    }
    assert not english, f"English on {page.url}:\n" + "\n".join(
        f"  {line!r}: {why}" for line, why in sorted(english.items())
    )
    for option in page.locator("#language-select option").all():
        code = option.get_attribute("value")
        assert option.inner_text().strip() == LANGUAGE_NAMES_IN_THEMSELVES[code]
        assert option.get_attribute("lang") == code


def submit(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def ask_for_help_in_spanish(page, catalogs):
    """From the Spanish home page to the private status page, checking each page."""
    es = catalogs.spanish
    assert page.locator("h1").inner_text() == es("Neighbors helping neighbors")
    assert_all_spanish(page, catalogs)

    page.get_by_role("navigation").get_by_role("link", name="Necesito ayuda").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == es("Ask for help")
    # The community agreements and the optional folds, opened: all of it in Spanish.
    closed = page.locator("details:not([open]) > summary")
    while closed.count():
        closed.first.click()
    assert_all_spanish(page, catalogs)

    # Everything but the summary, which is required: the form comes back with errors.
    page.select_option("#id_pod", label=POD_NAME)
    page.select_option("#id_category", "groceries")
    page.fill("#id_area", AREA)
    page.fill("#id_name", NAME)
    page.fill("#id_phone", PHONE)
    page.check("#id_agree")
    submit(page, es("Post my request"))
    alert = page.get_by_role("alert").inner_text()
    assert es("Please check the fields marked below. Everything you typed is still here.") in alert
    assert page.locator("#id_summary.is-invalid").count() == 1
    assert page.locator(".invalid-feedback").all_inner_texts(), "no message by the empty field"
    closed = page.locator("details:not([open]) > summary")
    while closed.count():
        closed.first.click()
    assert_all_spanish(page, catalogs)
    assert not Request.objects.exists()

    page.fill("#id_summary", SUMMARY)
    submit(page, es("Post my request"))
    assert page.locator("h1").inner_text() == es("Your request is posted")
    private_link = page.locator(".token-link").inner_text().strip()
    assert_all_spanish(page, catalogs, data={private_link})

    page.get_by_role("link", name=es("Open my private page")).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == es("Your request")
    status = page.locator("dl.facts dt:text-is('{}') + dd".format(es("Status"))).inner_text()
    assert status == es("Open")
    assert_all_spanish(page, catalogs, data={private_link})

    # The request keeps the language it was asked in, for helpers and for emails.
    request = Request.objects.get()
    assert request.languages == ["es"]
    assert RequesterLanguage.objects.get(request=request).language == "es"


def test_visitor_whose_browser_speaks_spanish_asks_for_help_all_in_spanish(open_page, catalogs):
    page = open_page(locale="es-ES", javascript=True)
    make_pod("arce", name=POD_NAME)

    page.goto("/")

    ask_for_help_in_spanish(page, catalogs)


def test_visitor_who_picks_spanish_in_the_footer_asks_for_help_all_in_spanish_without_javascript(
    open_page, catalogs
):
    page = open_page(locale="en-US", javascript=False)
    make_pod("arce", name=POD_NAME)
    page.goto("/")
    assert page.get_attribute("html", "lang") == "en"

    page.select_option("#language-select", "es")
    submit(page, "Change")

    assert page.url.endswith("/")
    ask_for_help_in_spanish(page, catalogs)
