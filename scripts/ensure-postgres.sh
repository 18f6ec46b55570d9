#!/usr/bin/env bash
# Prints a PostgreSQL URL the test suite can use, starting a throwaway server if none answers.
#   1. $TEST_DATABASE_URL if set, else postgres://postgres@127.0.0.1:5432/test (this machine's);
#   2. if that does not answer, a private cluster in var/pg on port 54329, created with the
#      machine's PostgreSQL binaries (installed from Debian's packages when missing, as root).
# Exits non-zero, loudly, if neither works: a PostgreSQL run that was asked for never skips.
set -euo pipefail
cd "$(dirname "$0")/.."

url=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
if .venv/bin/python - "$url" <<'PY' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
then
    echo "$url"; exit 0
fi

port=54329
dir=$PWD/var/pg
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "找不到 PostgreSQL：请安装 postgresql，或设置 TEST_DATABASE_URL。" >&2; exit 1
    fi
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chown postgres "$dir"
    run "$bin/initdb" -D "$dir" -A trust -U postgres >&2
fi
if ! run "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    run "$bin/pg_ctl" -D "$dir" -o "-h 127.0.0.1 -p $port -k $dir" -l "$dir/server.log" -w start >&2
fi
url=postgres://postgres@127.0.0.1:$port/postgres
.venv/bin/python - "$url" <<'PY' >&2
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=5).close()
PY
echo "$url"
