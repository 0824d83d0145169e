"""What the WSGI entry point does once, when a server process loads it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_what_loading_left_is_kept_out_of_full_collections():
    probe = (
        "import gc; from mutualaid import wsgi; "
        "print(gc.get_freeze_count(), len(gc.get_objects(generation=2)))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mutualaid.settings", "DEBUG": "1"}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    frozen, left_in_oldest = (int(n) for n in done.stdout.split())
    assert frozen > 10_000  # Django and the apps
    assert left_in_oldest < frozen / 100
