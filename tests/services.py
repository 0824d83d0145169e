"""Throwaway servers for the tests that need real ones: Redis, and (in
tests/scaleout.py) a PostgreSQL replica and PgBouncer. Each listens on a free
port of 127.0.0.1 chosen at run time and is stopped when its fixture ends,
whether the tests pass or fail."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, *, what, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout} s")


def stop_process(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class RedisURL(str):
    """The server's URL, with the process id (the benchmark reports its memory)."""

    pid = None


@contextmanager
def throwaway_redis():
    """A Redis server with nothing on disk; yields its URL (a str with .pid)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(
            "redis-server is missing: `make test` installs it "
            "(scripts/ensure-system-packages.sh), or apt-get install redis-server"
        )
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="mutualaid-redis.") as work:
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", work, "--loglevel", "warning"]
        log = open(Path(work) / "redis.log", "w")  # noqa: SIM115
        process = subprocess.Popen(  # noqa: S603
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_for_port(port, process, what="redis-server")
            url = RedisURL(f"redis://127.0.0.1:{port}/0")
            url.pid = process.pid
            yield url
        finally:
            stop_process(process)
            log.close()


# --- PostgreSQL: a streaming replica of the test cluster, and PgBouncer --------------

PGBIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


def _as_postgres(command):
    """PostgreSQL and PgBouncer refuse to run as root: as root, run as 'postgres'."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _owned_dir(prefix):
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


@contextmanager
def streaming_replica(*, host, port, user):
    """A hot standby of the cluster at host:port, made with ``pg_basebackup -R``
    (streaming replication, WAL streamed during the copy); yields its port."""
    if PGBIN is None:
        raise RuntimeError("PostgreSQL server binaries not found (Debian package: postgresql)")
    work = _owned_dir("mutualaid-replica.")
    replica_port = free_port()
    data = work / "data"
    try:
        subprocess.run(  # noqa: S603
            _as_postgres(
                [str(PGBIN / "pg_basebackup"), "-h", host, "-p", str(port), "-U", user]
                + ["-D", str(data), "-R", "-X", "stream", "-c", "fast", "--no-sync"]
            ),
            check=True,
            timeout=120,
            capture_output=True,
        )
        options = f"-p {replica_port} -k {work} -c listen_addresses=127.0.0.1 -c hot_standby=on"
        # Hot standby needs at least the primary's max_connections (pg-throwaway: 200).
        options += " -c fsync=off -c max_connections=200"
        subprocess.run(  # noqa: S603
            _as_postgres(
                [str(PGBIN / "pg_ctl"), "-D", str(data), "-l", str(work / "replica.log")]
                + ["-w", "-o", options, "start"]
            ),
            check=True,
            timeout=60,
            capture_output=True,
        )
        yield replica_port
    finally:
        subprocess.run(  # noqa: S603
            _as_postgres([str(PGBIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(work, ignore_errors=True)


@contextmanager
def pgbouncer(*, host, port, user, database, pool_size=4):
    """PgBouncer in transaction pooling in front of host:port, for one database;
    yields its port. Fewer server connections than clients, as in production."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        raise RuntimeError("pgbouncer is missing: `make test` installs it (Debian: pgbouncer)")
    work = _owned_dir("mutualaid-pgbouncer.")
    listen = free_port()
    (work / "users.txt").write_text(f'"{user}" ""\n')
    (work / "pgbouncer.ini").write_text(
        "\n".join(
            [
                "[databases]",
                f"{database} = host={host} port={port} dbname={database}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {listen}",
                "unix_socket_dir =",
                "auth_type = trust",
                f"auth_file = {work / 'users.txt'}",
                "pool_mode = transaction",
                f"default_pool_size = {pool_size}",
                "max_client_conn = 200",
                f"logfile = {work / 'pgbouncer.log'}",
                "",
            ]
        )
    )
    if os.geteuid() == 0:
        for path in work.iterdir():
            shutil.chown(path, "postgres", "postgres")
    process = subprocess.Popen(  # noqa: S603
        _as_postgres([binary, str(work / "pgbouncer.ini")]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(listen, process, what="pgbouncer")
        yield listen
    finally:
        stop_process(process)
        shutil.rmtree(work, ignore_errors=True)
