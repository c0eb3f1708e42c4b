#!/usr/bin/env python3
"""Writes docs/BENCHMARKS.md: every benchmark of bench/ and the fuzz campaign, run now, one after
the other, on this machine; each section gives the command that reproduces it and what it printed.

    make benchmarks                       # builds the release, then runs this
    python3 bench/report.py --bin "$(swift build -c release --static-swift-stdlib --show-bin-path)"
    python3 bench/report.py --bin BIN --only load,quota --out /tmp/part.md

Figures, not tests: a benchmark that fails is reported as failed in its section (with the end of
what it said), the other sections still run, and the exit status is 1. The machine's description
(CPU, cores, memory, Debian, kernel, Swift, CUPS, Ghostscript, qpdf, commit) heads the file: these
shared 2-core machines are noisy, so each benchmark prints its reference (the bare backend, cat,
Ghostscript, qpdf, cupsd straight to the printer) measured in the same run, and the ratios are
what to compare between machines.

Needs root (the benchmarks start private cupsd benches and add users), and what `make bench`
installs (wrk).
"""
import argparse
import datetime
import os
import platform
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sections(bin_dir):
    """(key, title, what it measures, command, extra environment) in the order they run."""
    return [
        ("backend", "Backend overhead, pass-through and memory",
         "What the `tollgate:` backend adds to a job: start-up in front of a no-op backend and in front of "
         "CUPS's ipp backend printing to ippeveprinter; the full path on a private cupsd (spool, analysis, "
         "price, authorise, settle) on SQLite and on PostgreSQL over TCP with TLS and SCRAM, each database "
         "holding 1 000 000 ledger rows, with a timeline of its phases, and jobs per second with 1, 4 and 16 "
         "backends at once; a 1 GiB stream on stdin next to `cat` to the same file "
         "system, and the backend's peak RSS for a small and a 1 GiB job.",
         ["python3", "bench/backend.py", "--bin", bin_dir, "--postgres", "--ledger-rows", "1000000",
          "--sections", "startup,ipp,fullpath,concurrency,rules,phases,stream"], {}),
        ("analysis", "Page and colour analysis next to Ghostscript and qpdf",
         "tollgate-analyse next to `gs -sDEVICE=inkcov` and `qpdf --show-npages` on the same files "
         "(PDFs shipped in Debian packages and generated ones), its colour verdict's agreement with a "
         "72 dpi render, and big documents next to Ghostscript alone.",
         ["bench/analysis.sh", os.path.join(bin_dir, "tollgate-analyse"), "5"], {"BIG_RUNS": "2"}),
        ("quota", "Authorisations per second",
         "Reserve-and-settle on the SQLite quota database: in one process, and one short-lived process per "
         "job as the backend runs (4 at once), and the cost of opening the database.",
         ["bench/quota.sh", "5000", "500", "4"], {"TOLLGATE": os.path.join(bin_dir, "tollgate")}),
        ("station", "Release station latency",
         "wrk on loopback against the station's job list (HTML and JSON) of a signed-in user with 1000 "
         "jobs held in a private cupsd.",
         ["bench/station.sh"], {"STATION_BENCH_SCRATCH": ".build"}),
        ("api", "Accounts API under load",
         "wrk on loopback against the Accounts API: a new credit per request (its own Idempotency-Key) "
         "and a user lookup, p50/p99 and requests per second.",
         ["bench/api.sh", bin_dir], {}),
        ("load", "Load: 1000 jobs, 50 users, 4 queues",
         "1000 jobs of mixed real documents from 50 real users (useradd) through 4 queues (IPP raw, IPP "
         "through cupsd's filters, two raw socket printers) decided by tollgated's gate service on one "
         "SQLite database, next to the same jobs sent straight to the printers; then every job is "
         "accounted for (one debit per printed job, none for held ones, wallets re-derived, check, "
         "reconcile, no \"database is locked\").",
         ["python3", "bench/load.py", "--bin", bin_dir], {}),
        ("fuzz", "Fuzzing throughput",
         "libFuzzer (swiftc -sanitize=fuzzer) on each target for 60 s, seeded from real documents: the "
         "document analysers, the IPP decoder, the rates-card parser, the station's form and cookie "
         "parsing. Executions per second, coverage and findings.",
         ["Fuzz/run.sh", "60"], {}),
    ]


