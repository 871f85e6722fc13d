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
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

# boot APPEND: starts pvkit, waits for the agent
boot() {
	rm -f "$tmp/agent.sock" "$tmp/ctl.sock"
	build/pvkit run --kernel build/guest/Image \
		--initrd build/guest/initramfs.cpio.gz --append "$1" \
		--agent "$tmp/agent.sock" --control "$tmp/ctl.sock" \
		</dev/null >"$tmp/out" 2>&1 &
	pid=$!
	for _ in $(seq 150); do
		build/pvkit agent "$tmp/agent.sock" guest-ping --timeout 1 \
			>/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "FAIL: the agent never answered"
	tail "$tmp/out"
	exit 1
}

# measure: prints "OFFSET RTT" in ns: guest time minus the host time
# halfway through the request, and the request's round trip
measure() {
	local t0 g t1
	t0=$(now_ns)
	g=$(build/pvkit agent "$tmp/agent.sock" guest-get-time --json --timeout 5) ||
		{ echo "FAIL: guest-get-time: $g" >&2; echo "0 0"; return; }
	t1=$(now_ns)
	g=$(echo "$g" | tr -dc '0-9')
	echo "$((g - (t0 + t1) / 2)) $((t1 - t0))"
}

# beyond_rtt OFF RTT: |OFF| less half the round trip (>= 0)
beyond_rtt() {
	local a=${1#-} h=$(($2 / 2))
	echo $((a > h ? a - h : 0))
}

stop_5s_cont() {
	build/pvkit ctl "$tmp/ctl.sock" stop >/dev/null || { echo "FAIL: stop"; exit 1; }
	sleep 5
	build/pvkit ctl "$tmp/ctl.sock" cont >/dev/null || { echo "FAIL: cont"; exit 1; }
}

quit() {
	build/pvkit ctl "$tmp/ctl.sock" quit >/dev/null 2>&1
	wait $pid 2>/dev/null
	pid=
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
