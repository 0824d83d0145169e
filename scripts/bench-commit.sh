#!/usr/bin/env bash
# `make bench` for one commit, measured by this checkout's driver:
#
#   scripts/bench-commit.sh [--label NAME] REV [bench.py options...]
#
# Exports REV (any commit, branch or tag) with `git archive` into a temporary
# folder (no worktree, no checkout, nothing in .git changes), puts this
# checkout's scripts/bench.py, scripts/pg-throwaway.sh and tests/services.py in
# it, so that an older commit is measured exactly like a newer one, runs the
# benchmark there with the shared virtualenv, and brings its report back to
# bench-results/ here: bench-<label>.md and bench-<label>.json (or the --json
# path given). The folder is removed at the end, whatever the outcome.
#
# Two saved runs side by side: .venv/bin/python scripts/bench.py --table A.json B.json
# Both at once: `make bench-compare BEFORE=main AFTER=HEAD` (docs/benchmarks.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

label=""
if [ "${1:-}" = "--label" ]; then
    label=$2
    shift 2
fi
if [ $# -lt 1 ]; then
    echo "usage: scripts/bench-commit.sh [--label NAME] REV [bench.py options...]" >&2
    exit 2
fi
commit=$(git rev-parse --verify "$1^{commit}")
shift
label=${label:-${commit:0:9}}
slug=$(printf '%s' "$label" | tr -c 'A-Za-z0-9._-' '-')

json="$root/bench-results/bench-$slug.json"
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --json) json=$(realpath -m "$2"); shift 2 ;;
        --json=*) json=$(realpath -m "${1#--json=}"); shift ;;
        --compare) args+=(--compare "$(realpath "$2")"); shift 2 ;;
        --compare=*) args+=(--compare "$(realpath "${1#--compare=}")"); shift ;;
        *) args+=("$1"); shift ;;
    esac
done
mkdir -p "$root/bench-results" "$(dirname "$json")"

work=$(mktemp -d /tmp/mutualaid-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
git archive "$commit" | tar -x -C "$work"
ln -s "$(readlink -f "$root/.venv")" "$work/.venv"
cp scripts/bench.py scripts/pg-throwaway.sh "$work/scripts/"
mkdir -p "$work/tests"
cp tests/services.py "$work/tests/services.py"
[ -f "$work/tests/__init__.py" ] || : >"$work/tests/__init__.py"

echo "Benchmarking $label ($commit) in $work"
status=0
(cd "$work" && BENCH_COMMIT=$commit .venv/bin/python scripts/bench.py \
    --label "$label" --json "$json" ${args[@]+"${args[@]}"}) || status=$?
for report in "$work"/bench-results/bench-*.md; do
    [ -e "$report" ] && cp "$report" "$root/bench-results/bench-$slug.md"
done
[ "$status" -eq 0 ] && echo "Saved: $json and bench-results/bench-$slug.md"
exit "$status"
