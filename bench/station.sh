#!/bin/sh
# The release station under load: 1000 held jobs of one user (real jobs held in a private cupsd,
# each with its held_job record written through the quota store), then wrk on loopback against
# GET /api/jobs and GET /jobs with a signed-in session. Prints p50/p99 and requests/s.
#
#   bench/station.sh              # release build (slow to build the first time: Hummingbird)
#   STATION_BENCH_CONFIG=debug bench/station.sh
#   TOLLGATE_STATION_BENCH_JOBS=200 TOLLGATE_STATION_BENCH_SECONDS=10 bench/station.sh
#
# Needs root (the bench's cupsd runs backends as root), wrk, cups, cups-ipp-utils, curl.
set -eu
cd "$(dirname "$0")/.."
config="${STATION_BENCH_CONFIG:-release}"
scratch="${STATION_BENCH_SCRATCH:-.build-station}"
command -v wrk >/dev/null || { echo "bench/station.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
# A release build is made as `make build` makes it (static Swift runtime): `make bench` shares
# its .build, and a build without the flag would replace the installable binaries with ones
# that load the Swift runtime at every start.
flags=""
[ "$config" = release ] && flags="--static-swift-stdlib"
swift build -c "$config" $flags --scratch-path "$scratch" >&2
bin="$(swift build -c "$config" $flags --scratch-path "$scratch" --show-bin-path)"
# The measured server (tollgated) and the backend are the $config build; the harness that sets
# the scene up is the test target (debug).
export TOLLGATE_BIN_DIR="$bin" TOLLGATE_STATION_BENCH=1
swift test --scratch-path "$scratch" --filter 'StationTests.StationBenchmark' 2>&1 \
    | grep -E '^(station bench:|  |Running|[0-9]+ requests)|Latency|Req/Sec|Requests/sec|Transfer/sec|Non-2xx|✘|error' || true
