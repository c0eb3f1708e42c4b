#!/usr/bin/env python3
"""Backend benchmark: what the `tollgate:` wrapper adds in front of a real CUPS backend.

These figures are the wrapper's mechanics (spool, privilege rule, exec, signals), measured with
`tollgate-backend-transparent` (the same wrapper without the charging gate, which would need a
cupsd job to look up). The full path (analysis, price, authorise, settle) is measured on a
private cupsd by a later benchmark.

Prints figures (not a test). Runs as root, like cupsd runs the backend:
  1. start-up overhead: wall time of tollgate-backend in front of a no-op real backend vs the
     no-op backend alone (median of N runs, 1-page PDF as argv[6]);
  2. the same against a real printer: tollgate:ipp://… vs the ipp backend alone, printing a
     1-page PDF to an ippeveprinter of a private bench;
  3. pass-through of a large stream on stdin (cupsd's filter chain → backend) vs `cat` to the
     same file system, and the backend's peak RSS for a small and a large job (flat = constant
     memory).

Usage: bench/backend.py --bin BIN_DIR [--runs 40] [--stream-mib 1024]
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOOP_C = r"""
#include <stdlib.h>
#include <unistd.h>
/* A real backend that does nothing: reads its stdin to the end (argc 6), unless NOOP_SKIP_INPUT. */
int main(int argc, char **argv) {
    if (argc == 1) return 0;
    char buffer[1 << 16];
    if (argc == 6 && !getenv("NOOP_SKIP_INPUT")) { while (read(0, buffer, sizeof buffer) > 0) {} }
    return 0;
}
"""
LIBCUPS_C = r"""
#include <cups/http.h>
/* Only loads libcups2 and parses one URI: the floor of any program that uses libcups. */
int main(void) {
    char s[64], u[64], h[256], r[256]; int p;
    return httpSeparateURI(HTTP_URI_CODING_MOST, "ipp://localhost/ipp/print", s, 64, u, 64, h, 256, &p, r, 256) < 0;
}
"""


def run_timed(argv, env, stdin=None):
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench: {argv[0]} exited with {result.returncode}")
    return elapsed


def median_ms(samples):
    return statistics.median(samples) * 1000


def exec_with_argv0(argv0, path, args):
    """bash's exec -a sets argv[0] as cupsd does (the device URI)."""
    return ["/bin/bash", "-c", 'exec -a "$0" "$@"', argv0, path] + args


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="directory with the release tollgate-backend")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--stream-mib", type=int, default=1024)
    parser.add_argument("--full-path-runs", type=int, default=30)
    options = parser.parse_args()
    backend = os.path.join(options.bin, "tollgate-backend-transparent")
    if os.geteuid() != 0:
        sys.exit("bench: run as root (cupsd runs the backend as root)")

    work = tempfile.mkdtemp(prefix="tollgate-bench-backend.")
    os.chmod(work, 0o755)
    bench_dir = None
    try:
        # A private ServerBin with a no-op backend (root, 0700: no privilege change either way).
        serverbin = os.path.join(work, "serverbin")
        os.makedirs(os.path.join(serverbin, "backend"))
        for d in (serverbin, os.path.join(serverbin, "backend")):
            os.chmod(d, 0o755)
        with open(os.path.join(work, "noop.c"), "w") as f:
            f.write(NOOP_C)
        noop = os.path.join(serverbin, "backend", "noop")
        subprocess.run(["cc", "-O2", "-o", noop, os.path.join(work, "noop.c")], check=True)
        os.chmod(noop, 0o700)
        with open(os.path.join(work, "libcups.c"), "w") as f:
            f.write(LIBCUPS_C)
        libcups_only = os.path.join(work, "libcups-only")
        subprocess.run(["cc", "-O2", "-o", libcups_only, os.path.join(work, "libcups.c"), "-lcups"], check=True)
        tmp = os.path.join(work, "tmp")
        os.makedirs(tmp)

        pdf = os.path.join(work, "one-page.pdf")
        subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-o", pdf,
                        "-c", "/Helvetica findfont 24 scalefont setfont 72 720 moveto (One page) show showpage"],
                       check=True)
        args = ["1", "bench", "One page", "1", "", pdf]
        base_env = {"PATH": "/usr/bin:/bin", "CUPS_SERVERBIN": serverbin, "TMPDIR": tmp,
                    "CUPS_SERVERROOT": "/etc/cups"}

        # 1. Start-up overhead against the no-op backend.
        wrapped_env = dict(base_env, DEVICE_URI="tollgate:noop://x")
        plain_env = dict(base_env, DEVICE_URI="noop://x")
        wrapped, plain, cups_floor = [], [], []
        for _ in range(3):  # warm the page cache
            run_timed(exec_with_argv0("tollgate:noop://x", backend, args), wrapped_env)
        for _ in range(options.runs):
            wrapped.append(run_timed(exec_with_argv0("tollgate:noop://x", backend, args), wrapped_env))
            plain.append(run_timed(exec_with_argv0("noop://x", noop, args), plain_env))
            cups_floor.append(run_timed([libcups_only], plain_env))
        print(f"start-up, no-op real backend, {options.runs} runs (1-page PDF in argv[6]):")
        print(f"  no-op backend alone         median {median_ms(plain):7.2f} ms")
        print(f"  C program loading libcups2  median {median_ms(cups_floor):7.2f} ms   (the floor of anything using libcups)")
        print(f"  tollgate:noop://            median {median_ms(wrapped):7.2f} ms")
        print(f"  overhead                            {median_ms(wrapped) - median_ms(plain):7.2f} ms   (target <= 10 ms)")
        plain_noop = plain

        # 2. Against a real IPP printer on a private bench.
        out = subprocess.run([os.path.join(ROOT, "cups", "tollgate-bench"), "start", "--backend", backend,
                              "--owner", str(os.getpid())], check=True, capture_output=True, text=True).stdout
        values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        bench_dir = values["TOLLGATE_BENCH_DIR"]
        ipp_uri = values["PRINTER1_URI"]
        ipp_env = dict(base_env, CUPS_SERVERBIN=values["CUPS_SERVERBIN"], CUPS_SERVERROOT=values["CUPS_SERVERROOT"])
        real_ipp = os.path.join(values["CUPS_SERVERBIN"], "backend", "ipp")
        wrapped, plain = [], []
        runs = max(30, options.runs // 2)
        for _ in range(runs):
            plain.append(run_timed(exec_with_argv0(ipp_uri, real_ipp, args), dict(ipp_env, DEVICE_URI=ipp_uri)))
            wrapped.append(run_timed(exec_with_argv0("tollgate:" + ipp_uri, backend, args),
                                     dict(ipp_env, DEVICE_URI="tollgate:" + ipp_uri)))
        print(f"\nprinting a 1-page PDF to ippeveprinter, {runs} runs each:")
        # The ipp backend sometimes waits ~1 s polling the printer for the job's end, in both
        # columns alike: the fastest runs show the added cost best.
        print(f"  ipp backend alone           median {median_ms(plain):7.2f} ms   fastest {min(plain) * 1000:7.2f} ms")
        print(f"  tollgate:ipp://             median {median_ms(wrapped):7.2f} ms   fastest {min(wrapped) * 1000:7.2f} ms")
        print(f"  overhead (fastest runs)             {(min(wrapped) - min(plain)) * 1000:7.2f} ms")

        # 2b. The full path of the product backend (policy and job from cupsd, analysis, price,
        # authorise, settle) in front of the no-op real backend, one fresh cupsd job per run.
        product = os.path.join(options.bin, "tollgate-backend")
        tollgate = os.path.join(options.bin, "tollgate")
        state = os.path.join(work, "state")
        os.makedirs(os.path.join(state, "rates"))
        shutil.copy(os.path.join(ROOT, "rates", "example.toml"), os.path.join(state, "rates", "default.toml"))
        db = os.path.join(state, "tollgate.db")
        subprocess.run([tollgate, "db", "init", "--currency", "EUR", "--db", db], check=True, capture_output=True)
        subprocess.run([tollgate, "topup", "bench", "100000.00", "--db", db], check=True, capture_output=True)
        cups_env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "CUPS_SERVER": values["CUPS_SERVER"]}
        subprocess.run([os.path.join(ROOT, "cups", "tollgate-bench"), "queue", bench_dir, "fullpath", "raw", "1",
                        "-o", "tollgate-mode-default=quota"], env=cups_env, check=True, capture_output=True)
        subprocess.run(["cupsdisable", "fullpath"], env=cups_env, check=True)
        colour_pdf = os.path.join(work, "one-colour-page.pdf")
        subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-o", colour_pdf, "-c",
                        "/Helvetica findfont 24 scalefont setfont 1 0 0 setrgbcolor 72 720 moveto (Colour) show showpage"],
                       check=True)
        mixed_pdf = os.path.join(work, "hundred-mixed.pdf")
        ps = "/Helvetica findfont 24 scalefont setfont 1 1 100 { /n exch def n 10 mod 0 eq { 0 0 1 setrgbcolor } { 0 setgray } ifelse 72 720 moveto (Page) show showpage } for"
        subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-o", mixed_pdf, "-c", ps], check=True)
        full_env = dict(base_env, CUPS_SERVER=values["CUPS_SERVER"], PRINTER="fullpath", DEVICE_URI="tollgate:noop://x",
                        TOLLGATE_DB=db, TOLLGATE_RATES_DIR=os.path.join(state, "rates"),
                        TOLLGATE_ANALYSE=os.path.join(options.bin, "tollgate-analyse"))
        print(f"\nfull path (cupsd lookups, analysis, price, authorise, settle) + no-op real backend, {options.full_path_runs} jobs each:")
        print(f"  no-op backend alone         median {median_ms(plain_noop):7.2f} ms")
        for label, document in (("1-page mono PDF", pdf), ("1-page colour PDF", colour_pdf), ("100-page mixed PDF", mixed_pdf)):
            times = []
            for _ in range(options.full_path_runs):
                out = subprocess.run(["lp", "-d", "fullpath", "-U", "bench", "-o", "print-color-mode=color", document],
                                     env=cups_env, check=True, capture_output=True, text=True).stdout
                job_id = out.split("fullpath-")[1].split()[0]
                times.append(run_timed(exec_with_argv0("tollgate:noop://x", product, [job_id, "bench", "t", "1", "", document]), full_env))
            print(f"  {label:<27} median {median_ms(times):7.2f} ms   added {median_ms(times) - median_ms(plain_noop):7.2f} ms   (target <= 25 ms for 1 page)")

        # 3. Pass-through of a stream on stdin, and peak RSS.
        mib = options.stream_mib
        sink = os.path.join(tmp, "cat-sink")

        def stream_through(command, env):
            os.sync()  # no run pays for the previous one's dirty pages
            producer = subprocess.Popen(["head", "-c", f"{mib}M", "/dev/zero"], stdout=subprocess.PIPE)
            start = time.perf_counter()
            consumer = subprocess.run(command, env=env, stdin=producer.stdout,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = time.perf_counter() - start
            producer.stdout.close()
            producer.wait()
            if consumer.returncode != 0:
                sys.exit(f"bench: {command[0]} exited with {consumer.returncode}")
            return elapsed

        stdin_args = ["1", "bench", "Stream", "1", ""]
        cat_times, spool_times, tollgate_times, direct_times = [], [], [], []
        skip_env = dict(wrapped_env, NOOP_SKIP_INPUT="1")
        for _ in range(3):
            # cat's file is removed inside the timing, as the spool file is freed inside tollgate's.
            cat_times.append(stream_through(["/bin/sh", "-c", f"cat > {sink} && rm -f {sink}"], base_env))
            spool_times.append(stream_through(exec_with_argv0("tollgate:noop://x", backend, stdin_args), skip_env))
            tollgate_times.append(stream_through(exec_with_argv0("tollgate:noop://x", backend, stdin_args), wrapped_env))
            direct_times.append(stream_through(exec_with_argv0("noop://x", noop, stdin_args), plain_env))
        rate = lambda times: mib / statistics.median(times)
        print(f"\npass-through of {mib} MiB on stdin (median of 3), MiB/s:")
        print(f"  cat > file (then rm) on the spool's fs    {rate(cat_times):8.0f}")
        print(f"  tollgate spooling it (real backend skips) {rate(spool_times):8.0f}   ratio to cat {rate(spool_times) / rate(cat_times):.2f} (target >= 0.9)")
        print(f"  tollgate spool + real backend reads it    {rate(tollgate_times):8.0f}   ratio to cat {rate(tollgate_times) / rate(cat_times):.2f}")
        print(f"  real backend reading the pipe, no tollgate {rate(direct_times):7.0f}   (store-and-forward is the price of deciding before printing)")

        def peak_rss_kib(size_mib):
            script = ("import resource, subprocess, sys\n"
                      "p = subprocess.Popen(['head', '-c', sys.argv[1] + 'M', '/dev/zero'], stdout=subprocess.PIPE)\n"
                      "r = subprocess.run(sys.argv[2:], stdin=p.stdout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
                      "p.stdout.close(); p.wait()\n"
                      "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
            result = subprocess.run([sys.executable, "-c", script, str(size_mib)]
                                    + exec_with_argv0("tollgate:noop://x", backend, stdin_args),
                                    env=wrapped_env, capture_output=True, text=True, check=True)
            return int(result.stdout.strip())

        small, large = peak_rss_kib(1), peak_rss_kib(mib)
        print(f"\npeak RSS of the backend: 1 MiB job {small / 1024:.1f} MiB, {mib} MiB job {large / 1024:.1f} MiB")
    finally:
        if bench_dir:
            subprocess.run([os.path.join(ROOT, "cups", "tollgate-bench"), "stop", bench_dir])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
