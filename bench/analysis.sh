#!/bin/sh
# Benchmarks tollgate-analyse against `gs -sDEVICE=inkcov` and `qpdf --show-npages`, and measures
# how often its per-page colour verdict agrees with a full 72 dpi render judged by the rule
# "colour when some pixel's max−min RGB channel spread > 16 of 255".
#
# Then, for big generated documents (20 MB of PostScript as photos and as 3300 pages of text, a
# 3300-page PDF, a 200 MB poster PDF), the time of a whole analysis next to Ghostscript alone
# (`-sDEVICE=inkcov`, and `-sDEVICE=nullpage`, which interprets without rendering), side by side.
#
# usage: bench/analysis.sh [TOOL] [RUNS]
#   TOOL defaults to .build-analysis/release/tollgate-analyse (build it with
#   swift build --scratch-path .build-analysis -c release --product tollgate-analyse)
#   BIG_RUNS (default 3): runs per big document; BEFORE=PATH: another tollgate-analyse (an older
#   build) timed on the big documents too; BIG_ONLY=1: the big documents only.
# Needs: ghostscript, qpdf, jq. Documents: PDFs shipped in Debian packages (/usr/share/doc,
# /usr/share/cups/data) plus the generated variants from bench/analysis-make-documents.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tool=${1:-$here/../.build-analysis/release/tollgate-analyse}
runs=${2:-5}
big_runs=${BIG_RUNS:-3}
before=${BEFORE:-}
[ -x "$tool" ] || { echo "analysis.sh: $tool not found; build it first" >&2; exit 2; }
[ -z "$before" ] || [ -x "$before" ] || { echo "analysis.sh: BEFORE=$before is not executable" >&2; exit 2; }
docs=$("$here/analysis-make-documents.sh" /tmp/tollgate-analysis-bench)

now() { date +%s%N; }
# Average wall time in ms of running "$@" N times (output discarded): time_ms N command…
time_ms() {
  n=$1; shift
  start=$(now); i=0
  while [ $i -lt "$n" ]; do "$@" >/dev/null 2>&1 || true; i=$((i + 1)); done
  echo $(( ($(now) - start) / n / 1000000 ))
}

big_documents() {
  # As the backend hands a job to tollgate-analyse: on stdin, from a file only root may read when
  # this runs as root (the backend's spool file is root's, mode 0600), so the unprivileged
  # analyser cannot reopen it by name.
  [ "$(id -u)" != 0 ] || chmod 600 "$docs"/big/*
  echo
  echo "big documents: mean wall time of $big_runs runs, in ms (tollgate: the whole analysis, on stdin as from the backend)"
  heading=""; [ -z "$before" ] || heading="| before_ms (its count)"
  printf '%-24s %7s %6s | %11s %11s %11s | %8s %s\n' document MB pages tollgate_ms inkcov_ms nullpage_ms "x inkcov" "$heading"
  for f in "$docs"/big/*; do
    json=$("$tool" --json - < "$f" 2>/dev/null) || json='{}'
    pages=$(echo "$json" | jq -r '.pageCount // ("not counted: " + (.failure.kind // "analysis failed"))')
    t_tool=$(time_ms "$big_runs" sh -c '"$0" --json - < "$1"' "$tool" "$f")
    t_inkcov=$(time_ms "$big_runs" gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=inkcov -o /dev/null "$f")
    t_null=$(time_ms "$big_runs" gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=nullpage -o /dev/null "$f")
    column=""
    if [ -n "$before" ]; then
      old=$("$before" --json - < "$f" 2>/dev/null | jq -r '.pageCount // "not counted"') || old="failed"
      column="| $(time_ms "$big_runs" sh -c '"$0" --json - < "$1"' "$before" "$f") ($old)"
    fi
    printf '%-24s %7s %6s | %11d %11d %11d | %8s %s\n' "$(basename "$f")" \
      "$(awk -v b="$(wc -c < "$f")" 'BEGIN { printf "%.1f", b / 1048576 }')" "$pages" "$t_tool" "$t_inkcov" "$t_null" \
      "$(awk -v a="$t_tool" -v b="$t_inkcov" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }')" "$column"
  done
}
if [ -n "${BIG_ONLY:-}" ]; then big_documents; exit 0; fi

printf '%-40s %6s | %10s %8s %8s | %10s %8s | %10s | %7s %9s %s\n' \
  document pages tollgate_ms pages/s colour_ms inkcov_ms pages/s qpdf_ms rendered agreement "(disagreeing pages)"
total_pages=0; total_agree=0
for f in $(find /usr/share/doc /usr/share/cups/data -name '*.pdf' 2>/dev/null | sort) "$docs"/*.pdf; do
  json=$("$tool" --json "$f" 2>/dev/null) || { printf '%-40s analysis failed\n' "$(basename "$f")"; continue; }
  pages=$(echo "$json" | jq '.pageCount // 0')
  [ "$pages" -gt 0 ] || continue
  colour_ms=$(echo "$json" | jq '[.provenance[] | select(.figure == "colour") | .milliseconds] | add // 0')
  rendered=$(echo "$json" | jq '[.pages[] | select(.colourMethod == "ghostscriptRender") | (.lastPage - .firstPage + 1)] | add // 0')
  t_tool=$(time_ms "$runs" "$tool" --json "$f")
  t_inkcov=$(time_ms "$runs" gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=inkcov -o - "$f")
  t_qpdf=$(time_ms "$runs" qpdf --show-npages "$f")
  # Reference: every page rendered at 72 dpi and judged by the same rule.
  reference=$("$tool" --json --render-all-pages "$f" 2>/dev/null)
  mine=$(echo "$json" | jq -c '[.pages[] | . as $r | range(.firstPage; .lastPage + 1) | {p: ., c: $r.colour}]')
  ref=$(echo "$reference" | jq -c '[.pages[] | . as $r | range(.firstPage; .lastPage + 1) | {p: ., c: $r.colour}]')
  disagree=$(jq -n --argjson a "$mine" --argjson b "$ref" \
    '[range(0; $a | length) | select($a[.].c != $b[.].c) | $a[.].p] | join(",")' -r)
  n_dis=$(jq -n --argjson a "$mine" --argjson b "$ref" '[range(0; $a | length) | select($a[.].c != $b[.].c)] | length')
  agree=$((pages - n_dis))
  total_pages=$((total_pages + pages)); total_agree=$((total_agree + agree))
  pps_tool=$(( t_tool > 0 ? pages * 1000 / t_tool : 0 ))
  pps_inkcov=$(( t_inkcov > 0 ? pages * 1000 / t_inkcov : 0 ))
  printf '%-40s %6d | %10d %8d %8.1f | %10d %8d | %10d | %7d %5d/%-4d %s\n' \
    "$(basename "$f")" "$pages" "$t_tool" "$pps_tool" "$colour_ms" "$t_inkcov" "$pps_inkcov" "$t_qpdf" "$rendered" "$agree" "$pages" "$disagree"
done
echo "per-page colour agreement with a full 72 dpi render: $total_agree / $total_pages pages"
echo "(tollgate_ms, inkcov_ms, qpdf_ms: mean wall time over $runs runs; colour_ms: tollgate's own colour time incl. rendering)"
big_documents