def capture(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in capture(["lscpu"]).splitlines()
                if line.startswith("Model name:")), platform.processor() or "unknown")
    with open("/proc/meminfo") as f:
        mem_kib = int(next(line.split()[1] for line in f if line.startswith("MemTotal:")))
    with open("/etc/debian_version") as f:
        debian = f.read().strip()

    def package(name):
        return capture(["dpkg-query", "-W", "-f=${Version}", name]) or "not installed"

    return [
        ("CPU", f"{cpu}, {os.cpu_count()} cores"),
        ("Memory", f"{mem_kib / 1024 / 1024:.1f} GiB"),
        ("System", f"Debian {debian}, Linux {platform.release()}"),
        ("Swift", (capture(["swift", "--version"]).splitlines() or ["unknown"])[0]),
        ("CUPS", f"cups-daemon {package('cups-daemon')}, cups-filters {package('cups-filters')}"),
        ("Ghostscript, qpdf", f"{package('ghostscript')}, {package('qpdf')}"),
        ("SQLite, PostgreSQL", f"libsqlite3-0 {package('libsqlite3-0')}, postgresql {package('postgresql')}"),
        ("Tollgate", capture(["git", "-C", ROOT, "log", "-1", "--format=%h %s"])[:100]),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="the release build's bin directory")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "BENCHMARKS.md"))
    parser.add_argument("--only", help="comma-separated sections (backend,analysis,quota,station,api,load,fuzz)")
    options = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("report: run as root (private cupsd benches, useradd)")
    bin_dir = os.path.abspath(options.bin)
    chosen = sections(bin_dir)
    if options.only:
        wanted = set(options.only.split(","))
        unknown = wanted - {key for key, *_ in chosen}
        if unknown:
            sys.exit(f"report: no section {', '.join(sorted(unknown))}")
        chosen = [s for s in chosen if s[0] in wanted]

    started = datetime.datetime.now(datetime.timezone.utc)
    results, failed = [], []
    for key, title, what, command, extra in chosen:
        shown = " ".join(f"{k}={shlex.quote(v)}" for k, v in extra.items())
        shown = (shown + " " if shown else "") + " ".join(shlex.quote(c) for c in command)
        shown = shown.replace(bin_dir, "$BIN")
        print(f"report: {key}: {shown}", flush=True)
        begin = time.monotonic()
        run = subprocess.run(command, cwd=ROOT, env=dict(os.environ, **extra), capture_output=True, text=True)
        seconds = time.monotonic() - begin
        output = run.stdout.rstrip()
        if run.returncode != 0:
            failed.append(key)
            tail = "\n".join(run.stderr.rstrip().splitlines()[-15:])
            output += f"\n\nFAILED: exit {run.returncode}\n{tail}"
        print(output, flush=True)
        results.append((title, what, shown, seconds, output.replace(bin_dir, "$BIN")))

    lines = ["# Benchmarks", "",
             f"Produced by `make benchmarks` (`bench/report.py`) on {started:%Y-%m-%d %H:%M} UTC; every figure below "
             "is what the command above it printed in that run. `$BIN` is the release build's bin directory "
             "(`swift build -c release --static-swift-stdlib --show-bin-path`). Each benchmark measures its "
             "reference in the same run: compare ratios between machines, not milliseconds.", "",
             "## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in machine()]
    for title, what, shown, seconds, output in results:
        lines += ["", f"## {title}", "", what, "", "```sh", shown, "```", "",
                  f"Took {seconds:.0f} s:", "", "```", output, "```"]
    os.makedirs(os.path.dirname(options.out), exist_ok=True)
    with open(options.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"report: wrote {options.out}" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
