#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on a free port of 127.0.0.1, run a
# command with DATABASE_URL pointing at it, then stop and delete the cluster,
# whatever the command's outcome.
#
#   scripts/pg-throwaway.sh <command> [args...]
#
# PostgreSQL refuses to run as root, so as root the cluster runs as the
# 'postgres' user, in a directory that user owns.
set -euo pipefail

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pgbin" ]; then
    echo "PostgreSQL server binaries not found (Debian package: postgresql)." >&2
    exit 1
fi

dir=$(mktemp -d /tmp/mutualaid-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$dir"
    as_owner=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
    "${as_owner[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

"${as_owner[@]}" "$pgbin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
# Durability is pointless for a throwaway cluster; speed is not.
"${as_owner[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
    "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
echo "Throwaway PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/mutualaid"
status=0
"$@" || status=$?
if [ $status -ne 0 ] && [ -s "$dir/server.log" ]; then
    echo "--- last lines of the PostgreSQL log ---" >&2
    tail -n 20 "$dir/server.log" >&2
fi
exit $status
