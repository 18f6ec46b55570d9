#!/bin/sh
# A local PostgreSQL primary and its streaming read replica, for trying the replica out and for
# tests/core/test_replica.py (docs/operations.md, "A read replica").
#
#   scripts/start-replica.sh DIR [PRIMARY_PORT REPLICA_PORT]   start (or reuse) the pair in DIR;
#                                                               prints DATABASE_URL=… and
#                                                               GONGJIAN_REPLICA_URL=…
#   scripts/start-replica.sh --stop DIR                         stop both
#   scripts/start-replica.sh --destroy DIR                      stop both at once, delete DIR
#
# The primary is a fresh cluster (initdb) with WAL for replication; the replica is made from it
# by pg_basebackup -R (a standby that streams from the primary and answers reads). Both listen on
# 127.0.0.1 only, trust local connections, and keep their socket in DIR. Run as root, the
# servers run as the postgres user (PostgreSQL refuses root). Debian's binaries by default, the
# newest under /usr/lib/postgresql/*/bin (15 on Debian 12: apt-get install postgresql), or PG_BIN.
set -eu

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
DB_NAME=${DB_NAME:-gongjian}

fail() { echo "start-replica: $*" >&2; exit 1; }

as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

[ -x "$PG_BIN/initdb" ] || fail "找不到 $PG_BIN/initdb：请安装 PostgreSQL 服务器（apt-get install postgresql），或设置 PG_BIN。"

if [ "${1:-}" = "--stop" ] || [ "${1:-}" = "--destroy" ]; then
    DIR=$(realpath -m "${2:?用法：start-replica.sh --stop|--destroy DIR}")
    # --destroy: a throwaway pair (the tests'): stop at once, no shutdown checkpoint, and delete.
    mode=fast
    [ "$1" = "--destroy" ] && mode=immediate
    for node in replica primary; do
        if [ -f "$DIR/$node/postmaster.pid" ]; then
            as_pg "$PG_BIN/pg_ctl" -D "$DIR/$node" -m "$mode" -w stop >/dev/null
        fi
    done
    [ "$1" = "--destroy" ] && rm -rf "$DIR"
    exit 0
fi

DIR=$(realpath -m "${1:?用法：start-replica.sh DIR [PRIMARY_PORT REPLICA_PORT]}")
PRIMARY_PORT=${2:-55432}
REPLICA_PORT=${3:-55433}
PRIMARY="$DIR/primary"
REPLICA="$DIR/replica"

mkdir -p "$DIR"
if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$DIR"
fi
as_pg test -w "$DIR" || fail "postgres 用户不能写入 $DIR（上级目录须允许进入）。"

if [ ! -f "$PRIMARY/PG_VERSION" ]; then
    as_pg "$PG_BIN/initdb" -D "$PRIMARY" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
        --no-sync --no-instructions >"$DIR/initdb.log" 2>&1 \
        || fail "initdb 失败：$(cat "$DIR/initdb.log")"
    as_pg sh -c "cat >>'$PRIMARY/postgresql.conf'" <<EOF
listen_addresses = '127.0.0.1'
port = $PRIMARY_PORT
unix_socket_directories = '$DIR'
wal_level = replica
max_wal_senders = 5
wal_keep_size = 256MB
hot_standby = on
EOF
fi

start() { # data directory, log file
    if ! as_pg "$PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1; then
        as_pg "$PG_BIN/pg_ctl" -D "$1" -l "$2" -w -t 30 start >/dev/null \
            || fail "$1 未能启动：$(tail -n 20 "$2")"
    fi
}

start "$PRIMARY" "$DIR/primary.log"
if ! as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -Atc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" postgres | grep -q 1; then
    as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres "$DB_NAME"
fi

if [ ! -f "$REPLICA/PG_VERSION" ]; then
    as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$REPLICA" \
        -R -X stream -c fast --no-sync >"$DIR/basebackup.log" 2>&1 \
        || fail "pg_basebackup 失败：$(cat "$DIR/basebackup.log")"
    as_pg sh -c "echo 'port = $REPLICA_PORT' >>'$REPLICA/postgresql.auto.conf'"
fi
if ! as_pg "$PG_BIN/pg_ctl" -D "$REPLICA" status >/dev/null 2>&1; then
    as_pg "$PG_BIN/pg_ctl" -D "$REPLICA" -l "$DIR/replica.log" -W start >/dev/null
    # A standby answers reads once it has a snapshot of running transactions, which the primary
    # logs at each checkpoint (else only every 15 s): ask for one while waiting.
    tries=0
    until as_pg "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$REPLICA_PORT"; do
        tries=$((tries + 1))
        [ "$tries" -le 300 ] || fail "副本 30 秒内未就绪：$(tail -n 20 "$DIR/replica.log")"
        if [ $((tries % 10)) = 1 ]; then
            as_pg "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -c CHECKPOINT \
                postgres >/dev/null
        fi
        sleep 0.1
    done
fi

as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -Atc "SELECT pg_is_in_recovery()" \
    postgres | grep -q t || fail "端口 $REPLICA_PORT 上的服务器不是只读副本。"

echo "DATABASE_URL=postgres://postgres@127.0.0.1:$PRIMARY_PORT/$DB_NAME"
echo "GONGJIAN_REPLICA_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/$DB_NAME"
