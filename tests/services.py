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


@contextmanager
def throwaway_redis():
    """A Redis server with nothing on disk; yields its URL."""
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
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            stop_process(process)
            log.close()
