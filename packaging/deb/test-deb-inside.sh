#!/bin/bash
# test-deb-inside.sh DIR PREV CUR — run by test-deb.sh as root inside the throwaway root: install
# DIR/tollgate_PREV_amd64.deb, print through it, upgrade to CUR, print, remove, purge. Every
# check that fails stops the test with what it saw.
set -euo pipefail
dir=$1 prev=$2 cur=$3
bench_cmd=/tmp/tree/cups/tollgate-bench
say() { echo "test-deb: $*"; }
die() { echo "test-deb: FAILED: $*" >&2; exit 1; }
expect() { # expect WHAT ACTUAL WANTED
    [ "$2" = "$3" ] || die "$1: got '$2', expected '$3'"
}
bench=""
user=debtest$$
cleanup() {
    [ -n "$bench" ] && "$bench_cmd" stop "$bench" >/dev/null 2>&1
    userdel -r "$user" >/dev/null 2>&1 || true
}
trap cleanup EXIT

install_deb() { # install_deb VERSION: apt resolves Depends (from the network only if missing)
    local deb=$dir/tollgate_$1_amd64.deb log=/tmp/apt-$1.log
    if ! apt-get install -y -q --no-install-recommends "$deb" >"$log" 2>&1; then
        apt-get update -q >/dev/null 2>&1 || true
        apt-get install -y -q --no-install-recommends "$deb" >"$log" 2>&1 || { cat "$log" >&2; die "apt could not install $deb"; }
    fi
    cat "$log"
    expect "installed version" "$(dpkg-query -W -f '${Version} ${db:Status-Abbrev}' tollgate)" "$1 ii "
}

# What the bench and the test need besides the package (already there on a machine after `make deps`);
# cups-filters is what any print server with an IPP Everywhere queue has (cupsd turns a PDF into
# what the printer takes with it; without it lp refuses application/pdf).
need="cups-ipp-utils cups-client cups-filters dbus-daemon python3 man-db"
if ! dpkg -s $need >/dev/null 2>&1; then
    apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $need >/dev/null
fi
dpkg -s tollgate >/dev/null 2>&1 && die "tollgate is already installed in the base root"

say "install $prev"
install_deb "$prev"
expect "backend mode" "$(stat -c '%a %U %G' /usr/lib/cups/backend/tollgate)" "700 root root"
for f in /usr/bin/tollgate /usr/sbin/tollgated /usr/lib/tollgate/tollgate-analyse /usr/lib/tollgate/tollgate-gate; do
    expect "$f mode" "$(stat -c '%a %U' "$f")" "755 root"
done
expect "/var/lib/tollgate" "$(stat -c '%a %U %G' /var/lib/tollgate)" "700 root root"
getent passwd tollgate >/dev/null || die "no tollgate system user"
[ "$(id -u tollgate)" -lt 1000 ] || die "tollgate is not a system user (uid $(id -u tollgate))"
conffiles=$(dpkg-query -W -f '${Conffiles}' tollgate)
for f in /etc/tollgate/rates/example.toml /etc/pam.d/tollgate /etc/default/tollgated; do
    grep -q " $f " <<<"$conffiles" || die "$f is not a conffile (conffiles: $conffiles)"
done
[ -f /usr/share/tollgate/tollgate-policy.conf ] && [ -f /usr/share/doc/tollgate/README.Debian ] ||
    die "the cupsd policy snippet or README.Debian is missing"
# Man pages: installed where man finds them, and they say what they should.
man -w tollgate.1 tollgated.8 tollgate.7 >/dev/null || die "man -w does not find every page"
MANWIDTH=200 man 1 tollgate 2>/dev/null | grep -q 'tollgate account add' || die "tollgate(1) lacks its subcommands"
MANWIDTH=200 man 8 tollgated 2>/dev/null | grep -q -- '--listen' || die "tollgated(8) lacks --listen"
MANWIDTH=200 man 7 tollgate 2>/dev/null | grep -q 'tollgate-mode-default' || die "tollgate(7) lacks the lpadmin options"
# Units: installed, not enabled (the database must exist first), paths resolved.
for unit in tollgated.service tollgate-maintenance.service tollgate-maintenance.timer; do
    [ -f "/lib/systemd/system/$unit" ] || die "no /lib/systemd/system/$unit"
    grep -q '@[A-Z]*DIR@' "/lib/systemd/system/$unit" && die "$unit has an unresolved @…DIR@"
done
grep -q '^ExecStart=/usr/sbin/tollgated ' /lib/systemd/system/tollgated.service || die "tollgated.service does not run /usr/sbin/tollgated"
expect "tollgated.service enabled" "$(systemctl is-enabled tollgated.service 2>/dev/null || true)" "disabled"
expect "tollgate-maintenance.timer enabled" "$(systemctl is-enabled tollgate-maintenance.timer 2>/dev/null || true)" "disabled"
say "files, modes, user, conffiles, man pages and units as expected"

