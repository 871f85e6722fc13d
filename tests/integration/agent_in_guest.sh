#!/bin/bash
# The guest agent in a booted guest: pvkit runs the Linux guest with
# --agent SOCK (the virtio-console port org.qemu.guest_agent.0 as a unix
# socket) and `pvkit agent SOCK ...` drives the riscv64 agent from the
# initramfs: guest-exec of /bin/uname -a (Linux ... riscv64), a
# guest-file-write/guest-file-read round trip of binary bytes, the other
# commands, garbage on the socket followed by guest-ping, and
# guest-shutdown ending pvkit with status 0.
#
# Until pvkit has virtio-console ports, `pvkit run --agent` is refused as
# not available; then this test only says so and passes, so that main
# stays green. AGENT_GUEST_VMM=qemu runs the same checks on Debian's
# qemu-system-riscv64 (a reference, to check the test itself); PVKIT,
# AGENT_GUEST_IMAGE and AGENT_GUEST_INITRD point it at other builds.
set -u
cd "$(dirname "$0")/../.." || exit 1
pvkit=${PVKIT:-build/pvkit}
image=${AGENT_GUEST_IMAGE:-build/guest/Image}
initrd=${AGENT_GUEST_INITRD:-build/guest/initramfs.cpio.gz}
vmm=${AGENT_GUEST_VMM:-pvkit}
boot_timeout=${AGENT_GUEST_BOOT_TIMEOUT:-300}

[ -x "$pvkit" ] || { echo "FAIL: $pvkit missing"; exit 1; }
tmp=$(mktemp -d)
sock=$tmp/agent.sock

# Is --agent refused? (an unknown option after it stops pvkit before boot)
probe=$("$pvkit" run --agent "$sock" --agent-probe-not-an-option 2>&1 </dev/null)
if [ "$vmm" = pvkit ] && grep -q -- "--agent is not available" <<<"$probe"; then
	echo "agent_in_guest: waiting for virtio-console ports"
	rm -rf "$tmp"
	exit 0
fi
for f in "$image" "$initrd"; do
	[ -f "$f" ] || { echo "FAIL: $f missing (make guest)"; exit 1; }
done
if ! zcat "$initrd" | cpio -t --quiet 2>/dev/null | grep -qx 'usr/bin/pvkit-agent'; then
	echo "FAIL: $initrd has no usr/bin/pvkit-agent (make agent guest)"
	exit 1
fi

# The guest's console reads a fifo we hold open, so its shell waits for
# us instead of seeing end-of-file and powering off.
mkfifo "$tmp/console-in"
if [ "$vmm" = qemu ]; then
	qemu-system-riscv64 -M virt -m 512M -display none -monitor none \
		-serial stdio -bios default -kernel "$image" -initrd "$initrd" \
		-append "console=ttyS0" -device virtio-serial-device \
		-chardev "socket,path=$sock,server=on,wait=off,id=qga0" \
		-device virtserialport,chardev=qga0,name=org.qemu.guest_agent.0 \
		<"$tmp/console-in" >"$tmp/console.log" 2>&1 &
else
	"$pvkit" run --kernel "$image" --initrd "$initrd" \
		--append "console=ttyS0" --agent "$sock" \
		<"$tmp/console-in" >"$tmp/console.log" 2>&1 &
