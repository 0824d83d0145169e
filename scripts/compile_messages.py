#!/usr/bin/env python
"""Compile locale/*/LC_MESSAGES/*.po into .mo files, in pure Python.

Django's compilemessages needs GNU gettext, which a fresh machine may lack;
polib does the same job. With --check, fail if any message is untranslated
or fuzzy, so a release never ships half a language.
"""

import argparse
import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail on untranslated or fuzzy")
    args = parser.parse_args()
    problems = []
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        catalog = polib.pofile(str(po_path))
        if args.check:
            for entry in catalog.untranslated_entries():
                problems.append(f"{po_path}: untranslated: {entry.msgid!r}")
            for entry in catalog.fuzzy_entries():
                problems.append(f"{po_path}: fuzzy: {entry.msgid!r}")
        catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"{len(problems)} translation problem(s).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
