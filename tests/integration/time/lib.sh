# Shared by the time tests (tests/integration/time_*.sh,
# guest_set_time_*.sh): boot the guest with an agent and a control socket,
# read its clock through the agent against the host's, stop the VM.
# Sourced from the repository root; sets tmp and pid and cleans both up.
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

# boot APPEND [PVKIT-OPTIONS...]: starts pvkit, waits for the agent
boot() {
	local append=$1
	shift
	rm -f "$tmp/agent.sock" "$tmp/ctl.sock"
	build/pvkit run --kernel build/guest/Image \
		--initrd build/guest/initramfs.cpio.gz --append "$append" \
		--agent "$tmp/agent.sock" --control "$tmp/ctl.sock" "$@" \
		</dev/null >"$tmp/out" 2>&1 &
	pid=$!
	for _ in $(seq 150); do
		build/pvkit agent "$tmp/agent.sock" guest-ping --timeout 1 \
			>/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "FAIL: the agent never answered ($append $*)"
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

# quit: ends the VM through its control socket
quit() {
	build/pvkit ctl "$tmp/ctl.sock" quit >/dev/null 2>&1
	wait $pid 2>/dev/null
	pid=
}
