#!/bin/sh
# Build the pvkit guest busybox: a static riscv64 binary from Debian's busybox
# source package (apt-get source), config = busybox defconfig + busybox.config,
# cross-compiled with Debian's gcc-riscv64-linux-gnu against
# libc6-dev-riscv64-cross. Output: build/guest/busybox (+ busybox.links,
# busybox.config), cached by a hash of every input.
set -eu
. "$(dirname "$0")/lib.sh"
guest_lock

FRAGMENT=guest-drivers/linux/busybox.config
need make; need "${CROSS}gcc"; need apt-get; need dpkg-source

# Newest busybox source version apt knows about (needs deb-src lines).
BBVER=
for v in $(apt-cache showsrc busybox 2>/dev/null |
           awk '/^Package:/{p=$2} /^Version:/{ if (p=="busybox") print $2 }'); do
    if [ -z "$BBVER" ] || dpkg --compare-versions "$v" gt "$BBVER"; then BBVER=$v; fi
done
[ -n "$BBVER" ] || die "apt knows no busybox source package: add deb-src lines and run apt-get update (scripts/guest-deps.sh does both)"

KEY=$(cache_key busybox-v1 \
    guest-drivers/linux/build-busybox.sh guest-drivers/linux/lib.sh \
    "$FRAGMENT" "busybox-source=$BBVER" "$(toolchain_id)" \
    "libc6-dev-riscv64-cross=$(pkgver libc6-dev-riscv64-cross)" \
    "linux-libc-dev-riscv64-cross=$(pkgver linux-libc-dev-riscv64-cross)")
CDIR=$CACHE/$KEY

publish() {
    install_out "$CDIR/busybox" busybox 755
    install_out "$CDIR/busybox.links" busybox.links
    install_out "$CDIR/busybox.config" busybox.config
    stage "busybox: build/guest/busybox ($(stat -c %s "$OUT/busybox") bytes) from cache $CDIR"
}

if [ -f "$CDIR/busybox" ]; then publish; exit 0; fi

t0=$(date +%s)
stage "busybox: cache miss ($KEY), building busybox $BBVER with -j$JOBS"
LOG=$OUT/log/busybox.log
mkdir -p "$WORK" "$OUT/log"
: > "$LOG"

# Fetch the Debian source package once per version (kept in the cache).
UPVER=${BBVER#*:}
DL=$CACHE/src/busybox_$UPVER
if ! ls "$DL"/busybox_*.dsc >/dev/null 2>&1; then
    stage "busybox: apt-get source busybox=$BBVER"
    rm -rf "$DL.tmp.$$"; mkdir -p "$DL.tmp.$$"
    (cd "$DL.tmp.$$" && apt-get source --download-only "busybox=$BBVER") >>"$LOG" 2>&1 ||
        { tail -n 20 "$LOG" >&2; die "apt-get source busybox=$BBVER failed (log: $LOG)"; }
    rm -rf "$DL"; mv "$DL.tmp.$$" "$DL"
fi

BSRC=$WORK/busybox-src
rm -rf "$BSRC"
stage "busybox: unpacking $(basename "$DL"/busybox_*.dsc) (with Debian patches)"
dpkg-source -x "$DL"/busybox_*.dsc "$BSRC" >>"$LOG" 2>&1 ||
    { tail -n 20 "$LOG" >&2; die "dpkg-source -x failed (log: $LOG)"; }

BMAKE="make -C $BSRC CROSS_COMPILE=$CROSS"
stage "busybox: configuring (defconfig + $FRAGMENT); log: $LOG"
run_logged "busybox defconfig" "$LOG" $BMAKE defconfig

# Apply the fragment: drop each mentioned symbol, then append the fragment.
syms=$(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p; s/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' "$ROOT/$FRAGMENT")
for s in $syms; do
    sed -i -e "/^$s=/d" -e "/^# $s is not set\$/d" "$BSRC/.config"
done
grep -E '^CONFIG_|^# CONFIG_.* is not set$' "$ROOT/$FRAGMENT" >> "$BSRC/.config"
yes '' | $BMAKE oldconfig >>"$LOG" 2>&1 || die "busybox oldconfig failed (log: $LOG)"

missing=$(
    grep -E '^CONFIG_[A-Za-z0-9_]+=' "$ROOT/$FRAGMENT" | while IFS= read -r line; do
        grep -qxF "$line" "$BSRC/.config" && continue
        sym=${line%%=*}
        got=$(grep -E "^$sym=|^# $sym is not set" "$BSRC/.config" || echo "nothing")
        printf '\n  wanted %s, got %s' "$line" "$got"
    done
    sed -n 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' "$ROOT/$FRAGMENT" | while read -r sym; do
        got=$(grep -E "^$sym=" "$BSRC/.config") || continue
        printf '\n  wanted %s off, got %s' "$sym" "$got"
    done
)
[ -z "$missing" ] || die "busybox config: options from $FRAGMENT did not take:$missing"

stage "busybox: compiling (output in $LOG)"
run_logged "busybox build" "$LOG" $BMAKE -j"$JOBS" busybox
run_logged "busybox links" "$LOG" $BMAKE busybox.links

# Must be a static riscv64 ELF: no program interpreter, machine RISC-V.
"${CROSS}readelf" -h "$BSRC/busybox" | grep -q 'Machine:.*RISC-V' || die "busybox is not a RISC-V binary"
if "${CROSS}readelf" -l "$BSRC/busybox" | grep -q INTERP; then die "busybox is not static"; fi

TMP=$CACHE/.tmp.$KEY.$$
rm -rf "$TMP"; mkdir -p "$TMP"
cp "$BSRC/busybox" "$TMP/busybox"
cp "$BSRC/busybox.links" "$TMP/busybox.links"
cp "$BSRC/.config" "$TMP/busybox.config"
cp "$LOG" "$TMP/build.log"
echo "busybox $BBVER; $(toolchain_id)" > "$TMP/inputs"
cache_commit "$TMP" "$CDIR"
stage "busybox: built in $(( $(date +%s) - t0 ))s"
publish
