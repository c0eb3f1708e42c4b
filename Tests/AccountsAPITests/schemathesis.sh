#!/bin/sh
# Runs schemathesis (PyPI) from docs/openapi.json against a real tollgated on a scratch database,
# bounded in examples and time: no 5xx, every response as the document says. Not a swift test
# (it needs schemathesis: `pip install schemathesis`, or SCHEMATHESIS=/path/to/schemathesis).
# Usage: Tests/AccountsAPITests/schemathesis.sh [BUILD_DIR]   (default .build/debug)
set -eu
build=$(cd "${1:-.build/debug}" && pwd)
st=${SCHEMATHESIS:-schemathesis}
dir=$(mktemp -d /tmp/tollgate-schemathesis.XXXXXX)
chmod 700 "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$build/tollgate" db init --currency points --db "$dir/t.db" --pin-key "$dir/pin.key" >/dev/null
"$build/tollgate" account add Physics --code PHY --soft 150 --hard 200 --db "$dir/t.db" >/dev/null
"$build/tollgate" user edit alice --email alice@example.edu --db "$dir/t.db" >/dev/null
"$build/tollgate" api-client add schemathesis --scope billing-accounts --scope reports:read --scope accounts:admin --scope jobs:release --db "$dir/t.db" >"$dir/client"
"$build/tollgated" --listen "127.0.0.1:$port" --db "$dir/t.db" --pin-key "$dir/pin.key" --cups-server "$dir/none.sock" \
    --no-socket --api-rate-limit 0 >"$dir/tollgated.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in 1 2 3 4 5 6 7 8 9 10; do curl -sf -o /dev/null "http://127.0.0.1:$port/api/v1/openapi.json" && break; sleep 0.5; done
id=$(awk '/client_id/ {print $2}' "$dir/client")
secret=$(awk '/client_secret/ {print $2}' "$dir/client")
token=$(curl -s -u "$id:$secret" -d grant_type=client_credentials "http://127.0.0.1:$port/oauth/token" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
# schemathesis keeps its cache in the working directory: the scratch one, not the repository.
cd "$dir"
# not_a_server_error and response_schema_conformance are the contract; the checks of how strictly
# the server validates (positive/negative data acceptance) are reported, not enforced.
timeout 600 "$st" run "http://127.0.0.1:$port/api/v1/openapi.json" --url "http://127.0.0.1:$port" \
    -H "Authorization: Bearer $token" -H "Idempotency-Key: schemathesis-$$" --max-examples 25 \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --no-color