fi
vm=$!
exec 7>"$tmp/console-in"
cleanup() {
	exec 7>&-
	kill "$vm" 2>/dev/null
	wait "$vm" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

fail=0
ok() { echo "ok: $*"; }
bad() {
	echo "FAIL: $*"
	fail=1
}
agent() { "$pvkit" agent "$sock" "$@"; }

# Wait for the shell, then start the agent unless /init already did.
deadline=$((SECONDS + boot_timeout))
until grep -q 'busybox shell' "$tmp/console.log" 2>/dev/null; do
	if [ $SECONDS -ge $deadline ] || ! kill -0 "$vm" 2>/dev/null; then
		echo "FAIL: the guest did not reach its shell; console:"
		tail -n 20 "$tmp/console.log"
		exit 1
	fi
	sleep 1
done
echo 'pidof pvkit-agent >/dev/null || pvkit-agent -d -l /tmp/pvkit-agent.log' >&7
until agent guest-ping --timeout 2 >/dev/null 2>&1; do
	if [ $SECONDS -ge $deadline ] || ! kill -0 "$vm" 2>/dev/null; then
		echo "FAIL: no answer from the agent; last try:"
		agent guest-ping --timeout 2
		tail -n 20 "$tmp/console.log"
		exit 1
	fi
	sleep 1
done
ok "the agent answers guest-ping"

out=$(agent guest-exec path=/bin/uname arg=-a 2>"$tmp/err")
rc=$?
if [ $rc -eq 0 ] && grep -q '^Linux .*riscv64' <<<"$out"; then
	ok "guest-exec /bin/uname -a: $out"
else
	bad "guest-exec /bin/uname -a -> $rc: $out $(cat "$tmp/err")"
fi

# guest-file-write then guest-file-read: binary bytes, NULs included
head -c 3000 /dev/urandom >"$tmp/sent"
h=$(agent guest-file-open path=/tmp/agent-roundtrip mode=w)
agent guest-file-write "handle=$h" "buf-b64=$(base64 -w0 <"$tmp/sent")" >/dev/null &&
	agent guest-file-flush "handle=$h" >/dev/null &&
	agent guest-file-close "handle=$h" >/dev/null || bad "guest-file-write"
h=$(agent guest-file-open path=/tmp/agent-roundtrip mode=r)
agent guest-file-read "handle=$h" count=65536 >"$tmp/got" 2>/dev/null
agent guest-file-close "handle=$h" >/dev/null
if cmp -s "$tmp/sent" "$tmp/got"; then
	ok "guest-file-write then guest-file-read round-trips 3000 bytes"
else
	bad "file round trip: sent $(wc -c <"$tmp/sent") bytes, read back $(wc -c <"$tmp/got")"
fi

expect() { # expect WHAT GREP-PATTERN COMMAND [ARGS...]
	local what=$1 pat=$2
	shift 2
	local out
	out=$(agent "$@" --json 2>&1)
	if grep -qE -- "$pat" <<<"$out"; then
		ok "$what"
	else
		bad "$what: $out"
	fi
}
expect "guest-sync" '"return": 4242' guest-sync id=4242
expect "guest-info" '"guest-fsfreeze-thaw"' guest-info
expect "guest-get-osinfo: riscv64" '"machine": "riscv64"' guest-get-osinfo
expect "guest-get-host-name" '"host-name": "pvkit"' guest-get-host-name
expect "guest-get-time" '"return": [0-9]{18,}' guest-get-time
expect "guest-set-time with a time" '"return": \{\}' guest-set-time "time=$(date +%s%N)"
expect "guest-set-time from the RTC" '"return": \{\}' guest-set-time
expect "guest-get-timezone" '"offset": ' guest-get-timezone
expect "guest-get-load" '"load1": ' guest-get-load
expect "guest-network-get-interfaces: lo" '"ip-address": "127.0.0.1"' guest-network-get-interfaces
expect "guest-get-memory-block-info (riscv 6.1 has no memory hotplug)" \
	'"size": |open\(\\"/sys/devices/system/memory/\\"\)' guest-get-memory-block-info
expect "guest-get-fsinfo" '"return": \[' guest-get-fsinfo
expect "guest-fsfreeze-freeze" '"return": [0-9]+' guest-fsfreeze-freeze
expect "guest-fsfreeze-status frozen" '"return": "frozen"' guest-fsfreeze-status
expect "frozen: guest-exec disabled" 'CommandNotFound' guest-exec path=/bin/true --no-wait
expect "guest-fsfreeze-thaw" '"return": [0-9]+' guest-fsfreeze-thaw
expect "guest-fsfreeze-status thawed" '"return": "thawed"' guest-fsfreeze-status
expect "unknown command" 'The command guest-frob has not been found' guest-frob
expect "guest-exec exit code" '"exitcode": 3' guest-exec path=/bin/sh arg=-c "arg=exit 3"

# a long guest-exec does not hold up guest-ping
pid=$(agent guest-exec path=/bin/sleep arg=5 --no-wait | sed 's/pid: //')
t0=$SECONDS
expect "guest-ping during a running guest-exec" '"return": \{\}' guest-ping
expect "guest-exec-status: still running" '"exited": false' guest-exec-status "pid=$pid"
[ $((SECONDS - t0)) -lt 5 ] || bad "guest-ping waited for guest-exec"

# garbage on the socket, then the agent still answers
python3 - "$sock" <<'PY'
import random, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
rnd = random.Random(11)
good = b'{"execute": "guest-sync", "arguments": {"id": 5}}'
junk = bytes(rnd.getrandbits(8) for _ in range(256 << 10))
junk += b"".join(good[:rnd.randrange(1, len(good))] + b"\n" for _ in range(100))
junk += b'{"execute": "guest-ping", "arguments": {"x": "' + b"A" * (1 << 20) + b'"}}\n'
s.setblocking(False)
sent, deadline = 0, time.time() + 120
while sent < len(junk) and time.time() < deadline:
    try:
        sent += s.send(junk[sent:sent + 65536])
    except BlockingIOError:
        time.sleep(0.01)
    try:
        while s.recv(1 << 16):
            pass
    except BlockingIOError:
        pass
s.close()
PY
expect "guest-ping after 256 KiB of random bytes, truncated and 1 MiB requests" \
	'"return": \{\}' guest-ping --timeout 30

# A client that sends its request and shuts down its sending side (what
# `echo REQ | socat - UNIX-CONNECT:SOCK` does) still gets the reply, and
# the next client starts clean.
reply=$(printf '{"execute": "guest-ping"}\n' | socat -t 5 - "UNIX-CONNECT:$sock")
if grep -q '"return": *{}' <<<"$reply"; then
	ok "a half-closed client gets its reply: $reply"
else
	bad "a half-closed client got '$reply' instead of the guest-ping reply"
fi
expect "guest-ping after a half-closed client" '"return": \{\}' guest-ping

# guest-shutdown: no reply; the VM powers off and pvkit exits with 0
agent guest-shutdown mode=powerdown >/dev/null
for _ in $(seq 60); do
	kill -0 "$vm" 2>/dev/null || break
	sleep 1
done
if kill -0 "$vm" 2>/dev/null; then
	bad "guest-shutdown: the VM is still running"
else
	wait "$vm"
	rc=$?
	[ $rc -eq 0 ] && ok "guest-shutdown powered the guest off (exit 0)" ||
		bad "guest-shutdown: exit status $rc"
fi
exit $fail
