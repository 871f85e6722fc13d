#!/bin/sh
# pvkit guest test: with `--disk IMG --rng --balloon --agent SOCK` Linux
# sees all four virtio devices under /sys/bus/virtio/devices, each bound
# to its driver, and uses them:
#  - blk (ID 2): /dev/vda has the image's size (pvkit.disksize=BYTES) and
#    reads;
#  - rng (ID 4): the kernel's current hwrng is virtio_rng and /dev/hwrng
#    gives bytes;
#  - balloon (ID 5): virtio_balloon bound;
#  - console (ID 3): a port named org.qemu.guest_agent.0, and hvc1 (port
#    0; hvc0 is the SBI console) carries "PVKIT-HVC-HELLO" to pvkit's
#    stdout, which the host checks.
# Exit status 0 = pass.
fail=0
ok()  { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; fail=1; }

has_id() { # has_id ID DRIVER: a virtio device with that ID, bound to DRIVER
    for d in /sys/bus/virtio/devices/*; do
        [ "$(cat "$d/device" 2>/dev/null)" = "$1" ] || continue
        drv=$(basename "$(readlink "$d/driver" 2>/dev/null)")
        if [ "$drv" = "$2" ]; then ok "$(basename "$d"): device $1 bound to $drv"
        else bad "$(basename "$d"): device $1 bound to '$drv', not $2"; fi
        return 0
    done
    bad "no virtio device with ID $1 ($2)"
}

echo "info: $(ls /sys/bus/virtio/devices | tr '\n' ' ')"
has_id 0x0002 virtio_blk
has_id 0x0003 virtio_console
has_id 0x0004 virtio_rng
has_id 0x0005 virtio_balloon

# blk
if [ -b /dev/vda ]; then
    size=$(($(cat /sys/block/vda/size) * 512))
    if [ "$size" = "${PVKIT_DISKSIZE:-}" ]; then ok "vda is $size bytes"
    else bad "vda is $size bytes, host says ${PVKIT_DISKSIZE:-unset}"; fi
    if dd if=/dev/vda of=/dev/null bs=4096 count=16 2>/dev/null; then ok "vda reads"
    else bad "vda read failed"; fi
else
    bad "no /dev/vda"
fi

# rng
cur=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
case $cur in
    virtio_rng*) ok "hwrng is $cur" ;;
    *) bad "hwrng is '$cur', not virtio_rng" ;;
esac
n=$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | wc -c)
if [ "$n" -eq 64 ]; then ok "/dev/hwrng gave 64 bytes"; else bad "/dev/hwrng gave $n bytes"; fi

# console ports
found=
for p in /sys/class/virtio-ports/*; do
    [ "$(cat "$p/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] && found=$(basename "$p")
done
if [ -n "$found" ] && [ -c "/dev/$found" ]; then ok "agent port /dev/$found"
else bad "no port named org.qemu.guest_agent.0"; fi
if echo PVKIT-HVC-HELLO > /dev/hvc1; then ok "wrote to hvc1"
else bad "cannot write to hvc1"; fi

exit $fail
