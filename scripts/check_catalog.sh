#!/usr/bin/env bash
# Fail if any user-facing string in the code lacks a Spanish translation.
#
# compile_messages.py --check sees only what is already in the .po file; a
# string added to a template without re-running makemessages would slip past it.
# So: extract the messages afresh into a scratch copy of the project and check
# that copy. The working tree is not touched. Needs GNU gettext (xgettext).
set -euo pipefail
cd "$(dirname "$0")/.."
python=$PWD/.venv/bin/python

if ! command -v xgettext >/dev/null; then
    echo "GNU gettext is missing (Debian package: gettext)." >&2
    exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$scratch"
cd "$scratch"
DEBUG=1 "$python" manage.py makemessages -l es --no-obsolete --no-location \
    -i ".venv/*" -i "tests/*" -i "staticfiles/*" >/dev/null
"$python" scripts/compile_messages.py --check
