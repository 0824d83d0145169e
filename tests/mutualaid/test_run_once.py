"""Cron jobs on many hosts: run_once lets one host at a time run a command."""

from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from mutualaid.management.commands.run_once import lock_key


def test_run_once_runs_the_command(db):
    out = StringIO()
    call_command("run_once", "housekeeping", "--dry-run", stdout=out)
    # housekeeping's own output is not captured here, but the command ran without a skip.
    assert "skipped" not in out.getvalue()


@pytest.mark.postgres
def test_run_once_skips_while_another_host_holds_the_lock(db, capsys):
    db_settings = connection.settings_dict
    other_host = psycopg.connect(
        host=db_settings["HOST"],
        port=db_settings["PORT"],
        user=db_settings["USER"],
        password=db_settings["PASSWORD"] or None,
        dbname=db_settings["NAME"],
        autocommit=True,
    )
    try:
        other_host.execute("SELECT pg_advisory_lock(%s)", [lock_key("housekeeping")])
        out = StringIO()
        call_command("run_once", "housekeeping", "--dry-run", stdout=out)
        assert "running on another host; skipped" in out.getvalue()
        assert "Would have" not in capsys.readouterr().out
        # The other host finishes. Unlock explicitly: a closed connection's locks are
        # released only when its backend exits, which a loaded machine may not do at once.
        other_host.execute("SELECT pg_advisory_unlock(%s)", [lock_key("housekeeping")])
    finally:
        other_host.close()
    out = StringIO()
    call_command("run_once", "housekeeping", "--dry-run", stdout=out)
    assert "skipped" not in out.getvalue()
