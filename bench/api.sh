#!/bin/sh
# The Accounts API under load: wrk on loopback against POST /api/v1/{site}/activities (every
# request a new credit with its own Idempotency-Key, over 1000 users; each one a BEGIN IMMEDIATE
# transaction with its ledger row and stored answer) and GET /api/v1/users/NAME. Prints wrk's
# latency distribution (p50/p99) and requests/s. Figures, not a test.
#
#   bench/api.sh [BIN_DIR]        # default: the release build's bin path (make bench passes it)
#   API_BENCH_SECONDS=10 API_BENCH_CONNECTIONS=8 bench/api.sh .build/debug
#
# Needs wrk, curl, python3.
set -eu
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "bench/api.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
bin="${1:-$(swift build -c release --static-swift-stdlib --show-bin-path)}"
seconds="${API_BENCH_SECONDS:-10}"
connections="${API_BENCH_CONNECTIONS:-8}"
dir=$(mktemp -d /tmp/tollgate-api-bench.XXXXXX)
chmod 700 "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/tollgate" db init --currency points --db "$dir/t.db" --pin-key "$dir/pin.key" >/dev/null
"$bin/tollgate" account add Physics --code PHY --soft 150 --hard 200 --global --db "$dir/t.db" >/dev/null
"$bin/tollgate" user add $(seq -f 'u%g' 0 999) --db "$dir/t.db" >/dev/null
"$bin/tollgate" api-client add bench --scope billing-accounts --scope reports:read --db "$dir/t.db" >"$dir/client"
"$bin/tollgated" --listen "127.0.0.1:$port" --db "$dir/t.db" --pin-key "$dir/pin.key" --cups-server "$dir/none.sock" \
    --no-socket --no-gate --api-rate-limit 0 --email-domain example.edu --api-token-lifetime 3600 >"$dir/tollgated.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in 1 2 3 4 5 6 7 8 9 10; do curl -sf -o /dev/null "http://127.0.0.1:$port/api/v1/openapi.json" && break; sleep 0.5; done
id=$(awk '/client_id/ {print $2}' "$dir/client")
secret=$(awk '/client_secret/ {print $2}' "$dir/client")
token=$(curl -s -u "$id:$secret" -d grant_type=client_credentials "http://127.0.0.1:$port/oauth/token" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
cat >"$dir/credit.lua" <<LUA
local counter, thread_id = 0, 0
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
function init(args) counter = 0 end
function request()
  counter = counter + 1
  local body = string.format('{"useremail":"u%d@example.edu","accountId":1,"activityType":"credit","quantity":1,"amount":-1}', counter % 1000)
  return wrk.format("POST", "/api/v1/tollgate/activities",
    {["Authorization"] = "Bearer $token", ["Content-Type"] = "application/json",
     ["Idempotency-Key"] = string.format("bench-%d-%d", tid, counter)}, body)
end
function done(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p99 %.2f ms, %d requests, %d non-2xx\n", latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests, summary.errors.status))
end
LUA
echo "api bench: POST /api/v1/tollgate/activities (a new credit per request), $connections connections, ${seconds}s, $bin"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$dir/credit.lua" "http://127.0.0.1:$port" | grep -E 'Latency|50%|99%|Requests/sec|Non-2xx|p50'
echo "api bench: GET /api/v1/users/u1"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/users/u1" |
    grep -E 'Latency|50%|99%|Requests/sec|Non-2xx'
credits=$("$bin/tollgate" ledger --db "$dir/t.db" --kind credit --json 2>/dev/null | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))' || echo '?')
echo "api bench: $credits credits in the ledger; tollgate check: $("$bin/tollgate" check --db "$dir/t.db" >/dev/null 2>&1 && echo OK || echo FAILED)"
