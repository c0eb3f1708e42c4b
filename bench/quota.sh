#!/bin/sh
# Quota database throughput: authorisations per second in one process, and with one short-lived
# process per job (as the CUPS backend runs), plus the cost of opening the database.
#
#   bench/quota.sh [COUNT] [PROCESSES] [PARALLEL]
#
# Uses $TOLLGATE (default: a release build in .build-quota, built if missing). Writes only to a
# temporary directory, removed at the end.
set -eu
COUNT=${1:-5000}
PROCESSES=${2:-500}
PARALLEL=${3:-4}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${TOLLGATE:-}" ]; then
    TOLLGATE="$ROOT/.build-quota/release/tollgate"
    if [ ! -x "$TOLLGATE" ]; then
        (cd "$ROOT" && swift build --scratch-path .build-quota -c release --product tollgate >&2)
    fi
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM
DB="$WORK/tollgate.db"

now_ns() { date +%s%N; }

echo "tollgate: $TOLLGATE"
echo "== one process ($COUNT authorisations, 50 users, policy track)"
"$TOLLGATE" db init --db "$DB" --currency EUR >/dev/null
"$TOLLGATE" debug bench --db "$DB" --count "$COUNT" --opens 200
"$TOLLGATE" debug bench --db "$DB" --count "$COUNT" --opens 0 --settle
echo "-- same with --durable-commits (fsync per commit)"
"$TOLLGATE" debug bench --db "$DB" --count $((COUNT / 10)) --opens 0 --durable-commits

echo "== short-lived processes ($PROCESSES, one authorisation each)"
"$TOLLGATE" topup --db "$DB" alice 1000000 >/dev/null
start=$(now_ns)
i=0
while [ $i -lt "$PROCESSES" ]; do
    "$TOLLGATE" debug authorize --db "$DB" --job "seq-$i" --user alice --amount 0.01 >/dev/null
    i=$((i + 1))
done
end=$(now_ns)
echo "sequential: $PROCESSES in $(( (end - start) / 1000000 )) ms = $(( PROCESSES * 1000000000 / (end - start) )) per second ($(( (end - start) / PROCESSES / 1000 )) µs per process)"

start=$(now_ns)
seq 1 "$PROCESSES" | xargs -P "$PARALLEL" -I{} "$TOLLGATE" debug authorize --db "$DB" --busy-timeout 60 --job "par-{}" --user alice --amount 0.01 >/dev/null
end=$(now_ns)
echo "parallel x$PARALLEL: $PROCESSES in $(( (end - start) / 1000000 )) ms = $(( PROCESSES * 1000000000 / (end - start) )) per second"

start=$(now_ns)
i=0
while [ $i -lt 100 ]; do "$TOLLGATE" --help >/dev/null; i=$((i + 1)); done
end=$(now_ns)
echo "process start-up alone (tollgate --help): $(( (end - start) / 100 / 1000 )) µs"

"$TOLLGATE" check --db "$DB" | tail -1
