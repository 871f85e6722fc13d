#!/bin/sh
# Boot build/guest/{Image,initramfs.cpio.gz} on Debian's qemu-system-riscv64
# (reference machine `virt` with OpenSBI; QEMU is never part of pvkit).
#   qemu-run.sh test NAME [EXTRA-CMDLINE]   run /tests/NAME.sh, exit 0 iff it passed
#   qemu-run.sh shell [EXTRA-CMDLINE]       interactive shell on stdin/stdout
# Env: PVKIT_QEMU_TIMEOUT (s, default 180), PVKIT_QEMU_MEM (default 512M).
set -eu
. "$(dirname "$0")/lib.sh"
need qemu-system-riscv64
mode=${1:-}; shift || true
cmd="console=ttyS0 earlycon pvkit.hosttime=$(date +%s)"
run() {
    qemu-system-riscv64 -M virt -m "${PVKIT_QEMU_MEM:-512M}" -nographic \
        -bios default -kernel "$OUT/Image" -initrd "$OUT/initramfs.cpio.gz" \
        -append "$cmd $*"
}
case $mode in
    test)
        name=${1:?test name}; shift
        log=$OUT/log/qemu-$name.log
        mkdir -p "$OUT/log"
        stage "qemu: booting test $name (console log: $log)"
        timeout "${PVKIT_QEMU_TIMEOUT:-180}" qemu-system-riscv64 -M virt \
            -m "${PVKIT_QEMU_MEM:-512M}" -nographic -bios default \
            -kernel "$OUT/Image" -initrd "$OUT/initramfs.cpio.gz" \
            -append "$cmd pvkit.test=$name $*" </dev/null 2>&1 | tee "$log" || true
        res=$(sed -n "s/^PVKIT-TEST-RESULT: $name \([0-9]*\).*/\1/p" "$log" | tr -d '\r' | tail -n 1)
        [ -n "$res" ] || die "qemu: no PVKIT-TEST-RESULT line for $name (log: $log)"
        [ "$res" = 0 ] || die "qemu: test $name failed with status $res (log: $log)"
        stage "qemu: test $name passed"
        ;;
    shell) run "$@" ;;
    *) die "usage: $0 test NAME [CMDLINE...] | shell [CMDLINE...]" ;;
esac