# An administrator's setup, as README.Debian says.
tollgate db init --currency EUR
cp /etc/tollgate/rates/example.toml /etc/tollgate/rates/default.toml
useradd --create-home --user-group "$user"
echo 4711 | tollgate pin set "$user" >/dev/null   # makes /etc/tollgate/pin.key (0600)
[ -f /etc/tollgate/pin.key ] || die "tollgate pin set made no /etc/tollgate/pin.key"

make_pdf() { # make_pdf PATH PAGES: A4, grey
    { echo '%!PS'; echo '/Helvetica findfont 28 scalefont setfont'
      for ((p = 1; p <= $2; p++)); do echo "<< /PageSize [595 842] >> setpagedevice 0 setgray 72 720 moveto (page $p) show showpage"; done
    } >"$1.ps"
    gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -o "$1" "$1.ps"
}
make_pdf /tmp/two-pages.pdf 2
chmod 0644 /tmp/two-pages.pdf

print_one() { # print_one LABEL: one job as $user through the installed backend; the printer gets it, the user pays
    local before after id out
    before=$(ls "$PRINTER1_OUT" | wc -l)
    id=$(runuser -u "$user" -- lp -d library -t "$1" /tmp/two-pages.pdf | sed -E 's/.*library-([0-9]+).*/\1/')
    for _ in $(seq 1 300); do lpstat -W completed -o library 2>/dev/null | grep -q "^library-$id " && break; sleep 0.1; done
    if ! lpstat -W completed -o library | grep -q "^library-$id "; then
        lpstat -l -o library >&2 || true; tail -30 "$TOLLGATE_BENCH_DIR/log/error_log" >&2
        die "job $id ($1) did not complete"
    fi
    after=$(ls "$PRINTER1_OUT" | wc -l)
    [ "$after" -gt "$before" ] || die "the printer received nothing for job $id"
    out=$(tollgate ledger --json)
    grep -q "\"$user\"" <<<"$out" || die "no ledger entry for $user after job $id: $out"
    grep -a -q "Job $id.*tollgate" "$TOLLGATE_BENCH_DIR/log/error_log" || true
    say "job $id ($1) printed through /usr/lib/cups/backend/tollgate and was charged to $user"
}

start_bench() {
    # No --backend: the bench links every file of /usr/lib/cups/backend, so the queue runs the
    # installed backend with its defaults (/var/lib/tollgate/tollgate.db, /etc/tollgate/rates,
    # /usr/lib/tollgate/tollgate-analyse): no SetEnv.
    eval "$("$bench_cmd" start --owner $$)"
    bench=$TOLLGATE_BENCH_DIR
    export CUPS_SERVER
    [ "$(readlink "$bench/serverbin/backend/tollgate")" = /usr/lib/cups/backend/tollgate ] ||
        die "the bench does not use the installed backend"
    "$bench_cmd" queue "$bench" library everywhere 1 -o tollgate-mode-default=track >/dev/null
}
stop_bench() { "$bench_cmd" stop "$bench" >/dev/null; bench=""; }

start_bench
print_one "before the upgrade"
stop_bench
tollgate check >/dev/null || die "tollgate check failed before the upgrade"
entries_before=$(tollgate ledger --json | grep -o '"id"' | wc -l)

say "upgrade $prev -> $cur"
install_deb "$cur" | tee /tmp/upgrade.log
grep -q "opened and checked after the upgrade from $prev" /tmp/upgrade.log || die "postinst did not open the database on upgrade"
entries_after=$(tollgate ledger --json | grep -o '"id"' | wc -l)
expect "ledger entries kept by the upgrade" "$entries_after" "$entries_before"
expect "the administrator's rates card kept" "$(test -f /etc/tollgate/rates/default.toml && echo yes)" yes
start_bench
print_one "after the upgrade"
stop_bench
tollgate check >/dev/null || die "tollgate check failed after the upgrade"

say "remove"
dpkg -r tollgate >/dev/null
[ ! -e /usr/lib/cups/backend/tollgate ] && [ ! -e /usr/bin/tollgate ] || die "remove left the programs"
[ -f /var/lib/tollgate/tollgate.db ] || die "remove deleted the database"
[ -f /etc/tollgate/rates/example.toml ] && [ -f /etc/pam.d/tollgate ] || die "remove deleted configuration"
expect "package state after remove" "$(dpkg-query -W -f '${db:Status-Abbrev}' tollgate)" "rc "
say "remove kept the database and configuration"

say "purge"
dpkg -P tollgate >/dev/null 2>/tmp/purge.err || { cat /tmp/purge.err >&2; die "purge failed"; }
[ ! -e /var/lib/tollgate ] || die "purge left /var/lib/tollgate"
[ ! -e /etc/tollgate/rates/example.toml ] && [ ! -e /etc/pam.d/tollgate ] && [ ! -e /etc/default/tollgated ] ||
    die "purge left a conffile"
[ ! -e /etc/tollgate/pin.key ] || die "purge left the PIN key"
[ -f /etc/tollgate/rates/default.toml ] || die "purge deleted the administrator's own rates card"
dpkg-query -W tollgate >/dev/null 2>&1 && die "tollgate still known to dpkg after purge"
say "purge removed the database, PIN key and conffiles, kept the administrator's own card"
