#!/bin/sh
# `pvkit bench time`, guest side (host/bench/bench_time.c): one part per
# boot, chosen by pvkit.part=, each printing a PVKIT-BENCH line:
#   cost    ns per read of the paravirtual clock (magic instruction, PTP
#           clock /dev/ptp0), of CLOCK_REALTIME and of the RTC (/dev/rtc0)
#   offset  after pvkit.settle= seconds (the agent's first sync), the
#           guest-minus-host offset over pvkit.secs= seconds: mean, p99, max
#   rate    instructions per second of host time over 1 s windows, for
#           pvkit.secs= seconds (boot with --cpu-mhz N)
. /tests/bench-lib.sh
secs=${PVKIT_SECS:-5}
case ${PVKIT_PART:-} in
cost) bench_result read-cost $(pvkit-clock cost | sed -n 's/^cost //p') ;;
offset)
	sleep "${PVKIT_SETTLE:-3}"
	bench_result offset $(pvkit-clock offset "$secs" | sed -n 's/^offset //p')
	;;
rate) bench_result rate $(pvkit-clock rate "$secs" | sed -n 's/^rate //p') ;;
*) echo "bench-time: pvkit.part=cost|offset|rate" >&2; exit 2 ;;
esac
