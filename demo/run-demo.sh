#!/usr/bin/env bash
# The Tollgate demo: a private cupsd and a virtual IPP printer on loopback, a quota queue behind
# `tollgate:`, a billing account and a personal wallet; jobs print until the account's allocation
# runs out, the next is split with the wallet, one is held with its reason, a top-up and a release
# print it, and the ledger proves every balance. Then a secure printer: a job waits for its owner,
# the release station (tollgated) runs on loopback, and the job is released at a terminal.
# Everything is stopped and removed at the end.
# Usage: demo/run-demo.sh BIN_DIR   (BIN_DIR holds tollgate-backend, tollgate-gate, tollgate, tollgate-analyse, tollgated)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${1:?usage: run-demo.sh BIN_DIR}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '$ %s\n' "$*"; "$@"; }

state=$(mktemp -d)
bench=""
station=""
cleanup() {
    if [ -n "$station" ]; then kill "$station" 2>/dev/null; wait "$station" 2>/dev/null || true; fi
    [ -n "$bench" ] && "$root/cups/tollgate-bench" stop "$bench" && echo "Bench stopped and removed."
    rm -rf "$state"
}
trap cleanup EXIT
export TOLLGATE_DB="$state/tollgate.db"
export TOLLGATE_PIN_KEY="$state/pin.key"      # tollgate pin set makes it (0600) on first use
tollgate() { "$bin/tollgate" "$@"; }

step "Tollgate's state: a quota database and a rates card (rates/example.toml)"
mkdir "$state/rates"
cp "$root/rates/example.toml" "$state/rates/default.toml"
say tollgate db init --currency EUR

step "A private cupsd and a virtual IPP Everywhere printer on loopback (the system's CUPS is untouched)"
eval "$("$root/cups/tollgate-bench" start --backend "$bin/tollgate-backend" --owner $$ \
    --env "TOLLGATE_DB=$TOLLGATE_DB" --env "TOLLGATE_RATES_DIR=$state/rates" \
    --env "TOLLGATE_ANALYSE=$bin/tollgate-analyse" --env "TOLLGATE_GATE_SOCKET=$state/gate.sock" \
    --env "TOLLGATE_GATE_PROGRAM=$bin/tollgate-gate")"
bench=$TOLLGATE_BENCH_DIR
export CUPS_SERVER
echo "cupsd: $CUPS_SERVER; printer: $PRINTER1_URI"
echo "(cups-files.conf gives the backend its settings: SetEnv TOLLGATE_DB …, SetEnv TOLLGATE_RATES_DIR …)"

step "Queue 'library' behind tollgate:, in quota mode (set by the administrator with lpadmin)"
"$root/cups/tollgate-bench" queue "$bench" library everywhere 1 -o tollgate-mode-default=quota
lpstat -v library
lpoptions -p library | tr ' ' '\n' | grep '^tollgate-' || true

step "A billing account with a small allocation, and a personal wallet"
me=$(id -un)
say tollgate account add Library --code LIB-1 --global --soft 0.40 --hard 0.50
say tollgate topup "$me" 0.30 --reference demo-receipt-1
say tollgate user show "$me"

work="$state/docs"
mkdir "$work"
make_pdf() { # make_pdf NAME PAGES COLOUR_PAGE
    {
        echo '%!PS'
        echo '/Helvetica findfont 28 scalefont setfont'
        for ((p = 1; p <= $2; p++)); do
            echo '<< /PageSize [595 842] >> setpagedevice'
            if [ "$p" = "$3" ]; then echo '0 0.4 0.8 setrgbcolor'; else echo '0 setgray'; fi
            echo "72 720 moveto ($1, page $p) show showpage"
        done
    } >"$work/$1.ps"
    gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -o "$work/$1.pdf" "$work/$1.ps"
}
make_pdf handout 3 2
make_pdf notes 2 0

