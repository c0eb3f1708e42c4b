#!/usr/bin/env bash
# The Tollgate demo: a private cupsd and a virtual IPP printer on loopback, a queue behind
# `tollgate:`, a job printed through it, and everything stopped again at the end.
# Usage: demo/run-demo.sh BIN_DIR   (BIN_DIR holds the built tollgate-backend)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${1:?usage: run-demo.sh BIN_DIR}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Starting a private cupsd and one virtual IPP Everywhere printer (ippeveprinter) on loopback"
eval "$("$root/cups/tollgate-bench" start --backend "$bin/tollgate-backend" --owner $$)"
trap '"$root/cups/tollgate-bench" stop "$TOLLGATE_BENCH_DIR"; echo "Bench stopped and removed."' EXIT
export CUPS_SERVER
echo "cupsd: $CUPS_SERVER (and 127.0.0.1:$CUPS_PORT); printer: $PRINTER1_URI"

step "Creating queue 'library' in front of the printer: device URI tollgate:$PRINTER1_URI"
"$root/cups/tollgate-bench" queue "$TOLLGATE_BENCH_DIR" library everywhere 1
lpstat -v library

step "Printing a 3-page document (one colour page) to 'library'"
work=$(mktemp -d)
trap 'rm -rf "$work"; "$root/cups/tollgate-bench" stop "$TOLLGATE_BENCH_DIR"; echo "Bench stopped and removed."' EXIT
cat >"$work/handout.ps" <<'PS'
%!PS
/Helvetica findfont 28 scalefont setfont
1 1 3 { /n exch def
  << /PageSize [595 842] >> setpagedevice
  n 2 eq { 0 0.4 0.8 setrgbcolor } { 0 setgray } ifelse
  72 720 moveto (Tollgate demo handout, page ) show n 3 string cvs show
  showpage } for
PS
gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -o "$work/handout.pdf" "$work/handout.ps"
lp -d library -t "Demo handout" "$work/handout.pdf"

for _ in $(seq 1 100); do
    [ -z "$(lpstat -o library 2>/dev/null)" ] && break
    sleep 0.2
done

step "lpstat: the job completed"
lpstat -W completed -o library

step "What the virtual printer received"
ls -l "$PRINTER1_OUT" | grep -v '\.prn$'
for f in "$PRINTER1_OUT"/*; do
    case $f in *.prn) continue ;; esac
    echo "$(basename "$f"): $(pdfinfo "$f" 2>/dev/null | grep -E '^Pages:' || echo 'not a PDF')"
done

step "What the tollgate backend told cupsd (error_log)"
grep -E 'Tollgate:' "$CUPS_ERROR_LOG" | sed 's/^D \[[^]]*\] //'

step "Done"
