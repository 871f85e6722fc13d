#!/bin/bash
# Guest time stands still while the VM is stopped, so after `stop`, 5 s
# and `cont` the guest's wall clock lags the host's by ~5 s. The agent's
# paravirtual time sync (magic HOST_TIME; the disruption counter changes
# on stop/cont) must step it back within one sync interval: guest-get-time
# then lies within 10 ms of the host clock beyond the request's round trip.
# A second boot with the sync off (pvkit.agent_sync=0) shows the lag the
# sync removes, so the check can fail.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/time/lib.sh

stop_5s_cont() {
	build/pvkit ctl "$tmp/ctl.sock" stop >/dev/null || { echo "FAIL: stop"; exit 1; }
	sleep 5
	build/pvkit ctl "$tmp/ctl.sock" cont >/dev/null || { echo "FAIL: cont"; exit 1; }
}

fail=0

# 1. sync off: the guest lags by the pause
boot "console=ttyS0 pvkit.agent_sync=0"
stop_5s_cont
sleep 1.5
read -r off rtt_ns < <(measure)
echo "sync off: offset after 5 s stop = $((off / 1000000)) ms (round trip $((rtt_ns / 1000000)) ms)"
if [ "$off" -gt -4500000000 ] || [ "$off" -lt -5500000000 ]; then
	echo "FAIL: without sync the guest should lag by ~5 s"
	fail=1
fi
quit

# 2. sync on (default 1000 ms interval)
boot "console=ttyS0"
sleep 1.5 # the first sync
stop_5s_cont
sleep 1.5 # one interval + margin
worst=0
for i in 1 2 3; do
	read -r off rtt_ns < <(measure)
	b=$(beyond_rtt "$off" "$rtt_ns")
	echo "sync on: offset $((off / 1000)) us, round trip $((rtt_ns / 1000)) us, beyond round trip $((b / 1000)) us"
	[ "$b" -gt "$worst" ] && worst=$b
done
if [ "$worst" -ge 10000000 ]; then
	echo "FAIL: after sync the guest clock is $((worst / 1000)) us off beyond the round trip (limit 10 ms)"
	fail=1
fi
quit
[ $fail -eq 0 ] || exit 1
echo "ok: after a 5 s stop the agent's time sync brought the guest clock within $((worst / 1000)) us of the host (beyond the round trip)"
