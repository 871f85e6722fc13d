#!/bin/sh
# Build the pvkit guest kernel: Linux 6.1 `Image` for riscv64 from Debian's
# linux-source-6.1, config = tinyconfig + pvkit.config, cross-compiled with
# Debian's gcc-riscv64-linux-gnu. Output: build/guest/Image (+ vmlinux,
# kernel.config, System.map), cached by a hash of every input; then the
# out-of-tree module ptp/ (pvkit_ptp.ko, the paravirtual clock as a PTP
# clock) built against that kernel and cached separately, by the kernel's
# key and the module's sources (and protocol/hypercall.h), so an edit to
# the module costs seconds, not a kernel build, while the build tree is
# still there. Output: build/guest/pvkit_ptp.ko.
set -eu
. "$(dirname "$0")/lib.sh"
guest_lock

KSRC_PKG=linux-source-6.1
TARBALL=/usr/src/$KSRC_PKG.tar.xz
FRAGMENT=guest-drivers/linux/pvkit.config
need make; need "${CROSS}gcc"; need bc; need flex; need bison
KVER=$(pkgver $KSRC_PKG)
[ -f "$TARBALL" ] || die "$TARBALL missing (reinstall $KSRC_PKG)"

KEY=$(cache_key kernel-v1 \
    guest-drivers/linux/build-kernel.sh guest-drivers/linux/lib.sh \
    "$FRAGMENT" "$KSRC_PKG=$KVER" "$(toolchain_id)")
