#!/bin/bash
# Under --icount guest time follows the instruction count, not the host:
# without time sync (the default with --icount) the guest's clock starts
# in 2000 and runs at its own rate, so its offset to the host's clock
# changes visibly between two looks a few seconds apart. With
# `--icount --time-sync on` pvkit holds virtual time to host time and the
# agent's sync keeps the guest's clock within 10 ms of the host's beyond
# the request's round trip (guest-get-time), as after a stop; read in the
# guest itself (pvkit-clock offset), without a round trip, the mean
# offset is within 10 ms too.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/time/lib.sh

fail=0

# 1. --icount alone: no sync, the guest keeps its own time
boot console=ttyS0 --icount
read -r off1 rtt1 < <(measure)
sleep 3
read -r off2 rtt2 < <(measure)
drift=$((off2 - off1))
echo "icount, no sync: offset $((off1 / 1000000)) ms, 3 s later $((off2 / 1000000)) ms (drift $((drift / 1000000)) ms)"
if [ "${drift#-}" -lt 50000000 ] && [ "${off2#-}" -lt 1000000000 ]; then
	echo "FAIL: without sync the --icount guest clock should be off or drift visibly"
	fail=1
fi
quit

# 2. --icount --time-sync on: held to the host's clock
boot console=ttyS0 --icount --time-sync on
sleep 2 # the first sync (and a possible second look)
worst=0
for i in 1 2 3; do
	read -r off rtt_ns < <(measure)
	b=$(beyond_rtt "$off" "$rtt_ns")
	echo "icount, sync on: offset $((off / 1000)) us, round trip $((rtt_ns / 1000)) us, beyond round trip $((b / 1000)) us"
	[ "$b" -gt "$worst" ] && worst=$b
	sleep 1
done
if [ "$worst" -ge 10000000 ]; then
	echo "FAIL: with --icount --time-sync on the guest clock is $((worst / 1000)) us off beyond the round trip (limit 10 ms)"
	fail=1
fi
# the guest's own view, without the round trip: host time and the guest
# clock read back to back for 2 s; the mean offset must be within 10 ms
stats=$(build/pvkit agent "$tmp/agent.sock" guest-exec path=/usr/bin/pvkit-clock \
	arg=offset arg=2 --timeout 30 2>/dev/null | grep '^offset')
echo "in guest: $stats"
mean=$(sed -n 's/.* mean_us=\([0-9]*\).*/\1/p' <<<"$stats")
if [ -z "$mean" ] || [ "$mean" -ge 10000 ]; then
	echo "FAIL: in the guest the clock is on average ${mean:-?} us off the host (limit 10 ms)"
	fail=1
fi
quit
[ $fail -eq 0 ] || exit 1
echo "ok: --icount drifts without sync; with --time-sync on it stays within $((worst / 1000)) us of the host beyond the round trip"
