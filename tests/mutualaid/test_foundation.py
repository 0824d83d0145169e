import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def run_python(code, **env):
    """Run Python in a fresh process with the given environment on top of ours."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    full_env.update(env)
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_suite_runs_on_postgresql_when_asked():
    """`make test` points DATABASE_URL at its own PostgreSQL; prove that is what we use."""
    assert os.environ.get("DATABASE_URL", "").startswith("postgres")
    assert connection.vendor == "postgresql"


def test_settings_refuse_to_start_without_secret_key_in_production():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='mutualaid.settings'; "
        "django.setup()",
        DEBUG="0",
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_settings_default_to_embedded_sqlite_with_debug_off():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='mutualaid.settings'; "
        "os.environ.pop('DATABASE_URL', None); "
        "from django.conf import settings; "
        "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])"
    )
    result = run_python(code, SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.sqlite3"]


@pytest.mark.django_db
def test_healthz_answers_ok_when_database_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_database_is_unreachable():
    """A real unreachable server: nothing listens on port 1 of 127.0.0.1."""
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='mutualaid.settings'; "
        "django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code)"
    )
    result = run_python(
        code,
        DEBUG="1",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing?connect_timeout=2",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "503"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "agreements", "pods:list", "pods:find"])
def test_public_pages_render(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert b'href="#main"' in response.content  # skip link
    assert b"<main" in response.content


@pytest.mark.django_db
def test_home_page_leads_to_the_three_journeys(client):
    html = client.get("/").content.decode()
    assert reverse("requests_app:request_new") in html
    assert reverse("requests_app:offer_new") in html
    assert reverse("pods:find") in html


@pytest.mark.django_db
def test_home_page_in_spanish_from_the_browser_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Necesito ayuda" in html


@pytest.mark.django_db
def test_language_switch_sets_the_language_and_returns_to_the_page(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/agreements/"})
    assert response.status_code == 302
    assert response["Location"] == "/agreements/"
    html = client.get("/agreements/").content.decode()
    assert "Acuerdos de la comunidad" in html


EXTERNAL_REF = re.compile(r'(?:src|href|action)\s*=\s*"(?:https?:)?//', re.I)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/agreements/", "/pods/", "/requests/new/", "/login/"])
def test_pages_reference_nothing_outside_the_site(client, url):
    html = client.get(url).content.decode()
    assert not EXTERNAL_REF.search(html)


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_templates_have_no_inline_script_or_style(client):
    for url in ["/", "/agreements/", "/requests/new/", "/pods/"]:
        html = client.get(url).content.decode()
        assert "<script" not in html
        assert "style=" not in html
        assert "<style" not in html
