#!/bin/bash
# guest-set-time sets the guest's clock, and because the clock was stepped
# for the host, pvkit's disruption counter moves (every reader of the
# paravirtual clock then steps instead of slewing):
#  - with --time-sync off: time=NS (host + 1 h) puts the guest an hour
#    ahead; guest-set-time without a time (the CLI sends the host's clock)
#    brings it back; each bumps the counter by one;
#  - with sync on: a guest set an hour ahead is stepped back onto host
#    time within one sync interval.
set -u
cd "$(dirname "$0")/../.."
. tests/integration/time/lib.sh

# offset_ms: guest-get-time minus the host's clock halfway, in ms
offset_ms() {
	local t0 g t1
	t0=$(now_ns)
	g=$(build/pvkit agent "$tmp/agent.sock" guest-get-time --json --timeout 5 | tr -dc '0-9')
	t1=$(now_ns)
	echo $(((g - (t0 + t1) / 2) / 1000000))
}

disruptions() {
	build/pvkit agent "$tmp/agent.sock" guest-exec path=/usr/bin/pvkit-clock \
		arg=now --timeout 30 2>/dev/null | sed -n 's/.*disruptions=\([0-9]*\).*/\1/p'
}

set_time() {
	build/pvkit agent "$tmp/agent.sock" guest-set-time "$@" >/dev/null ||
		{ echo "FAIL: guest-set-time $*"; fail=1; }
}

fail=0
hour=3600000

# 1. sync off
boot console=ttyS0 --time-sync off
d0=$(disruptions)
set_time time=$(($(now_ns) + hour * 1000000))
o1=$(offset_ms)
d1=$(disruptions)
set_time
o2=$(offset_ms)
d2=$(disruptions)
echo "sync off: counter $d0; set to host + 1 h: offset $o1 ms, counter $d1; set to host: offset $o2 ms, counter $d2"
if [ $((o1 - hour)) -gt 1000 ] || [ $((o1 - hour)) -lt -1000 ]; then
	echo "FAIL: guest-set-time time=host+1h left the guest $o1 ms off the host"
	fail=1
fi
if [ "${o2#-}" -gt 1000 ]; then
	echo "FAIL: guest-set-time (host time) left the guest $o2 ms off the host"
	fail=1
fi
if [ -z "$d0" ] || [ "$d1" != $((d0 + 1)) ] || [ "$d2" != $((d0 + 2)) ]; then
	echo "FAIL: the disruption counter should go $d0, +1, +2 (got $d0 $d1 $d2)"
	fail=1
fi
quit

# 2. sync on: the agent steps the guest back onto host time
boot console=ttyS0
sleep 1.5
set_time time=$(($(now_ns) + hour * 1000000))
o1=$(offset_ms)
sleep 1.5 # one interval + margin
o2=$(offset_ms)
# (o1 may already be small: a sync can fall between set and get)
echo "sync on: set to host + 1 h: offset $o1 ms; 1.5 s later: $o2 ms"
if [ "${o2#-}" -gt 1000 ]; then
	echo "FAIL: the sync did not step the guest back within one interval"
	fail=1
fi
quit
[ $fail -eq 0 ] || exit 1
echo "ok: guest-set-time steps the guest clock and moves the disruption counter"
