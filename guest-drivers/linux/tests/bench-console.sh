#!/bin/sh
# pvkit guest bench (`pvkit bench console`): two workloads, each
# pvkit.bytes bytes of text in 4 KiB writes, timed with the guest's
# monotonic clock by pvkit-iobench:
#   port-4K (if pvkit.port is set): to a virtio-console serial port found
#       by its name (pvkit.port=org.qemu.guest_agent.0; boot with
#       pvkit.agent=off so that no agent holds it), each write one buffer
#       to the device; the host end reads it all and answers a byte
#       (pvkit-iobench stream-ack). pvkit.port=ttyS0 gives the 16550 the
#       same work as a tty, drained.
#   stream-4K: to /dev/$PVKIT_TTY (ttyS0 for the 16550, hvc1 for
#       virtio-console port 0 through Linux's hvc layer; hvc0 is the SBI
#       console), drained.
# The marks around each go to the tty the host answers on: the kernel
# console, or hvc1 once the stream has written there (console input then
# follows hvc1), which is why port-4K runs first. For each workload
#   PVKIT-BENCH: workload=W bytes=N seconds=S requests=R
# on stdout (the kernel console). Exit status 0 = all bytes written.
. /tests/bench-lib.sh

bytes=${PVKIT_BYTES:-1M}
command -v pvkit-iobench > /dev/null || { echo "FAIL: no pvkit-iobench"; exit 1; }

if [ -n "$PVKIT_PORT" ]; then
    case $PVKIT_PORT in
        tty*) port=/dev/$PVKIT_PORT pattern=stream ;;
        *)
            port= pattern=stream-ack
            for p in /sys/class/virtio-ports/*; do
                [ "$(cat "$p/name" 2>/dev/null)" = "$PVKIT_PORT" ] &&
                    port=/dev/$(basename "$p")
            done
            [ -n "$port" ] || { echo "FAIL: no virtio-console port named $PVKIT_PORT"; exit 1; }
            pidof pvkit-agent > /dev/null &&
                { echo "FAIL: pvkit-agent holds $port (boot with pvkit.agent=off)"; exit 1; }
            ;;
    esac
    bench_mark port-4K-begin
    if ! out=$(pvkit-iobench $pattern 4K "$bytes" "$port" 2>&1); then
        echo "FAIL: $pattern to $port: $out"
        exit 1
    fi
    bench_mark port-4K-end
    bench_result port-4K "$out"
fi

tty=/dev/${PVKIT_TTY:-ttyS0}
BENCH_TTY=$tty
# virtio-console's hvc appears once the device has named its console
# port, a moment after the driver probes
i=0
until [ -c "$tty" ] && { true > "$tty"; } 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 100 ] && { echo "FAIL: no $tty after 10 s ($(ls /dev/hvc* /sys/class/virtio-ports 2>&1 | tr "\n" " "))"; dmesg | grep -i virtio; exit 1; }
    sleep 0.1
done
bench_mark stream-4K-begin
if ! out=$(pvkit-iobench stream 4K "$bytes" "$tty" 2>&1); then
    echo "FAIL: stream to $tty: $out"
    exit 1
fi
bench_mark stream-4K-end
bench_result stream-4K "$out"
exit 0
