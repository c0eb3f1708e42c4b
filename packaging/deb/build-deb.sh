#!/bin/sh
# build-deb.sh DIST — the Debian package of this tree into DIST (`make deb`: dist/):
#   tollgate_VERSION_amd64.deb (+ .buildinfo, .changes) and the source package
#   tollgate_VERSION.dsc + tollgate_VERSION.tar.xz (3.0 native).
# VERSION is debian/changelog's, or DEB_VERSION (a changelog entry for it is put on top, in the
# copies only: the upgrade test builds an earlier version this way). DEB_LINTIAN=0 skips lintian
# (otherwise any lintian error fails the build).
#
# The binary package is built by dpkg-buildpackage -b in .build-deb/VERSION/ (debian/ only) with
# TOLLGATE_TREE naming this tree: debian/rules runs `make release-build` here, so the package
# shares .build with `make build` and `make demo` and a build after them compiles nothing. The
# source package is dpkg-source -b of a copy of the tree's files (git ls-files: tracked and
# new, not ignored); built from it alone, debian/rules builds in that tree.
set -eu
tree=$(cd "$(dirname "$0")/../.." && pwd)
dist=$(realpath -m "${1:?usage: build-deb.sh DIST}")
say() { echo "build-deb: $*"; }
die() { echo "build-deb: $*" >&2; exit 1; }
t0=$(date +%s)

current=$(dpkg-parsechangelog -l "$tree/debian/changelog" -S Version)
version=${DEB_VERSION:-$current}
work=$tree/.build-deb/$version
rm -rf "$work"
mkdir -p "$work/binary/tollgate" "$work/source" "$dist"

changelog() { # changelog DEST: debian/changelog, with an entry for $version on top if it is another
    if [ "$version" = "$current" ]; then cp "$tree/debian/changelog" "$1"; return; fi
    dpkg --compare-versions "$version" ne "$current" || die "bad DEB_VERSION $version"
    {
        printf 'tollgate (%s) bookworm; urgency=medium\n\n  * Built by packaging/deb/build-deb.sh as version %s.\n\n' "$version" "$version"
        printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l "$tree/debian/changelog" -S Maintainer)" "$(date -R -u)"
        cat "$tree/debian/changelog"
    } >"$1"
}

# The source package.
src=$work/source/tollgate-$version
mkdir -p "$src"
(cd "$tree" && git ls-files -co --exclude-standard -z | xargs -0 cp -a --parents --target-directory="$src")
changelog "$src/debian/changelog"
(cd "$work/source" && dpkg-source -b "tollgate-$version" >/dev/null) || die "dpkg-source failed"
say "source package: $(cd "$work/source" && ls ./*.dsc ./*.tar.*)"

# The binary package.
cp -a "$tree/debian" "$work/binary/tollgate/debian"
rm -rf "$work/binary/tollgate/debian/tollgate" "$work/binary/tollgate/debian/.debhelper" "$work/binary/tollgate/debian/generated"
changelog "$work/binary/tollgate/debian/changelog"
(cd "$work/binary/tollgate" && TOLLGATE_TREE=$tree dpkg-buildpackage -b -us -uc) >"$work/dpkg-buildpackage.log" 2>&1 ||
    { tail -40 "$work/dpkg-buildpackage.log" >&2; die "dpkg-buildpackage failed (log: $work/dpkg-buildpackage.log)"; }

rm -f "$dist"/tollgate_"$version"[._]*
mv "$work/source"/tollgate_"$version".* "$work/binary"/tollgate_"$version"_* "$dist"/
deb=$dist/tollgate_${version}_amd64.deb
[ -f "$deb" ] || die "no $deb"
say "built $deb ($(du -h "$deb" | cut -f1)) and tollgate_$version.dsc in $(( $(date +%s) - t0 )) s"

if [ "${DEB_LINTIAN:-1}" != 0 ]; then
    t1=$(date +%s)
    lintian --fail-on error "$deb" "$dist/tollgate_$version.dsc" || die "lintian found errors"
    say "lintian: no errors ($(( $(date +%s) - t1 )) s)"
fi
