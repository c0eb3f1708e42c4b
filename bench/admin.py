#!/usr/bin/python3
"""The admin console under a large database (figures, not a timed test): 50 000 users and
1 000 000 ledger entries (credits on the wallet and on 20 accounts, balances consistent so
`tollgate check` passes), a real admin (groupadd, useradd, PAM sign-in), then N requests per page
on loopback, one at a time. Prints p50/p99 per page. Target (issue 15): user search and an
account report p99 <= 100 ms.

    python3 bench/admin.py --bin "$(swift build -c release --show-bin-path)"
    python3 bench/admin.py --bin .build/debug --users 5000 --entries 100000 --requests 50

Needs root (useradd, groupadd, chpasswd; tollgated's PAM reads /etc/shadow).
"""
import argparse
import http.cookiejar
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def populate(db, users, entries, accounts):
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("BEGIN")
    connection.executemany("INSERT INTO user(name, wallet_balance, created_at) VALUES (?, 0, 0)",
                           ((f"user{i}",) for i in range(1, users + 1)))
    running = {}
    start = int(time.time() * 1000) - entries * 1000

    def rows():
        for i in range(entries):
            user = f"user{i % users + 1}"
            account = None if i % 3 == 0 else (i % accounts) + 1
            key = (user, account)
            running[key] = running.get(key, 0) + 10
            yield (start + i * 1000, "credit", user, account, 10, 10, running[key], "bench", "bench")

    connection.executemany("INSERT INTO ledger(at, kind, user_name, account_id, amount, balance_effect, balance_after, reason, actor)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    connection.executemany("UPDATE user SET wallet_balance = ? WHERE name = ?",
                           ((total, user) for (user, account), total in running.items() if account is None))
    connection.executemany("INSERT INTO allocation(account_id, user_name, balance) VALUES (?, ?, ?)",
                           ((account, user, total) for (user, account), total in running.items() if account is not None))
    # The all-time usage totals Tollgate keeps with every ledger row (credits: by their effect).
    connection.executemany("INSERT INTO usage_total(user_name, account_key, entries, jobs, user_jobs, charged, refunded, credited, topped_up)"
                           " VALUES (?, ?, ?, 0, 0, 0, 0, ?, 0)",
                           ((user, account or 0, total // 10, total) for (user, account), total in running.items()))
    connection.commit()
    connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory with tollgate and tollgated")
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    tollgate, tollgated = os.path.join(args.bin, "tollgate"), os.path.join(args.bin, "tollgated")
    state = tempfile.mkdtemp(prefix="tollgate-admin-bench.")
    db, pin_key = os.path.join(state, "tollgate.db"), os.path.join(state, "pin.key")
    tag = str(random.randint(100000, 999999))
    group, admin, password = "tgbg" + tag, "tgbu" + tag, "Bench-" + tag + "-pw"
    server = None
    try:
        subprocess.run([tollgate, "db", "init", "--currency", "EUR", "--db", db, "--pin-key", pin_key], check=True, capture_output=True)
        for i in range(1, 21):
            subprocess.run([tollgate, "account", "add", f"Dept {i}", "--code", f"D{i}", "--global", "--soft", "50", "--hard", "100",
                            "--db", db], check=True, capture_output=True)
        began = time.time()
        populate(db, args.users, args.entries, 20)
        print(f"admin bench: {args.users} users, {args.entries} ledger entries written in {time.time() - began:.1f} s", flush=True)
        began = time.time()
        check = subprocess.run([tollgate, "check", "--db", db], capture_output=True, text=True)
        if check.returncode != 0:
            print(f"admin bench: tollgate check failed on the generated database:\n{check.stdout}{check.stderr}", file=sys.stderr)
            return 1
        print(f"admin bench: tollgate check OK in {time.time() - began:.1f} s", flush=True)
        subprocess.run(["/usr/sbin/groupadd", group], check=True)
        subprocess.run(["/usr/sbin/useradd", "-M", "-G", group, admin], check=True)
        subprocess.run(["/usr/sbin/chpasswd"], input=f"{admin}:{password}\n", text=True, check=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([tollgated, "--listen", f"127.0.0.1:{port}", "--db", db, "--pin-key", pin_key, "--no-socket", "--no-gate",
                                   "--cups-server", os.path.join(state, "no-cupsd.sock"), "--admin-group", group],
                                  stdout=subprocess.DEVNULL, stderr=open(os.path.join(state, "tollgated.log"), "w"))
        jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

        def get(path):
            try:
                with opener.open(base + path, timeout=60) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()

        for _ in range(100):
            try:
                if get("/admin/admin.css")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        status, page = get("/admin/signin")
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
        body = urllib.parse.urlencode({"csrf": csrf, "user": admin, "password": password}).encode()
        try:
            opener.open(urllib.request.Request(base + "/admin/signin", data=body), timeout=30)
        except urllib.error.HTTPError as error:
            if error.code != 303:
                raise
        pages = [
            ("user search", "/admin/users?q=user4242"),
            ("user page", "/admin/user?name=user4242"),
            ("account report (one account, all time)", "/admin/reports?by=user&account=D3"),
            ("report by account (all time)", "/admin/reports?by=account"),
            ("ledger of a user", "/admin/ledger?user=user4242"),
            ("accounts list", "/admin/accounts"),
        ]
        for name, path in pages:
            status, _ = get(path)
            if status != 200:
                print(f"admin bench: {path}: HTTP {status}", file=sys.stderr)
                return 1
            times = []
            for _ in range(args.requests):
                began = time.perf_counter()
                get(path)
                times.append((time.perf_counter() - began) * 1000)
            times.sort()
            p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]
            print(f"  {name:42s} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   ({args.requests} requests, {path})", flush=True)
        return 0
    finally:
        if server:
            server.terminate()
            server.wait(timeout=20)
        subprocess.run(["/usr/sbin/userdel", admin], capture_output=True)
        subprocess.run(["/usr/sbin/groupdel", group], capture_output=True)
        subprocess.run(["rm", "-rf", state])


if __name__ == "__main__":
    sys.exit(main())
