#!/bin/bash
# system_powerdown on the control socket is the machine's power button:
# without ACPI, pvkit asks the guest agent to power off, and pvkit ends
# with status 0. Without an agent it says so instead of pretending.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
build/pvkit run --kernel build/guest/Image --initrd build/guest/initramfs.cpio.gz \
	--append console=ttyS0 --agent "$tmp/agent.sock" --control "$tmp/ctl.sock" \
	</dev/null >"$tmp/out" 2>&1 &
pid=$!
up=
for _ in $(seq 100); do
	if build/pvkit agent "$tmp/agent.sock" guest-ping --timeout 1 >/dev/null 2>&1; then
		up=1
		break
	fi
	sleep 0.2
done
[ -n "$up" ] || { echo "FAIL: the agent never answered"; tail "$tmp/out"; exit 1; }
build/pvkit ctl "$tmp/ctl.sock" system_powerdown || { echo "FAIL: system_powerdown refused"; exit 1; }
for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.2; done
if kill -0 $pid 2>/dev/null; then
	echo "FAIL: the guest did not power off"
	exit 1
fi
wait $pid
status=$?
[ $status -eq 0 ] || { echo "FAIL: pvkit exited $status"; exit 1; }
echo "ok: system_powerdown powered the guest off through its agent; pvkit exited 0"

# no agent: an honest error
build/pvkit run --kernel build/guest/Image --append "console=ttyS0 panic=0" \
	--control "$tmp/ctl2.sock" </dev/null >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do [ -S "$tmp/ctl2.sock" ] && break; sleep 0.1; done
if err=$(build/pvkit ctl "$tmp/ctl2.sock" system_powerdown 2>&1); then
	echo "FAIL: system_powerdown claimed success without an agent"
	exit 1
fi
echo "ok: without an agent: $err"
build/pvkit ctl "$tmp/ctl2.sock" quit >/dev/null
wait $pid
