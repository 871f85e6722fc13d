#!/bin/sh
# pvkit guest bench (`pvkit bench console`): writes pvkit.bytes bytes of
# text in 4 KiB writes to /dev/$PVKIT_TTY (pvkit.tty=ttyS0 for the 16550,
# hvc1 for virtio-console port 0; hvc0 is the SBI console), drained, timed with the guest's monotonic
# clock by pvkit-iobench. The marks around it go to the same tty, so on
# pvkit the counter snapshots cover exactly the stream. Then
#   PVKIT-BENCH: workload=stream-4K bytes=N seconds=S requests=R
# on stdout (the kernel console). Exit status 0 = all bytes written.
tty=/dev/${PVKIT_TTY:-ttyS0}
BENCH_TTY=$tty
. /tests/bench-lib.sh

bytes=${PVKIT_BYTES:-1M}
# virtio-console's hvc appears once the device has named its console
# port, a moment after the driver probes
i=0
until [ -c "$tty" ] && { true > "$tty"; } 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 100 ] && { echo "FAIL: no $tty after 10 s ($(ls /dev/hvc* /sys/class/virtio-ports 2>&1 | tr "\n" " "))"; dmesg | grep -i virtio; exit 1; }
    sleep 0.1
done
command -v pvkit-iobench > /dev/null || { echo "FAIL: no pvkit-iobench"; exit 1; }
bench_mark stream-4K-begin
if ! out=$(pvkit-iobench stream 4K "$bytes" "$tty" 2>&1); then
    echo "FAIL: stream to $tty: $out"
    exit 1
fi
bench_mark stream-4K-end
bench_result stream-4K "$out"
exit 0
