#!/bin/sh
# Build jansson for the riscv64 guest agent: a static libjansson.a from
# Debian's jansson source package (apt-get source, Debian patches applied),
# cross-compiled with Debian's gcc-riscv64-linux-gnu against
# libc6-dev-riscv64-cross, the way build-busybox.sh builds busybox.
#
# Output: build/guest/jansson/{include/jansson.h,include/jansson_config.h,
# lib/libjansson.a}. Cached by a hash of every input (this script, the
# source package version, the toolchain package versions) under
# ${PVKIT_CACHE:-~/.cache/pvkit}/guest/<hash>/; outputs identical to what
# is already installed are left alone so make sees no change.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${PVKIT_GUEST_OUT:-$ROOT/build/guest}
DEST=$OUT/jansson
CACHE=${PVKIT_CACHE:-$HOME/.cache/pvkit}/guest
CROSS=${PVKIT_CROSS:-riscv64-linux-gnu-}
export LC_ALL=C

stage() { printf '[agent] %s\n' "$*" >&2; }
die() { printf '[agent] ERROR: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found (run scripts/deps.sh)"; }

pkgver() {
    v=$(dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null) || v=
    case $v in
        "install ok installed "*) echo "${v#install ok installed }" ;;
        *) die "Debian package '$1' is not installed (run scripts/deps.sh)" ;;
    esac
}

need "${CROSS}gcc"; need make; need apt-get; need dpkg-source; need flock

# The newest jansson source version apt knows (needs deb-src lines, which
# scripts/deps.sh configures).
JVER=
for v in $(apt-cache showsrc jansson 2>/dev/null |
           awk '/^Package:/{p=$2} /^Version:/{ if (p=="jansson") print $2 }'); do
    if [ -z "$JVER" ] || dpkg --compare-versions "$v" gt "$JVER"; then JVER=$v; fi
done
[ -n "$JVER" ] || die "apt knows no jansson source package: add deb-src lines and run apt-get update (scripts/deps.sh does both)"

KEY=$( {
    printf 'jansson-v1\n'
    sha256sum < "$0"
    echo "jansson-source=$JVER"
    echo "gcc-riscv64-linux-gnu=$(pkgver gcc-riscv64-linux-gnu)"
    echo "binutils-riscv64-linux-gnu=$(pkgver binutils-riscv64-linux-gnu)"
    echo "libc6-dev-riscv64-cross=$(pkgver libc6-dev-riscv64-cross)"
    "${CROSS}gcc" -dumpfullversion
} | sha256sum | cut -c1-16)
CDIR=$CACHE/$KEY
FILES="include/jansson.h include/jansson_config.h lib/libjansson.a"

publish() {
    for f in $FILES; do
        mkdir -p "$DEST/$(dirname "$f")"
        cmp -s "$CDIR/$f" "$DEST/$f" && continue
        cp -f "$CDIR/$f" "$DEST/$f.tmp.$$"
        mv -f "$DEST/$f.tmp.$$" "$DEST/$f"
    done
}

if [ -f "$CDIR/lib/libjansson.a" ]; then publish; exit 0; fi

# One build at a time per cache (parallel makes, several work trees).
mkdir -p "$CACHE"
exec 8>"$CACHE/.jansson.lock"
flock 8
if [ -f "$CDIR/lib/libjansson.a" ]; then publish; exit 0; fi

t0=$(date +%s)
stage "jansson: cache miss ($KEY), building jansson $JVER for riscv64"
mkdir -p "$OUT/log"
LOG=$OUT/log/jansson.log
: > "$LOG"

