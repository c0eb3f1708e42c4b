#!/usr/bin/env python3
"""Load: many jobs from many real users through several queues at once, on a private cupsd.

1000 jobs (--jobs) from 50 real users (--users; useradd, removed after) through 4 queues — two
in front of IPP Everywhere printers (ippeveprinter; one raw, one through cupsd's filters), two in
front of raw socket printers — with mixed documents (PDF mono and colour, 1 to 20 pages,
PostScript, plain text), decided by tollgated's gate service on one SQLite database (or
PostgreSQL: --db postgresql://…). Some users cannot afford all their jobs: those are held.

Then every job is accounted for, and the run fails (exit 1) if one is not:
  - each completed job has exactly one debit, of the same amount as every other job of the same
    document on the same queue; each held job has none and no open reservation;
  - every user's wallet is their top-up minus their debits; `tollgate check` re-derives every
    balance; `tollgate reconcile` finds nothing open;
  - no backend crashed, and nothing says "database is locked" or "busy".
Prints the throughput next to the jobs that printed sent again straight to the printers (no
Tollgate) in the same run, and the wall time Tollgate adds per job.

Usage (root): bench/load.py --bin RELEASE_BIN_DIR [--jobs 1000] [--users 50] [--submitters 8]
"""
import argparse
import concurrent.futures
import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "cups", "tollgate-bench")
FINAL = {"completed", "canceled", "aborted"}


def fail(message):
    print(f"load: FAILED: {message}")
    sys.exit(1)


