"""Real servers for the fault tests: gunicorn with the repository's gunicorn.conf.py,
and a throwaway PostgreSQL cluster a test can stop and start with pg_ctl."""

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from tests.test_two_servers import ROOT, free_port, wait_until_serving

PG_BIN = (
    Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
    if glob.glob("/usr/lib/postgresql/*/bin")
    else None
)


def as_postgres():
    """PostgreSQL refuses to run as root: the cluster runs as 'postgres' then."""
    return ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []


def start_gunicorn(database_url, *, port=None, extra_env=None, args=()):
    port = port or free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.server_settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "RATE_LIMITS_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
        "VISITOR_CACHE_SECONDS": "0",
        **(extra_env or {}),
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "mutualaid.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        *args,
    ]
    # Its log (a traceback per failed request in an outage) goes to a file, not the test's output.
    log = tempfile.NamedTemporaryFile(prefix="mutualaid-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log
    )
    log.close()
    wait_until_serving(port, process)
    return process, port


class Cluster:
    """A PostgreSQL cluster of its own on a free port, holding a copy of the test
    database (schema and rows, taken with pg_dump)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="mutualaid-outage-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    def run(self, *command, **kwargs):
        return subprocess.run(  # noqa: S603
            [*as_postgres(), *command], check=True, capture_output=True, **kwargs
        )

    def init(self):
        self.run(
            str(PG_BIN / "initdb"), "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync"
        )
        self.start()

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            self.data,
            "-l",
            os.path.join(self.dir, "log"),
            "-w",
            "-o",
            options,
            "start",
        )

    def stop(self):
        self.run(str(PG_BIN / "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop")

    def copy_database(self, source_url, name="mutualaid"):
        self.run(
            str(PG_BIN / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            name,
        )
        dump = subprocess.run(  # noqa: S603
            [str(PG_BIN / "pg_dump"), "--no-owner", source_url], check=True, capture_output=True
        )
        subprocess.run(  # noqa: S603
            [str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", self.url(name)],
            input=dump.stdout,
            check=True,
            capture_output=True,
        )
        return self.url(name)

    def url(self, name="mutualaid"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self):
        subprocess.run(  # noqa: S603
            [*as_postgres(), str(PG_BIN / "pg_ctl"), "-D", self.data, "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)
