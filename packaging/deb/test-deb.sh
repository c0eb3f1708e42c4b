#!/bin/bash
# test-deb.sh — the Debian package end to end (`make deb-test`; CI runs it after `make demo`; root).
#
# 1. Builds the package twice: VERSION~prev1 (earlier) and VERSION (debian/changelog's), the
#    second with lintian (any error fails). The second build compiles nothing (shared .build).
# 2. In a throwaway root — an overlayfs over DEB_TEST_ROOT (default /: this machine as it is,
#    with what `make deps` installed; /var/tmp/fresh-root from ../shared/tools/fresh-debian
#    gives a stock Debian 12 where apt installs the package's Depends from the network), in
#    private mount and pid namespaces (nothing shows outside; every process dies at the end) —
#    packaging/deb/test-deb-inside.sh installs the earlier version, checks files, modes, user,
#    conffiles, man pages and units, prints a job through the installed backend on a private
#    cupsd (cups/tollgate-bench) as a real user and checks the charge, upgrades to VERSION
#    (postinst opens and checks the database, data kept), prints again, removes (data and
#    configuration kept) and purges (database, PIN key and conffiles gone; an administrator's
#    own rates card stays).
# Not covered: starting the systemd units (no systemd in a chroot; `systemd-analyze verify` is
# the unit test in Tests/), and a schema change between the two versions (both builds are of
# these sources; the store's migrations have their own tests).
set -euo pipefail
tree=$(cd "$(dirname "$0")/../.." && pwd)
base=$(realpath "${DEB_TEST_ROOT:-/}")
say() { echo "test-deb: $*"; }
die() { echo "test-deb: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (dpkg in a chroot, cupsd running backends as root)"

if [ "${1:-}" = __inner ]; then
    # Inside the new mount and pid namespaces.
    W=$2; out=$3
    R=$W/root
    mount --make-rprivate /
    mount -t tmpfs -o mode=0755 deb-test "$W"
    mkdir -p "$W/upper" "$W/work" "$R"
    mount -t overlay deb-test-root -o "lowerdir=$base,upperdir=$W/upper,workdir=$W/work" "$R"
    mount -t proc proc "$R/proc"
    mount --rbind /sys "$R/sys" && mount --make-rslave "$R/sys"
    mount --bind /dev "$R/dev"
    mount --bind /dev/pts "$R/dev/pts"
    for d in tmp run dev/shm; do mount -t tmpfs -o mode=1777,nosuid,nodev "deb-test-$d" "$R/$d"; done
    mkdir -p "$R/run/lock"
    # What the test reads: the two packages, the bench, the script (read-only).
    mkdir -p "$R/deb-test"
    mount --bind "$out" "$R/deb-test" && mount -o remount,bind,ro "$R/deb-test"
    mkdir -p "$R/tmp/tree/cups" "$R/tmp/tree/packaging/deb"
    cp "$tree/cups/tollgate-bench" "$tree/cups/tollgate-policy.conf" "$R/tmp/tree/cups/"
    cp "$tree/packaging/deb/test-deb-inside.sh" "$R/tmp/tree/packaging/deb/"
    # No daemon a package install starts (Debian's policy-rc.d convention).
    [ -e "$R/usr/sbin/policy-rc.d" ] || { printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"; chmod 0755 "$R/usr/sbin/policy-rc.d"; }
    chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
        /bin/bash /tmp/tree/packaging/deb/test-deb-inside.sh /deb-test "$PREV" "$CUR" </dev/null
    exit $?
fi

t0=$SECONDS
cur=$(dpkg-parsechangelog -l "$tree/debian/changelog" -S Version)
prev="$cur~prev1"
dpkg --compare-versions "$prev" lt "$cur" || die "$prev does not sort before $cur"
out=$tree/.build-deb/test
rm -rf "$out"; mkdir -p "$out"

DEB_VERSION=$prev DEB_LINTIAN=0 "$tree/packaging/deb/build-deb.sh" "$out"
t1=$SECONDS
"$tree/packaging/deb/build-deb.sh" "$out"
t2=$SECONDS
say "package builds: $prev with the release build in $((t1 - t0)) s, $cur (packaging and lintian) in $((t2 - t1)) s"

W=$(mktemp -d /var/tmp/tollgate-deb-test.XXXXXX)
trap 'rm -rf --one-file-system "$W"' EXIT
export PREV=$prev CUR=$cur base tree
set +e
unshare --mount --pid --fork --kill-child --propagation private "$0" __inner "$W" "$out"
rc=$?
set -e
[ "$rc" = 0 ] || die "install, print, upgrade or purge failed (exit $rc)"
say "passed: build, lintian, install, print, upgrade, remove, purge in $((SECONDS - t0)) s"