CDIR=$CACHE/$KEY
FILES="Image vmlinux System.map kernel.config"
PTP_SRCS=$(cd "$ROOT" && ls guest-drivers/linux/ptp/* | sort)
PTP_KEY=$(cache_key ptp-module-v1 "kernel=$KEY" $PTP_SRCS protocol/hypercall.h)
PTP_CDIR=$CACHE/$PTP_KEY
SRC=$WORK/$KSRC_PKG
OBJ=$WORK/linux-obj
LOG=$OUT/log/kernel.log
# names the kernel configured and built in $OBJ
TREE_STAMP=$OBJ/.pvkit-kernel-key

publish() {
    for f in $FILES; do install_out "$CDIR/$f" "$f"; done
    stage "kernel: build/guest/Image ($(stat -c %s "$OUT/Image") bytes) from cache $CDIR"
}

publish_module() {
    install_out "$PTP_CDIR/pvkit_ptp.ko" pvkit_ptp.ko
    stage "kernel: build/guest/pvkit_ptp.ko ($(stat -c %s "$OUT/pvkit_ptp.ko") bytes) from cache $PTP_CDIR"
}

# configure_tree: unpack the source once, configure $OBJ for this kernel
# and check that every option of the fragment took.
configure_tree() {
t0=$(date +%s)
stage "kernel: configuring Linux $KVER ($KEY) with -j$JOBS"
mkdir -p "$WORK" "$OUT/log"
: > "$LOG"

# Unpack the Debian tarball once per package version.
if [ "$(cat "$SRC.version" 2>/dev/null)" != "$KVER" ]; then
    stage "kernel: unpacking $TARBALL"
    rm -rf "$SRC" "$SRC.version" "$OBJ"
    tar -C "$WORK" -xf "$TARBALL"
    [ -f "$SRC/Makefile" ] || die "unexpected layout in $TARBALL"
    echo "$KVER" > "$SRC.version"
fi

KMAKE="make -C $SRC O=$OBJ ARCH=riscv CROSS_COMPILE=$CROSS"
mkdir -p "$OBJ"

stage "kernel: configuring (tinyconfig + $FRAGMENT); log: $LOG"
run_logged "kernel tinyconfig" "$LOG" $KMAKE tinyconfig
# merge_config.sh warns when a value is overridden or does not take; keep
# its output in the log, the real check is below.
(cd "$SRC" && ARCH=riscv CROSS_COMPILE=$CROSS \
    ./scripts/kconfig/merge_config.sh -m -O "$OBJ" "$OBJ/.config" "$ROOT/$FRAGMENT") \
    >>"$LOG" 2>&1 || die "merge_config.sh failed (log: $LOG)"
run_logged "kernel olddefconfig" "$LOG" $KMAKE olddefconfig

# Every CONFIG_X=value asked for must be in the final .config as is, and
# every "# CONFIG_X is not set" must be off (tinyconfig/olddefconfig drop
# options whose dependencies are missing without failing).
missing=$(
    grep -E '^CONFIG_[A-Za-z0-9_]+=' "$ROOT/$FRAGMENT" | while IFS= read -r line; do
        grep -qxF "$line" "$OBJ/.config" && continue
        sym=${line%%=*}
        got=$(grep -E "^$sym=|^# $sym is not set" "$OBJ/.config" ||
              echo "nothing (no such symbol, or its dependencies are off)")
        printf '\n  wanted %s, got %s' "$line" "$got"
    done
    sed -n 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' "$ROOT/$FRAGMENT" | while read -r sym; do
        got=$(grep -E "^$sym=" "$OBJ/.config") || continue
        printf '\n  wanted %s off, got %s' "$sym" "$got"
    done
)
if [ -n "$missing" ]; then
    die "kernel config: options from $FRAGMENT did not take:$missing
(check their dependencies with: make -C $SRC O=$OBJ ARCH=riscv menuconfig, '/' search)"
fi
stage "kernel: all $(grep -cE '^CONFIG_[A-Za-z0-9_]+=' "$ROOT/$FRAGMENT") options of the fragment are set"

}

build_tree() {
configure_tree
rm -f "$TREE_STAMP"
stage "kernel: compiling Image and modules (output in $LOG)"
# `modules` too: it writes Module.symvers, which the out-of-tree module
# build checks its symbols against
run_logged "kernel build" "$LOG" $KMAKE -j"$JOBS" Image modules

[ -f "$OBJ/arch/riscv/boot/Image" ] || die "no Image produced (log: $LOG)"
echo "$KEY" > "$TREE_STAMP"
stage "kernel: built in $(( $(date +%s) - t0 ))s"
}

if [ ! -f "$CDIR/Image" ]; then
build_tree
TMP=$CACHE/.tmp.$KEY.$$
rm -rf "$TMP"; mkdir -p "$TMP"
cp "$OBJ/arch/riscv/boot/Image" "$TMP/Image"
cp "$OBJ/vmlinux" "$TMP/vmlinux"
cp "$OBJ/System.map" "$TMP/System.map"
cp "$OBJ/.config" "$TMP/kernel.config"
cp "$OBJ/Module.symvers" "$TMP/Module.symvers"
cp "$LOG" "$TMP/build.log"
echo "linux $KVER; $(toolchain_id)" > "$TMP/inputs"
cache_commit "$TMP" "$CDIR"
fi
publish

if [ ! -f "$PTP_CDIR/pvkit_ptp.ko" ]; then
    # The module needs a tree configured for exactly this kernel. Without
    # one (a fresh checkout with the kernel cached, or a tree of another
    # kernel), configure it and prepare it for external modules: a minute,
    # not a kernel build. The kernel's exported symbols come from its
    # cached Module.symvers (without it modpost only warns).
    case "$(cat "$TREE_STAMP" 2>/dev/null)" in
    "$KEY" | "$KEY prepared") ;;
    *)
        configure_tree
        rm -f "$TREE_STAMP" "$OBJ/Module.symvers"
        run_logged "kernel modules_prepare" "$LOG" $KMAKE -j"$JOBS" modules_prepare
        [ ! -f "$CDIR/Module.symvers" ] || cp "$CDIR/Module.symvers" "$OBJ/"
        echo "$KEY prepared" > "$TREE_STAMP"
        ;;
    esac
    stage "kernel: building pvkit_ptp.ko ($PTP_KEY)"
    MDIR=$WORK/pvkit-ptp
    rm -rf "$MDIR"; mkdir -p "$MDIR" "$OUT/log"
    cp "$ROOT"/guest-drivers/linux/ptp/* "$ROOT/protocol/hypercall.h" "$MDIR/"
    run_logged "pvkit_ptp module" "$OUT/log/pvkit_ptp.log" \
        make -C "$SRC" O="$OBJ" ARCH=riscv CROSS_COMPILE="$CROSS" M="$MDIR" modules
    [ -f "$MDIR/pvkit_ptp.ko" ] || die "no pvkit_ptp.ko produced (log: $OUT/log/pvkit_ptp.log)"
    TMP=$CACHE/.tmp.$PTP_KEY.$$
    rm -rf "$TMP"; mkdir -p "$TMP"
    cp "$MDIR/pvkit_ptp.ko" "$TMP/"
    cp "$OUT/log/pvkit_ptp.log" "$TMP/build.log"
    echo "pvkit_ptp for kernel $KEY" > "$TMP/inputs"
    cache_commit "$TMP" "$PTP_CDIR"
fi
publish_module