UPVER=${JVER#*:}
DL=$CACHE/src/jansson_$UPVER
if ! ls "$DL"/jansson_*.dsc >/dev/null 2>&1; then
    stage "jansson: apt-get source jansson=$JVER"
    rm -rf "$DL.tmp.$$"; mkdir -p "$DL.tmp.$$"
    (cd "$DL.tmp.$$" && apt-get source --download-only "jansson=$JVER") >>"$LOG" 2>&1 ||
        { tail -n 20 "$LOG" >&2; die "apt-get source jansson=$JVER failed (log: $LOG)"; }
    rm -rf "$DL"; mv "$DL.tmp.$$" "$DL"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pvkit-jansson.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
dpkg-source -x "$DL"/jansson_*.dsc "$WORK/src" >>"$LOG" 2>&1 ||
    { tail -n 20 "$LOG" >&2; die "dpkg-source -x failed (log: $LOG)"; }

# Debian builds jansson with autoreconf + configure; the tarball ships no
# configure script and pvkit needs no autotools for one small static
# library, so the two headers configure would generate are written here
# with the answers configure gives for riscv64 glibc, and the library
# sources (src/Makefile.am's list) are compiled directly.
stage "jansson: compiling (log: $LOG)"
S=$WORK/src/src
CFG=$WORK/cfg
mkdir -p "$CFG" "$WORK/obj" "$WORK/inst/usr/include" "$WORK/inst/usr/lib"
sed -e 's/@json_inline@/inline/' -e 's/@json_have_long_long@/1/' \
    -e 's/@json_have_localeconv@/1/' -e 's/@json_have_atomic_builtins@/1/' \
    -e 's/@json_have_sync_builtins@/1/' "$S/jansson_config.h.in" > "$CFG/jansson_config.h"
grep -q '^#define .*@' "$CFG/jansson_config.h" && die "jansson_config.h.in has placeholders this script does not know"
cat > "$CFG/jansson_private_config.h" <<'CONFIG'
/* What jansson's configure finds on riscv64 Linux with glibc. */
#define HAVE_ENDIAN_H 1
#define HAVE_FCNTL_H 1
#define HAVE_LOCALE_H 1
#define HAVE_SCHED_H 1
#define HAVE_UNISTD_H 1
#define HAVE_SYS_PARAM_H 1
#define HAVE_SYS_STAT_H 1
#define HAVE_SYS_TIME_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_STDINT_H 1
#define HAVE_CLOSE 1
#define HAVE_GETPID 1
#define HAVE_GETTIMEOFDAY 1
#define HAVE_LOCALECONV 1
#define HAVE_OPEN 1
#define HAVE_READ 1
#define HAVE_SCHED_YIELD 1
#define HAVE_STRTOLL 1
#define HAVE_SYNC_BUILTINS 1
#define HAVE_ATOMIC_BUILTINS 1
#define USE_URANDOM 1
#define INITIAL_HASHTABLE_ORDER 3
CONFIG
JSRCS="dump.c error.c hashtable.c hashtable_seed.c load.c memory.c
    pack_unpack.c strbuffer.c strconv.c utf.c value.c version.c"
for f in $JSRCS; do
    echo "${CROSS}gcc -c $f" >>"$LOG"
    "${CROSS}gcc" -std=gnu99 -O2 -g0 -Wall -Wextra -Wno-format-truncation \
        -DHAVE_CONFIG_H -I"$CFG" -I"$S" -c "$S/$f" \
        -o "$WORK/obj/${f%.c}.o" >>"$LOG" 2>&1 ||
        { tail -n 30 "$LOG" >&2; die "jansson: compiling $f failed (log: $LOG)"; }
done
rm -f "$WORK/inst/usr/lib/libjansson.a"
"${CROSS}ar" rcD "$WORK/inst/usr/lib/libjansson.a" "$WORK"/obj/*.o
"${CROSS}ranlib" -D "$WORK/inst/usr/lib/libjansson.a"
cp "$S/jansson.h" "$CFG/jansson_config.h" "$WORK/inst/usr/include/"

# Must be riscv64 objects.
"${CROSS}objdump" -f "$WORK/inst/usr/lib/libjansson.a" 2>/dev/null |
    grep -q 'architecture: riscv' || die "libjansson.a holds no riscv64 objects"

TMP=$CACHE/.tmp.$KEY.$$
rm -rf "$TMP"; mkdir -p "$TMP/include" "$TMP/lib"
cp "$WORK/inst/usr/include/jansson.h" "$WORK/inst/usr/include/jansson_config.h" "$TMP/include/"
cp "$WORK/inst/usr/lib/libjansson.a" "$TMP/lib/"
cp "$LOG" "$TMP/build.log"
echo "jansson $JVER" > "$TMP/inputs"
if [ -d "$CDIR" ]; then rm -rf "$TMP"; else mv "$TMP" "$CDIR"; fi
stage "jansson: built in $(( $(date +%s) - t0 ))s"
publish
