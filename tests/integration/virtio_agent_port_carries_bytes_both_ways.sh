#!/bin/bash
# `--agent SOCK` makes the virtio-console port org.qemu.guest_agent.0 a
# unix socket server on the host. A client connects before the guest has
# booted; once the guest test has stopped the guest agent (which holds the
# port), the client sends a line while the port is closed in the guest:
# pvkit holds it until the guest opens the port (2 s later). The guest
# writes "hello from guest" (blocked until the host end is connected),
# reads the host's line and answers "got: hello from host"; the client
# must read both lines.
set -u
cd "$(dirname "$0")/../.."
kernel=build/guest/Image
initrd=build/guest/initramfs.cpio.gz
for f in "$kernel" "$initrd"; do
	[ -e "$f" ] || { echo "FAIL: $f missing (make guest)"; exit 1; }
done
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
sock=$tmp/agent.sock
build/pvkit run --kernel "$kernel" --initrd "$initrd" \
	--append "console=ttyS0 pvkit.test=virtio-agent-port pvkit.opendelay=2" \
	--agent "$sock" </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
python3 - "$sock" "$tmp/out" <<'PY'
import socket, sys, time
path, console = sys.argv[1], sys.argv[2]
for _ in range(100):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        break
    except OSError:
        time.sleep(0.1)
else:
    print("FAIL: cannot connect to", path); sys.exit(1)
print("ok: connected before the guest booted")
for _ in range(2400):
    if b"AGENT-PORT-FREE" in open(console, "rb").read():
        break
    time.sleep(0.1)
else:
    print("FAIL: the guest never freed the port"); sys.exit(1)
s.sendall(b"hello from host\n")   # while the port is closed in the guest
print("ok: sent 'hello from host' while the guest had the port closed")
s.settimeout(240)
buf = b""
want = [b"hello from guest", b"got: hello from host"]
while buf.count(b"\n") < 2:
    d = s.recv(4096)
    if not d:
        break
    buf += d
lines = buf.split(b"\n")[:2]
for w, l in zip(want, lines + [b""] * 2):
    if l != w:
        print("FAIL: expected %r, read %r" % (w, l)); sys.exit(1)
    print("ok: read %r" % l.decode())
PY
py=$?
for _ in $(seq 300); do kill -0 $pid 2>/dev/null || break; sleep 0.2; done
wait $pid
rc=$?
pid=
grep -E '^(ok|info|FAIL):' "$tmp/out"
if [ $py -ne 0 ] || [ $rc -ne 0 ] ||
	! grep -q '^PVKIT-TEST-RESULT: virtio-agent-port 0' "$tmp/out"; then
	echo "FAIL: client $py, pvkit exit $rc"; tail -5 "$tmp/out"; cat "$tmp/err"
	exit 1
fi
echo "ok: the agent port carried bytes both ways"
