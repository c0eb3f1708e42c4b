#!/bin/sh
# release-link-inputs.sh DIR — what the release link of the per-job programs reads from DIR
# (Package.swift names DIR; `make build` runs this first):
#   DIR/libstdc++.a  libstdc++'s archive alone, so every -lstdc++ of the release link is static;
#   DIR/qpdf.ld      a linker script: libqpdf's static archive, then, by full path, each shared
#                    library that libqpdf.so itself was linked against (its NEEDED entries).
# The list comes from libqpdf as installed, so it cannot drift from it: a libqpdf built with
# OpenSSL instead of GnuTLS, or with one more dependency, changes it with no edit here. The
# libraries are the versioned runtime files that dpkg installs with libqpdf, so the link needs no
# -dev package beyond libqpdf-dev (and libstdc++-dev for libstdc++.a).
set -eu
dir=${1:?usage: release-link-inputs.sh DIR}
die() { echo "release-link-inputs: $*" >&2; exit 1; }
mkdir -p "$dir"

stdcxx=$(gcc -print-file-name=libstdc++.a)
[ -f "$stdcxx" ] || die "no libstdc++.a (install g++, which brings libstdc++-dev)"
ln -sf "$stdcxx" "$dir/libstdc++.a"

archive=$(gcc -print-file-name=libqpdf.a)
shared=$(gcc -print-file-name=libqpdf.so)
[ -f "$archive" ] && [ -e "$shared" ] || die "no libqpdf.a/libqpdf.so (install libqpdf-dev)"
inputs=$(readlink -f "$archive")
for needed in $(readelf -d "$shared" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    case "$needed" in
        # The C and C++ runtimes: the Swift toolchain's link names them itself (libstdc++ statically
        # from DIR above).
        libc.so.*|libm.so.*|libgcc_s.so.*|libstdc++.so.*) continue ;;
    esac
    path=$(gcc -print-file-name="$needed")
    [ -f "$path" ] || die "libqpdf.so needs $needed, which the linker cannot find"
    inputs="$inputs $(realpath -s "$path")"
done
printf '/* Written by packaging/release-link-inputs.sh from %s. */\nINPUT(%s)\n' "$shared" "$inputs" >"$dir/qpdf.ld.new"
mv "$dir/qpdf.ld.new" "$dir/qpdf.ld"