wait_job() { # wait_job ID: until it is no longer pending/processing
    for _ in $(seq 1 150); do
        lpstat -o library 2>/dev/null | grep -q "^library-$1 " || return 0
        lpstat -l -o library 2>/dev/null | grep -A3 "^library-$1 " | grep -q 'job-hold-until-specified' && return 0
        sleep 0.2
    done
}
print() { # print FILE
    local id
    id=$(lp -d library -o print-color-mode=color -t "$(basename "$1")" "$1" | sed -E 's/.*library-([0-9]+).*/\1/')
    wait_job "$id"
    echo "printed $(basename "$1") as job $id" >&2
    echo "$id"
}

step "What the handout costs on this queue (tollgate quote, no printing)"
say tollgate quote "$work/handout.pdf" --card "$state/rates/default.toml"

step "Printing: the account's allocation pays first"
print "$work/handout.pdf" >/dev/null
print "$work/notes.pdf" >/dev/null
say tollgate user show "$me"

step "The allocation is nearly used up: the next job is split between account and wallet"
print "$work/notes.pdf" >/dev/null
say tollgate user show "$me"

step "Not enough left: the job is held, and says why"
held=$(print "$work/handout.pdf")
lpstat -l -o library
echo "(nothing reached the printer for job $held: $(ls "$PRINTER1_OUT" | grep -vc '\.prn$') documents received so far)"

step "A top-up, then the job is released and prints, charged once"
say tollgate topup "$me" 1.00 --reference demo-receipt-2
say lp -i "$held" -H resume
wait_job "$held"
for _ in $(seq 1 50); do lpstat -W completed -o library | grep -q "^library-$held " && break; sleep 0.2; done
lpstat -W completed -o library

step "What the virtual printer received"
ls "$PRINTER1_OUT" | grep -v '\.prn$'

step "The ledger, and the proof that every balance equals it"
say tollgate ledger
say tollgate user show "$me"
say tollgate check

step "A secure printer: every job waits for its owner at the release station"
"$root/cups/tollgate-bench" queue "$bench" secure everywhere 1 -o tollgate-mode-default=release \
    -o tollgate-hold-hours-default=24 -o printer-op-policy=tollgate
echo "(printer-op-policy=tollgate: cups/tollgate-policy.conf; only Tollgate may release jobs at cupsd)"
secure_job=$(lp -d secure -o print-color-mode=color -t "handout.pdf" "$work/handout.pdf" | sed -E 's/.*secure-([0-9]+).*/\1/')
for _ in $(seq 1 150); do
    lpstat -l -o secure 2>/dev/null | grep -q 'release station' && break
    sleep 0.2
done
lpstat -l -o secure
say tollgate jobs
echo "(cupsd alone cannot print it: 'lp -i $secure_job -H resume' would only hold it again, without a grant)"

step "The release station: tollgated on loopback"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# It also serves the backends' gate socket: from now on each job is decided and settled there,
# on its open database (until now each backend decided its job in its own process).
"$bin/tollgated" --listen "127.0.0.1:$port" --socket "$state/tollgated.sock" --gate-socket "$state/gate.sock" >"$state/tollgated.log" 2>&1 &
station=$!
for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
    sleep 0.1
done
echo "Open http://127.0.0.1:$port/ in a browser on this machine: sign in with a system password,"
echo "or with a card number and PIN, choose the account and release. The portal is /portal."
printf '$ curl -s http://127.0.0.1:%s/ | grep -o "<title>.*</title>"\n' "$port"
curl -fsS "http://127.0.0.1:$port/" | grep -o '<title>.*</title>'
echo '$ echo 4711 | tollgate pin set '"$me"' --card 004217'
echo 4711 | tollgate pin set "$me" --card 004217

step "Released at a terminal: tollgate release (funds checked first, then a grant, then cupsd)"
say tollgate release "$secure_job"
for _ in $(seq 1 100); do lpstat -W completed -o secure | grep -q "^secure-$secure_job " && break; sleep 0.2; done
lpstat -W completed -o secure
say tollgate jobs --history

step "What the tollgate backend told cupsd (error_log)"
grep -aE 'Tollgate:' "$CUPS_ERROR_LOG" | grep -avE 'through .*backend/|real backend exited|Set job-printer-state-message' | sed 's/^. \[[^]]*\] //'

step "Done"
