#!/usr/bin/env bash
# The whole suite, as `make test` runs it: lint, translations, migrations,
# deploy checks, then pytest on a throwaway PostgreSQL (everything, browser
# tests included) and on SQLite (everything not marked postgres-only).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin

step() { printf '\n== %s\n' "$*"; }

step "ruff check"
$bin/ruff check .
step "ruff format --check"
$bin/ruff format --check .
step "bandit"
$bin/bandit -c pyproject.toml -r . -q

step "apps depend one way (import-linter, [tool.importlinter] in pyproject.toml)"
$bin/lint-imports --no-cache

step "types (mypy with django-stubs: strict for services, selectors and access; [tool.mypy])"
$bin/mypy

step "system packages for the tests"
scripts/ensure-system-packages.sh

step "translations compiled, complete, and covering every string in the code"
$bin/python scripts/compile_messages.py --check
scripts/check_catalog.sh

step "migrations match the models"
DEBUG=1 $bin/python manage.py makemigrations --check --dry-run

step "check --deploy with production-like settings"
env -u DATABASE_URL DEBUG=0 \
    SECRET_KEY="$($bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=aid.example.org SITE_URL=https://aid.example.org SECURE_SSL_REDIRECT=1 SECURE_HSTS_SECONDS=31536000 \
    EMAIL_URL=smtp+tls://mail.example.org:587 \
    SECURE_HSTS_INCLUDE_SUBDOMAINS=1 SECURE_HSTS_PRELOAD=1 \
    $bin/python manage.py check --deploy --fail-level WARNING

step "pytest on PostgreSQL (unit, integration, browser)"
scripts/pg-throwaway.sh $bin/pytest "$@"

step "pytest on SQLite (all but PostgreSQL-only and browser tests)"
sqlite_dir=$(mktemp -d)
trap 'rm -rf "$sqlite_dir"' EXIT
DATABASE_URL="sqlite:///$sqlite_dir/test.sqlite3" $bin/pytest -m "not postgres and not browser" "$@"