def make_documents(work):
    """Real documents of the kinds users print, made here with Ghostscript."""
    docs = {}

    def pdf(name, pages, colour=()):
        ps = "%!PS\n/Helvetica findfont 24 scalefont setfont\n"
        for page in range(1, pages + 1):
            ps += ("1 0 0 setrgbcolor\n" if page in colour else "0 setgray\n")
            ps += f"72 700 moveto (Load test page {page} of {pages}) show showpage\n"
        source = os.path.join(work, name + ".ps")
        with open(source, "w") as f:
            f.write(ps)
        out = os.path.join(work, name)
        subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-o", out, source], check=True)
        return out

    docs["1-page.pdf"] = pdf("1-page.pdf", 1)
    docs["3-page-colour.pdf"] = pdf("3-page-colour.pdf", 3, colour={2})
    docs["10-page.pdf"] = pdf("10-page.pdf", 10)
    docs["20-page-colour.pdf"] = pdf("20-page-colour.pdf", 20, colour={1, 20})
    ps = os.path.join(work, "2-page.ps")
    with open(ps, "w") as f:
        f.write("%!PS-Adobe-3.0\n%%Pages: 2\n%%EndComments\n/Helvetica findfont 24 scalefont setfont\n"
                "%%Page: 1 1\n72 700 moveto (PostScript page 1) show showpage\n"
                "%%Page: 2 2\n72 700 moveto (PostScript page 2) show showpage\n%%EOF\n")
    docs["2-page.ps"] = ps
    text = os.path.join(work, "letter.txt")
    with open(text, "w") as f:
        f.write("\n".join(f"Line {n} of a plain text letter." for n in range(1, 91)) + "\n")
    docs["letter.txt"] = text
    for path in docs.values():
        os.chmod(path, 0o644)
    return docs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="directory with the release build (tollgate, tollgated, tollgate-backend …)")
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--submitters", type=int, default=8, help="lp commands running at once")
    parser.add_argument("--db", help="a PostgreSQL URI (an empty database) instead of a SQLite file")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("load: run as root (cupsd runs backends as root; useradd)")
    rng = random.Random(options.seed)
    tool = os.path.join(options.bin, "tollgate")
    work = tempfile.mkdtemp(prefix="tollgate-load.")
    os.chmod(work, 0o755)
    bench_dir, service, users = None, None, []
    try:
        db = options.db or os.path.join(work, "tollgate.db")
        rates = os.path.join(work, "rates")
        os.makedirs(rates)
        shutil.copy(os.path.join(ROOT, "rates", "example.toml"), os.path.join(rates, "default.toml"))
        pin_key = os.path.join(work, "pin.key")
        subprocess.run([tool, "db", "init", "--currency", "EUR", "--db", db, "--pin-key", pin_key], check=True, capture_output=True)
        gate_socket = os.path.join(work, "gate.sock")
        env_settings = [f"TOLLGATE_DB={db}", f"TOLLGATE_RATES_DIR={rates}",
                        f"TOLLGATE_ANALYSE={os.path.join(options.bin, 'tollgate-analyse')}",
                        f"TOLLGATE_JOURNAL_DIR={os.path.join(work, 'journal')}", f"TOLLGATE_GATE_SOCKET={gate_socket}",
                        f"TOLLGATE_GATE_PROGRAM={os.path.join(options.bin, 'tollgate-gate')}"]
        out = subprocess.run([BENCH, "start", "--printers", "2", "--backend", os.path.join(options.bin, "tollgate-backend"),
                              "--owner", str(os.getpid())] + [a for s in env_settings for a in ("--env", s)],
                             check=True, capture_output=True, text=True,
                             env=dict(os.environ, TOLLGATE_BENCH_LOG_LEVEL="info")).stdout
        values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        bench_dir = values["TOLLGATE_BENCH_DIR"]
        cups_env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "CUPS_SERVER": values["CUPS_SERVER"],
                    "CUPS_SERVERROOT": values["CUPS_SERVERROOT"], "LANG": "C"}
        tollgate_env = {"PATH": "/usr/bin:/bin", "TOLLGATE_DB": db, "TOLLGATE_PIN_KEY": pin_key, "LANG": "C",
                        "CUPS_SERVER": values["CUPS_SERVER"], "TOLLGATE_JOURNAL_DIR": os.path.join(work, "journal")}

        def tollgate(*args, check=True):
            result = subprocess.run([tool, *args], env=tollgate_env, capture_output=True, text=True)
            if check and result.returncode != 0:
                fail(f"tollgate {' '.join(args)}: {result.stderr}")
            return result

        # Keep every job: cupsd's default MaxJobs (500) would purge the oldest mid-run.
        conf = os.path.join(values["CUPS_SERVERROOT"], "cupsd.conf")
        with open(conf, "a") as f:
            f.write("MaxJobs 0\nMaxJobsPerUser 0\n")
        subprocess.run([BENCH, "restart-cupsd", bench_dir], check=True, capture_output=True)

        # Queues: (name, kind, printer index, device): IPP raw, IPP filtered, two socket printers;
        # the same four again without Tollgate, the reference.
        targets = [("ipp-raw", "raw", 1, values["PRINTER1_URI"]), ("ipp-filtered", "everywhere", 2, values["PRINTER2_URI"]),
                   ("socket-1", "raw", 1, values["SOCKET1_URI"]), ("socket-2", "raw", 2, values["SOCKET2_URI"])]
        for name, kind, index, device in targets:
            for queue, uri in ((name, "tollgate:" + device), ("direct-" + name, device)):
                subprocess.run([BENCH, "queue", bench_dir, queue, kind, str(index), "-o", "tollgate-mode-default=quota"],
                               env=cups_env, check=True, capture_output=True)
                subprocess.run(["lpadmin", "-p", queue, "-v", uri], env=cups_env, check=True, capture_output=True)

        service = subprocess.Popen([os.path.join(options.bin, "tollgated"), "--listen", "127.0.0.1:0", "--db", db,
                                    "--pin-key", pin_key, "--cups-server", values["CUPS_SERVER"], "--no-socket",
                                    "--gate-socket", gate_socket, "--mail", "off"],
                                   stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "tollgated.log"), "w"),
                                   env={"PATH": "/usr/bin:/bin", "LANG": "C"})
        for _ in range(300):
            if os.path.exists(gate_socket):
                break
            time.sleep(0.05)
        else:
            fail("tollgated did not open its gate socket")

        docs = make_documents(work)
        # Users: most can afford all their jobs, one in five runs out part-way.
        funds = {}
        for n in range(options.users):
            name = f"tgload{os.getpid() % 10000:04d}{n:03d}"
            subprocess.run(["useradd", "-M", "-s", "/bin/sh", name], check=True, capture_output=True)
            users.append(name)
            funds[name] = "1.50" if n % 5 == 4 else "100.00"
            tollgate("topup", name, funds[name])
        # A raw IPP queue passes the document as it is, and ippeveprinter takes PDF and PostScript
        # only (plain text would wait there forever as job-data-insufficient); the filtered queue
        # and the socket printers take every kind.
        def printable(queue):
            return sorted(d for d in docs if queue != "ipp-raw" or not d.endswith(".txt"))
        if options.jobs / len(targets) > 400:
            sys.exit("load: at most 1600 jobs (cupsd lists 500 jobs of a queue at most)")
        plan = []
        for _ in range(options.jobs):
            queue = rng.choice(targets)[0]
            plan.append((rng.choice(users), queue, rng.choice(printable(queue))))

        def submit(entry, prefix=""):
            user, queue, doc = entry
            result = subprocess.run(["runuser", "-u", user, "--", "lp", "-d", prefix + queue, docs[doc]],
                                    env=cups_env, capture_output=True, text=True)
            if result.returncode != 0:
                fail(f"lp as {user} on {queue}: {result.stderr.strip()}")
            return int(result.stdout.split(f"{prefix}{queue}-", 1)[1].split()[0])

        times = {}

        def job_states():
            """Every job's state; the seconds each finished job spent in its backend (cupsd's
            time-at-completed − time-at-processing) go into `times`."""
            test = os.path.join(work, "get-jobs.test")
            with open(test, "w") as f:
                f.write("{\nOPERATION Get-Jobs\nGROUP operation-attributes-tag\nATTR charset attributes-charset utf-8\n"
                        "ATTR naturalLanguage attributes-natural-language en\nATTR uri printer-uri $uri\n"
                        "ATTR keyword which-jobs all\nATTR name requesting-user-name root\n"
                        "ATTR keyword requested-attributes job-id,job-state,time-at-processing,time-at-completed\n"
                        "DISPLAY job-id\nDISPLAY job-state\nDISPLAY time-at-processing\nDISPLAY time-at-completed\n}\n")
            # Queue by queue: cupsd answers a Get-Jobs with 500 jobs at most, and a run has more.
            rows = []
            for name, *_ in targets:
                for queue in (name, "direct-" + name):
                    result = subprocess.run(["ipptool", "-c", f"ipp://127.0.0.1:{values['CUPS_PORT']}/printers/{queue}", test],
                                            capture_output=True, text=True)
                    rows += [r for r in list(csv.reader(io.StringIO(result.stdout)))[1:] if len(r) >= 2 and r[0].isdigit()]
            for r in rows:
                if len(r) >= 4 and r[1] == "completed" and r[2].isdigit() and r[3].isdigit():
                    times[int(r[0])] = int(r[3]) - int(r[2])
            return {int(r[0]): r[1] for r in rows}

        def run_load(prefix, jobs):
            """Submits `jobs` on the queues named prefix+queue; returns job ids and the wall time
            until every job is completed or held."""
            start = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(options.submitters) as pool:
                ids = list(pool.map(lambda e: submit(e, prefix), jobs))
            deadline = time.time() + 1800
            while True:
                states = job_states()
                waiting = [i for i in ids if states.get(i) not in FINAL | {"pending-held"}]
                if not waiting:
                    return ids, time.perf_counter() - start, states
                if time.time() > deadline:
                    fail(f"{len(waiting)} jobs never finished, e.g. {waiting[:5]} ({[states.get(i) for i in waiting[:5]]})")
                time.sleep(0.5)

        # Through Tollgate first (a cold cupsd and page cache cost it, not the reference), then
        # the jobs that printed, straight to the printers: the same printed work, so a job held
        # for funds does not make Tollgate look faster.
        ids, gated_time, states = run_load("", plan)
        printed_plan = [entry for job_id, entry in zip(ids, plan) if states.get(job_id) == "completed"]
        direct_ids, direct_time, _ = run_load("direct-", printed_plan)

        def in_backend(pairs):
            """Per queue: how many printed jobs, and the mean seconds each spent in its backend
            (whole seconds each; the mean over hundreds of jobs is good to a few ms)."""
            per_queue = {}
            for job_id, (_, queue, _) in pairs:
                if job_id in times:
                    per_queue.setdefault(queue, []).append(times[job_id])
            return {q: (len(v), sum(v) / len(v)) for q, v in per_queue.items()}
        gated_backend = in_backend(zip(ids, plan))
        direct_backend = in_backend(zip(direct_ids, printed_plan))

        # Accounting.
        ledger = json.loads(tollgate("ledger", "--json").stdout)
        debits, reserves, open_keys = {}, {}, set()
        for row in ledger:
            key = row.get("jobKey")
            if key is None:
                continue
            job_id = int(str(key).split("/")[1])
            if row["kind"] == "debit":
                debits.setdefault(job_id, []).append(row)
            elif row["kind"] == "reserve":
                reserves.setdefault(job_id, []).append(row)
        problems = []
        by_document = {}
        completed = held = 0
        for job_id, (user, queue, doc) in zip(ids, plan):
            state = states.get(job_id)
            charged = debits.get(job_id, [])
            if state == "completed":
                completed += 1
                if len(charged) != 1:
                    problems.append(f"job {job_id} ({user}, {queue}, {doc}) completed with {len(charged)} debits")
                    continue
                if charged[0].get("user") != user:
                    problems.append(f"job {job_id} of {user} charged to {charged[0].get('user')}")
                by_document.setdefault((queue, doc), set()).add(charged[0]["amount"]["text"])
            elif state == "pending-held":
                held += 1
                if charged:
                    problems.append(f"job {job_id} ({user}, {queue}, {doc}) is held but was charged")
            else:
                problems.append(f"job {job_id} ({user}, {queue}, {doc}) ended {state}")
        # Every wallet is its top-up minus its debits (no accounts here: the chain is the wallet),
        # as `tollgate user show` reports it, and not below zero.
        spent = {}
        for rows in debits.values():
            for row in rows:
                spent[row["user"]] = spent.get(row["user"], 0) + row["amount"]["minorUnits"]
        for user in users:
            expected = round(float(funds[user]) * 100) - spent.get(user, 0)
            shown = tollgate("user", "show", user).stdout
            wallet = next((l.split(":", 1)[1].strip() for l in shown.splitlines() if l.startswith("wallet:")), "")
            want = f"{expected // 100}.{expected % 100:02d} EUR" if expected >= 0 else None
            if want is None or wallet != want:
                problems.append(f"{user}'s wallet is {wallet!r}: top-up {funds[user]} minus debits is {expected} cents")
        for (queue, doc), amounts in sorted(by_document.items()):
            if len(amounts) != 1:
                problems.append(f"{doc} on {queue} was charged different amounts: {sorted(amounts)}")
        check = tollgate("check", check=False)
        if check.returncode != 0:
            problems.append(f"tollgate check: {check.stdout} {check.stderr}")
        reconcile = tollgate("reconcile", "--cups-server", values["CUPS_SERVER"], check=False)
        if "no open reservations" not in reconcile.stdout:
            problems.append(f"tollgate reconcile: {reconcile.stdout.strip()} {reconcile.stderr.strip()}")
        with open(values["CUPS_ERROR_LOG"], errors="replace") as f:
            log = f.read()
        with open(os.path.join(work, "tollgated.log"), errors="replace") as f:
            log += f.read()
        for needle in ("database is locked", "is busy", "crashed on signal"):
            count = log.count(needle)
            if count:
                problems.append(f"{count} log lines say \"{needle}\"")

        n = len(plan)
        print(f"load: {n} jobs from {len(users)} users through {len(targets)} queues ({', '.join(t[0] for t in targets)}), "
              f"{options.submitters} submitting at once, {'PostgreSQL' if options.db else 'SQLite'}, tollgated's gate service")
        rows = [("through Tollgate", f"{gated_time:7.1f} s   {n / gated_time:6.1f} jobs/s   ({n} jobs)"),
                ("the printed ones straight to the printers", f"{direct_time:7.1f} s   {len(printed_plan) / direct_time:6.1f} jobs/s   "
                                                               f"({len(printed_plan)} jobs, no Tollgate)"),
                ("wall time Tollgate adds per job", f"{(gated_time - direct_time) / n * 1000:7.1f} ms   "
                                                    f"(difference / {n}; ratio of the times {gated_time / direct_time:.2f})")]
        for label, figure in rows:
            print(f"  {label:45} {figure}")
        print("  time in the backend per printed job (cupsd's time-at-completed − time-at-processing), mean:")
        for name, *_ in targets:
            count, gated = gated_backend.get(name, (0, 0.0))
            _, direct = direct_backend.get(name, (0, 0.0))
            print(f"    {name:14} {count:4} jobs   through Tollgate {gated * 1000:7.0f} ms   straight {direct * 1000:7.0f} ms"
                  f"   added {(gated - direct) * 1000:6.0f} ms")
        print(f"  accounted: {completed} printed and charged once each, {held} held for funds and not charged; "
              f"{len(ledger)} ledger rows; check {'OK' if check.returncode == 0 else 'FAILED'}")
        if problems:
            for p in problems[:30]:
                print(f"  PROBLEM: {p}")
            fail(f"{len(problems)} problems")
        print("load: every job accounted for")
    finally:
        if service:
            service.terminate()
            service.wait()
        if bench_dir:
            subprocess.run([BENCH, "stop", bench_dir])
        for user in users:
            subprocess.run(["userdel", user], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
