#!/bin/sh
# pvkit guest: helpers the bench-*.sh scripts source (not a test by itself).
# The host side is host/bench/bench_run.c.
#
#   bench_mark LABEL   with pvkit.marks=1 on the kernel command line (the
#       host asked for device counters): prints "PVKIT-BENCH-MARK: LABEL"
#       on $BENCH_TTY and waits for the host's answer line there; the host
#       takes a query-pvkit-stats snapshot in between, so counters between
#       two marks cover exactly the work between them. Otherwise nothing.
#   bench_result WORKLOAD key=value...   prints "PVKIT-BENCH: workload=W
#       key=value..." on stdout, the figures the host reads.
#
# BENCH_TTY is the console the host reads and writes: /dev/console unless a
# script sets it (the virtio-console bench marks on /dev/hvc0, which then
# takes pvkit's console input).
BENCH_TTY=${BENCH_TTY:-/dev/console}

bench_mark() {
    [ "$PVKIT_MARKS" = 1 ] || return 0
    stty -echo < "$BENCH_TTY" 2>/dev/null
    echo "PVKIT-BENCH-MARK: $1" > "$BENCH_TTY"
    # never wait forever: a host that does not answer fails its own run
    read -r -t 30 _ack < "$BENCH_TTY" || echo "bench-lib: no answer at mark $1" >&2
}

bench_result() {
    w=$1
    shift
    echo "PVKIT-BENCH: workload=$w $* "
}

