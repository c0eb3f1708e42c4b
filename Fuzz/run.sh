#!/bin/sh
# Coverage-guided fuzzing with libFuzzer (swiftc -sanitize=fuzzer), one target per area:
#   Fuzz/run.sh [SECONDS_PER_TARGET]     (make fuzz FUZZ_SECONDS=3600 for a long campaign)
# Builds the fuzz targets in .build-fuzz (TOLLGATE_FUZZ=1 adds them to Package.swift), seeds
# each corpus from real documents (Tests/Fixtures/fuzz-seeds, Ghostscript and qpdf output made
# here) and runs them; a crash or hang leaves its input in .build-fuzz/findings/TARGET and fails.
# Each finding belongs in Tests/Fixtures/fuzz-regressions/TARGET/ with its fix (run by
# FuzzRegressionTests in `swift test`).
set -eu
SECONDS_PER_TARGET=${1:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/.build-fuzz
TARGETS="FuzzAnalysers FuzzIPPDecoder FuzzRatesCard FuzzStationForms"
cd "$ROOT"
for t in $TARGETS; do
    TOLLGATE_FUZZ=1 swift build --build-path "$OUT" -Xswiftc -sanitize=fuzzer --product "$t" 2>&1 | grep -v "Cannot export local symbol" >&2 || true
done
BIN=$(TOLLGATE_FUZZ=1 swift build --build-path "$OUT" --show-bin-path)

# Seeds: fixtures in git, plus documents made now with the machine's Ghostscript and qpdf.
SEEDS=$OUT/seeds
mkdir -p "$SEEDS/FuzzAnalysers" "$SEEDS/FuzzIPPDecoder" "$SEEDS/FuzzRatesCard" "$SEEDS/FuzzStationForms"
cp -f Tests/Fixtures/fuzz-seeds/analysers/* "$SEEDS/FuzzAnalysers/" 2>/dev/null || true
cp -f Tests/Fixtures/fuzz-seeds/ipp/* "$SEEDS/FuzzIPPDecoder/" 2>/dev/null || true
cp -f rates/*.toml "$SEEDS/FuzzRatesCard/" 2>/dev/null || true
cp -f Tests/Fixtures/fuzz-seeds/forms/* "$SEEDS/FuzzStationForms/" 2>/dev/null || true
PS=$SEEDS/FuzzAnalysers/colour.ps
printf '%%!PS-Adobe-3.0\n%%%%Pages: 2\n%%%%Page: 1 1\n1 0 0 setrgbcolor 72 72 100 100 rectfill showpage\n%%%%Page: 2 2\n/Helvetica findfont 12 scalefont setfont 72 700 moveto (text) show showpage\n%%%%EOF\n' >"$PS"
if command -v gs >/dev/null; then
    gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -sOutputFile="$SEEDS/FuzzAnalysers/gs.pdf" "$PS" 2>/dev/null || true
    gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pwgraster -r10 -sOutputFile="$SEEDS/FuzzAnalysers/gs.pwg" "$PS" 2>/dev/null || true
    gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=cups -r10 -sOutputFile="$SEEDS/FuzzAnalysers/gs.ras" "$PS" 2>/dev/null || true
    gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=urf -r10 -sOutputFile="$SEEDS/FuzzAnalysers/gs.urf" "$PS" 2>/dev/null || true
    gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=ljet4 -r75 -sOutputFile="$SEEDS/FuzzAnalysers/gs.pcl" "$PS" 2>/dev/null || true
    gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pxlcolor -r75 -sOutputFile="$SEEDS/FuzzAnalysers/gs.pxl" "$PS" 2>/dev/null || true
fi
if command -v qpdf >/dev/null && [ -s "$SEEDS/FuzzAnalysers/gs.pdf" ]; then
    qpdf --object-streams=generate "$SEEDS/FuzzAnalysers/gs.pdf" "$SEEDS/FuzzAnalysers/qpdf-objstm.pdf" 2>/dev/null || true
    qpdf --qdf "$SEEDS/FuzzAnalysers/gs.pdf" "$SEEDS/FuzzAnalysers/qpdf-qdf.pdf" 2>/dev/null || true
fi
printf 'Hello\tworld\r\n\fpage two\n' >"$SEEDS/FuzzAnalysers/text.txt"
printf '\033%%-12345X@PJL JOB\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n%%!PS\nshowpage\n' >"$SEEDS/FuzzAnalysers/pjl.ps"
printf 'username=alice&password=s%%20cret&csrf=ab+cd&job=12&job=13' >"$SEEDS/FuzzStationForms/form"

status=0
for t in $TARGETS; do
    corpus=$OUT/corpus/$t findings=$OUT/findings/$t
    mkdir -p "$corpus" "$findings"
    log=$OUT/$t.log
    # The analysers get 1 MiB inputs at most and 10 s per input (a hang is a finding).
    SWIFT_BACKTRACE=enable=no "$BIN/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "$SEEDS/$t" >"$log" 2>&1 || status=1
    execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    rate=$(grep -m1 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
    cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    echo "fuzz: $t: ${execs:-?} executions in ${SECONDS_PER_TARGET}s, ${rate:-?}/s, coverage ${cov:-?}, findings: $(ls "$findings" | wc -l)"
done
[ $status -eq 0 ] || { echo "fuzz: a target found a crash or hang: see .build-fuzz/*.log and .build-fuzz/findings/" >&2; exit 1; }
