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
import atexit
import glob
import os
import pwd
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Jobs are submitted as the running user: a made-up `lp -U` name crashes Debian 12's cupsd
# (2.4.2-3+deb12u10), and cupsd knows a local user by their Unix id.
JOB_OWNER = pwd.getpwuid(os.getuid()).pw_name
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


def run_timed(argv, env, stdin=None, cpu=None):
    """Wall time of one run; with `cpu` (a list), also appends the CPU time (user + system) of the
    process and the children it waited for: on a busy machine CPU time is the steadier figure."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"bench: {argv[0]} exited with {process.returncode}")
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
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
    parser.add_argument("--sections", default="startup,ipp,fullpath,rules,stream",
                        help="comma-separated subset of startup,ipp,fullpath,concurrency,rules,phases,stream")
    parser.add_argument("--compare", help="a second build's bin directory, measured in the same rounds")
    parser.add_argument("--phase-runs", type=int, default=10)
    parser.add_argument("--postgres", action="store_true", help="full path also on a private PostgreSQL over TCP with TLS and SCRAM")
    parser.add_argument("--ledger-rows", type=int, default=0, help="ledger rows put in each database before the full path")
    parser.add_argument("--cupsd-log-level", default="warn",
                        help="the bench cupsd's LogLevel (warn: Debian's default; the tests' benches log at debug)")
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

        sections = set(options.sections.split(","))
        # 1. Start-up overhead against the no-op backend.
        wrapped_env = dict(base_env, DEVICE_URI="tollgate:noop://x")
        plain_env = dict(base_env, DEVICE_URI="noop://x")
        if "startup" in sections:
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

        # 2. Against a real IPP printer on a private bench.
        out = subprocess.run([os.path.join(ROOT, "cups", "tollgate-bench"), "start", "--backend", backend,
                              "--owner", str(os.getpid())], check=True, capture_output=True, text=True,
                             env=dict(os.environ, TOLLGATE_BENCH_LOG_LEVEL=options.cupsd_log_level)).stdout
        values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        bench_dir = values["TOLLGATE_BENCH_DIR"]
        ipp_uri = values["PRINTER1_URI"]
        ipp_env = dict(base_env, CUPS_SERVERBIN=values["CUPS_SERVERBIN"], CUPS_SERVERROOT=values["CUPS_SERVERROOT"])
        real_ipp = os.path.join(values["CUPS_SERVERBIN"], "backend", "ipp")
        if "ipp" in sections:
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
        if sections & {"fullpath", "concurrency", "phases", "rules"}:
            full_path(options, sections, work, values, bench_dir, base_env, noop, pdf)

        # 3. Pass-through of a stream on stdin, and peak RSS.
        if "stream" in sections:
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


def full_path(options, sections, work, values, bench_dir, base_env, noop, pdf):
    """The product backend's full path on fresh cupsd jobs, next to the no-op real backend alone.

    Columns: the job decided in the backend's own process and by tollgated's gate service (the
    backend as a thin client), on SQLite and (`--postgres`) on a private PostgreSQL reached over
    TCP with TLS and SCRAM-SHA-256 as a remote server is; `--ledger-rows N` first puts N ledger
    rows in each database. Runs are interleaved (no-op alone, then each column on the same
    document, round after round), so a noisy machine slows every column alike. `--compare DIR`
    adds a second build's columns (in the backend and with its own gate service; on PostgreSQL in a
    second database of the same server)."""
    state = os.path.join(work, "state")
    os.makedirs(os.path.join(state, "rates"))
    shutil.copy(os.path.join(ROOT, "rates", "example.toml"), os.path.join(state, "rates", "default.toml"))
    stores = [("SQLite", None)]
    if options.postgres:
        stores.append(("PostgreSQL TLS+SCRAM", start_postgres(work)))
    columns = []   # (name, bin_dir, database, gate socket or "off")
    services = []
    for store_name, uri in stores:
        for index, (build, bin_dir) in enumerate([("this build", options.bin)] + ([("compare", options.compare)] if options.compare else [])):
            tollgate = os.path.join(bin_dir, "tollgate")
            if uri is None:
                os.makedirs(os.path.join(state, f"{store_name}{index}"))
                db = os.path.join(state, f"{store_name}{index}", "tollgate.db")
            else:
                db = uri if index == 0 else uri.replace("/tollgate?", "/tollgate_compare?")
            # One database per build, made by that build: an older build refuses a newer schema.
            subprocess.run([tollgate, "db", "init", "--currency", "EUR", "--db", db], check=True, capture_output=True)
            subprocess.run([tollgate, "topup", JOB_OWNER, "100000.00", "--db", db], check=True, capture_output=True)
            if options.ledger_rows:
                fill_ledger(db, options.ledger_rows, uri is not None, "tollgate" if index == 0 else "tollgate_compare")
            label = "" if build == "this build" else "compare, "
            columns.append((f"{label}{store_name}, in the backend", bin_dir, db, "off"))
            socket_path = os.path.join(work, f"gate-{len(services)}.sock")
            services.append(start_gate_service(bin_dir, db, socket_path, work))
            columns.append((f"{label}{store_name}, gate service", bin_dir, db, socket_path))
    try:
        full_path_columns(options, sections, work, values, bench_dir, base_env, noop, pdf, state, columns)
    finally:
        for service in services:
            service.terminate()
            service.wait()
        for _, uri in stores:
            if uri:
                stop_postgres(work)


def full_path_columns(options, sections, work, values, bench_dir, base_env, noop, pdf, state, columns):
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
    plain_env = dict(base_env, DEVICE_URI="noop://x")

    def full_env(column):
        _, bin_dir, db, gate = column
        return dict(base_env, CUPS_SERVER=values["CUPS_SERVER"], PRINTER="fullpath", DEVICE_URI="tollgate:noop://x",
                    TOLLGATE_DB=db, TOLLGATE_RATES_DIR=os.path.join(state, "rates"),
                    TOLLGATE_ANALYSE=os.path.join(bin_dir, "tollgate-analyse"), TOLLGATE_GATE_SOCKET=gate,
                    TOLLGATE_GATE_PROGRAM=os.path.join(bin_dir, "tollgate-gate"),
                    TOLLGATE_JOURNAL_DIR=os.path.join(state, "journal"),
                    # What cupsd gives the backend of a job it authenticated (the owner is proven).
                    AUTH_USERNAME=JOB_OWNER, AUTH_INFO_REQUIRED="none")

    def new_job(document, queue="fullpath"):
        out = subprocess.run(["lp", "-d", queue, "-o", "print-color-mode=color", document],
                             env=cups_env, check=True, capture_output=True, text=True).stdout
        return out.split(queue + "-")[1].split()[0]

    def full_path_argv(column, job_id, document):
        return exec_with_argv0("tollgate:noop://x", os.path.join(column[1], "tollgate-backend"),
                               [job_id, JOB_OWNER, "t", "1", "", document])

    documents = (("1-page mono PDF", pdf), ("1-page colour PDF", colour_pdf), ("100-page mixed PDF", mixed_pdf))
    for column in columns:  # warm the page cache, the service's connection and spare analyser
        for _, document in documents:
            run_timed(full_path_argv(column, new_job(document), document), full_env(column))
    if "fullpath" in sections:
        runs = options.full_path_runs
        alone = {label: [] for label, _ in documents}
        alone_cpu = {label: [] for label, _ in documents}
        full = {(label, c[0]): [] for label, _ in documents for c in columns}
        full_cpu = {(label, c[0]): [] for label, _ in documents for c in columns}
        for _ in range(runs):
            # cupsd keeps at most 500 jobs (MaxJobs): the ones already run go first.
            subprocess.run(["cancel", "-a", "-x", "fullpath"], env=cups_env, check=True, capture_output=True)
            for label, document in documents:
                alone[label].append(run_timed(exec_with_argv0("noop://x", noop, ["1", "bench", "t", "1", "", document]), plain_env,
                                              cpu=alone_cpu[label]))
                for column in columns:
                    full[(label, column[0])].append(run_timed(full_path_argv(column, new_job(document), document), full_env(column),
                                                              cpu=full_cpu[(label, column[0])]))
        rows = f", {options.ledger_rows} ledger rows in each database" if options.ledger_rows else ""
        print(f"\nfull path (cupsd lookups, analysis, price, authorise, settle) + no-op real backend, median of {runs} jobs{rows}, cupsd at LogLevel {options.cupsd_log_level}, ms:")
        print(f"  {'document':<20} {'no-op alone':>11}  " + "  ".join(f"{label:>20}" for label, _ in documents))
        for column in columns:
            name = column[0]
            cells = [f"{median_ms(full[(label, name)]):8.2f} +{median_ms(full[(label, name)]) - median_ms(alone[label]):6.2f}" for label, _ in documents]
            print(f"  {name:<33}  " + "  ".join(f"{c:>20}" for c in cells))
        print(f"  {'no-op backend alone':<33}  " + "  ".join(f"{median_ms(alone[label]):20.2f}" for label, _ in documents))
        print("  CPU time of the backend process and its children (not the gate service's), median ms:")
        for column in columns:
            name = column[0]
            print(f"  {name:<33}  " + "  ".join(f"{median_ms(full_cpu[(label, name)]):20.2f}" for label, _ in documents))
        print("  (cells: full path, then + ms added to the no-op backend alone; target: added <= 10 ms for 1-page documents on both stores)")

    if "concurrency" in sections:
        # Authorisations per second: N backends at once (as cupsd runs one per printer), each a
        # whole job (lookups, analysis, authorise, settle), on fresh cupsd jobs made beforehand.
        from concurrent.futures import ThreadPoolExecutor
        levels = (1, 4, 16)
        rows = f", {options.ledger_rows} ledger rows in each database" if options.ledger_rows else ""
        print(f"\njobs per second with N backends at once (1-page mono PDF, whole jobs{rows}):")
        print(f"  {'':<33}  " + "  ".join(f"{f'N = {n}':>10}" for n in levels))
        for column in columns:
            cells = []
            for n in levels:
                # cupsd keeps at most 500 jobs (MaxJobs): the ones already run go first.
                subprocess.run(["cancel", "-a", "-x", "fullpath"], env=cups_env, check=True, capture_output=True)
                jobs = [new_job(pdf) for _ in range(max(24, 6 * n))]
                started = time.perf_counter()
                with ThreadPoolExecutor(max_workers=n) as pool:
                    list(pool.map(lambda job: run_timed(full_path_argv(column, job, pdf), full_env(column)), jobs))
                cells.append(f"{len(jobs) / (time.perf_counter() - started):10.1f}")
            print(f"  {column[0]:<33}  " + "  ".join(cells))

    first = columns[0]
    if "rules" in sections:
        rules(options, bench_dir, values, cups_env, noop, documents[:2], new_job,
              lambda _, job, document: full_path_argv(first, job, document), lambda _: full_env(first))

    if "phases" in sections:
        phases(options, documents, new_job, lambda _, job, document: full_path_argv(first, job, document), lambda _: full_env(first))


def start_gate_service(bin_dir, db, socket_path, work):
    """tollgated serving only what the bench needs: the gate socket (HTTP on a free loopback port)."""
    process = subprocess.Popen([os.path.join(bin_dir, "tollgated"), "--listen", "127.0.0.1:0", "--db", db, "--no-socket",
                                "--gate-socket", socket_path, "--mail", "off", "--pin-key", os.path.join(work, "no-pin.key")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"})
    for _ in range(300):
        if os.path.exists(socket_path):
            return process
        if process.poll() is not None:
            sys.exit(f"bench: tollgated exited with {process.returncode}")
        time.sleep(0.05)
    sys.exit("bench: tollgated did not open its gate socket")


PG = {}


def start_postgres(work):
    """A private PostgreSQL on a free loopback port with TLS and SCRAM-SHA-256 only (as a remote
    server of several print servers is reached); the password in a passfile named by the URI."""
    pg_bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    directory = os.path.join(work, "pg")
    os.makedirs(os.path.join(directory, "socket"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", os.path.join(directory, "server.key"), "-out", os.path.join(directory, "server.crt")],
                   check=True, capture_output=True)
    os.chmod(os.path.join(directory, "server.key"), 0o600)
    subprocess.run(["chown", "-R", "postgres:postgres", directory], check=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = os.path.join(directory, "data")
    subprocess.run(["runuser", "-u", "postgres", "--", pg_bin + "/initdb", "-D", data, "-U", "tollgate", "--auth-local=trust",
                    "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    with open(os.path.join(data, "pg_hba.conf"), "w") as f:
        f.write("local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n")
    subprocess.run(["runuser", "-u", "postgres", "--", pg_bin + "/pg_ctl", "-D", data, "-l", os.path.join(directory, "server.log"), "-w",
                    "-o", f"-k {directory}/socket -c listen_addresses=127.0.0.1 -p {port} -c ssl=on -c ssl_cert_file={directory}/server.crt "
                          f"-c ssl_key_file={directory}/server.key -c password_encryption=scram-sha-256 -c fsync=on", "start"],
                   check=True, capture_output=True)
    password = "bench-" + os.urandom(8).hex()
    subprocess.run(["psql", "-X", "-q", "-h", directory + "/socket", "-p", str(port), "-U", "tollgate", "-d", "postgres",
                    "-c", f"ALTER ROLE tollgate PASSWORD '{password}'", "-c", "CREATE DATABASE tollgate",
                    "-c", "CREATE DATABASE tollgate_compare"], check=True, capture_output=True)
    passfile = os.path.join(work, "pgpass")
    with open(passfile, "w") as f:
        f.write(f"127.0.0.1:{port}:*:tollgate:{password}\n")
    os.chmod(passfile, 0o600)
    PG.update(bin=pg_bin, data=data, socket=directory + "/socket", port=str(port))
    return f"postgresql://tollgate@127.0.0.1:{port}/tollgate?sslmode=require&passfile={passfile}"


def stop_postgres(work):
    subprocess.run(["runuser", "-u", "postgres", "--", PG["bin"] + "/pg_ctl", "-D", PG["data"], "-m", "immediate", "-w", "stop"],
                   capture_output=True)


def fill_ledger(db, rows, postgres, database="tollgate"):
    """N ledger rows (credits) of 50 000 other users, so that authorisations run on a database of
    a real size; one statement both engines accept."""
    users = 50_000
    sql = [f'''INSERT INTO "user"(name, wallet_balance, created_at)
                WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {users}) SELECT 'bench' || x, 0, 0 FROM g''',
           f'''INSERT INTO ledger(at, kind, user_name, account_id, amount, balance_effect, balance_after, reason, actor)
                WITH RECURSIVE g(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM g WHERE x < {rows - 1})
                SELECT x * 1000, 'credit', 'bench' || (x % {users} + 1), NULL, 10, 10, 10 * (x / {users} + 1), 'bench', 'bench' FROM g''']
    if postgres:
        for statement in sql + ["ANALYZE"]:
            subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", PG["socket"], "-p", PG["port"], "-U", "tollgate", "-d", database,
                            "-c", statement], check=True, capture_output=True)
    else:
        import sqlite3
        connection = sqlite3.connect(db)
        for statement in sql:
            connection.execute(statement)
        connection.commit()
        connection.execute("ANALYZE")
        connection.close()


def rules(options, bench_dir, values, cups_env, noop, documents, new_job, full_path_argv, full_env):
    """What the grey and force-duplex rules add to a job (issue 17): the same full path on a queue
    with `tollgate-colour-default=grey` and `tollgate-duplex-default=force`, whose real URI is the
    bench's ippeveprinter (asked what it supports, Get-Printer-Attributes) with the no-op backend
    installed as `ipp` (the printer prints nothing), next to the plain quota queue, interleaved."""
    fake_ipp = os.path.join(os.path.dirname(noop), "ipp")
    shutil.copy(noop, fake_ipp)
    os.chmod(fake_ipp, 0o700)
    subprocess.run([os.path.join(ROOT, "cups", "tollgate-bench"), "queue", bench_dir, "fullrules", "raw", "1",
                    "-o", "tollgate-mode-default=quota", "-o", "tollgate-colour-default=grey",
                    "-o", "tollgate-duplex-default=force"], env=cups_env, check=True, capture_output=True)
    subprocess.run(["cupsdisable", "fullrules"], env=cups_env, check=True)
    real_uri = "tollgate:" + values["PRINTER1_URI"]

    def rules_argv(bin_dir, job_id, document):
        return exec_with_argv0(real_uri, os.path.join(bin_dir, "tollgate-backend"), [job_id, JOB_OWNER, "t", "1", "", document])

    def rules_env(bin_dir):
        return dict(full_env(bin_dir), PRINTER="fullrules", DEVICE_URI=real_uri)

    bin_dir = options.bin
    for _, document in documents:  # warm up
        run_timed(rules_argv(bin_dir, new_job(document, "fullrules"), document), rules_env(bin_dir))
    plain = {label: [] for label, _ in documents}
    forced = {label: [] for label, _ in documents}
    for _ in range(options.full_path_runs):
        for label, document in documents:
            plain[label].append(run_timed(full_path_argv(bin_dir, new_job(document), document), full_env(bin_dir)))
            forced[label].append(run_timed(rules_argv(bin_dir, new_job(document, "fullrules"), document), rules_env(bin_dir)))
    print(f"\njob rules grey + force duplex (asks the printer, rewrites argv[5]), full path, median of {options.full_path_runs} jobs, ms:")
    print(f"  {'document':<20} {'no rules':>9} {'grey+duplex':>12} {'added':>7}")
    for label, _ in documents:
        a, b = median_ms(plain[label]), median_ms(forced[label])
        print(f"  {label:<20} {a:9.2f} {b:12.2f} {b - a:7.2f}")


def phases(options, documents, new_job, full_path_argv, full_env):
    """Where the time goes, from the backend's own syscalls (strace with a seccomp filter, so only
    the traced calls stop): a timeline of events from the backend's execve, median over jobs.
    strace slows every traced call, so read the gaps, not the total."""
    import re
    runs = options.phase_runs
    marks = ("execve", "connect", "clone", "clone3", "vfork", "wait4", "openat", "exit_group")
    names = [("ipp", "first connection to cupsd"), ("card", "rates card opened"),
             ("spawn", "analyser spawned"), ("db", "quota database opened"),
             ("analysed", "analyser reaped (result read)"), ("real", "real backend spawned"),
             ("realdone", "real backend reaped"), ("end", "exit")]
    print(f"\ntimeline of the full path (strace timestamps, ms after execve, median of {runs} jobs):")
    for label, document in documents:
        table = {}
        for _ in range(runs):
            trace = os.path.join(options_tmp(), "trace")
            argv = ["strace", "-f", "--seccomp-bpf", "-ttt", "-qq", "-s", "256", "-o", trace, "-e", "trace=" + ",".join(marks)] + \
                full_path_argv(options.bin, new_job(document), document)
            subprocess.run(argv, env=full_env(options.bin), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            with open(trace) as f:
                lines = f.read().splitlines()
            os.unlink(trace)
            main_pid, analyser_pid, real_pid = None, None, None
            points = {}
            for line in lines:
                m = re.match(r"(\d+)\s+(\d+\.\d+) (<\.\.\. )?(\w+)[( ](.*)", line)
                if not m:
                    continue
                pid, t, call, rest = int(m.group(1)), float(m.group(2)), m.group(4), m.group(5)
                if call == "execve" and main_pid is None and "tollgate-backend" in rest:
                    main_pid = pid
                    points["start"] = t
                    continue
                if call == "execve" and pid != main_pid and not rest.startswith("resumed"):
                    if "tollgate-analyse" in rest:
                        analyser_pid = pid
                    elif main_pid is not None and real_pid is None:
                        real_pid = pid
                        points.setdefault("real", t)
                if pid != main_pid:
                    continue
                if call == "connect" and "cups.sock" in rest:
                    points.setdefault("ipp", t)
                elif call == "openat" and ".toml" in rest:
                    points.setdefault("card", t)
                elif call in ("clone", "clone3", "vfork") and "spawn" not in points and "card" in points:
                    points["spawn"] = t
                elif call == "openat" and "tollgate.db" in rest:
                    points.setdefault("db", t)
                elif call == "wait4" and analyser_pid is not None and f"= {analyser_pid}" in rest:
                    points.setdefault("analysed", t)
                elif call == "wait4" and real_pid is not None and f"= {real_pid}" in rest:
                    points.setdefault("realdone", t)
                elif call == "exit_group":
                    points["end"] = t
            for key, _ in names:
                if key in points and "start" in points:
                    table.setdefault(key, []).append(points[key] - points["start"])
        print(f"  {label}:")
        for key, name in sorted(((k, n) for k, n in names if k in table), key=lambda kn: statistics.median(table[kn[0]])):
            print(f"    {median_ms(table[key]):7.2f}  {name}")


_TMP = []


def options_tmp():
    """A scratch directory for the traces, removed when the benchmark ends."""
    if not _TMP:
        _TMP.append(tempfile.mkdtemp(prefix="tollgate-bench-phases."))
        atexit.register(shutil.rmtree, _TMP[0], True)
    return _TMP[0]


if __name__ == "__main__":
    main()
