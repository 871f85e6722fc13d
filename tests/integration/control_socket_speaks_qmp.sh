#!/bin/bash
# The control socket speaks QMP: greeting, negotiation, query-status,
# stop (the guest stops executing), cont, error classes, events; it
# survives malformed input (random bytes, truncated JSON, huge strings)
# and `quit` ends pvkit with status 0.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
sock=$tmp/ctl.sock
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
build/pvkit run --kernel build/guest/Image --append "console=ttyS0 panic=0" \
	--control "$sock" </dev/null >/dev/null 2>"$tmp/err" &
pid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done

python3 - "$sock" <<'PY'
import json, os, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(10)
f = s.makefile("rwb")
def line():
    return json.loads(f.readline())
def send(raw):
    f.write(raw); f.flush()
def cmd(c, **kw):
    m = {"execute": c, "id": c}
    if kw: m["arguments"] = kw
    send((json.dumps(m) + "\n").encode())
    while True:
        r = line()
        if "event" not in r: return r
def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond: sys.exit(1)
g = line()
check("QMP" in g, "greeting")
check(cmd("query-status")["error"]["class"] == "CommandNotFound", "commands refused before qmp_capabilities")
check(cmd("qmp_capabilities") == {"return": {}, "id": "qmp_capabilities"}, "negotiation, id echoed")
check(cmd("query-status")["return"]["status"] == "running", "running")
send(b'{"execute":"stop"}\n')
r1, r2 = line(), line()
check({"event": "STOP"}.items() <= r1.items() or {"event": "STOP"}.items() <= r2.items(), "STOP event")
n1 = cmd("query-pvkit-stats")["return"]["cpu"]["instructions"]
time.sleep(0.3)
n2 = cmd("query-pvkit-stats")["return"]["cpu"]["instructions"]
check(n1 == n2, "no instructions retire while stopped (%d)" % n1)
check(cmd("query-status")["return"]["status"] == "paused", "paused")
cmd("cont")
time.sleep(0.2)
n3 = cmd("query-pvkit-stats")["return"]["cpu"]["instructions"]
check(n3 > n2, "running again after cont")
check(cmd("no-such-command")["error"]["class"] == "CommandNotFound", "unknown command")
check(cmd("balloon", value="x")["error"]["class"] == "GenericError", "bad argument type")
for junk in [os.urandom(4096), b'{"execute": "query-status"', b'}\n',
             b'{"execute": "' + b"A" * 200000 + b'"}\n', b'[1,2,3]\n', b'"str"\n']:
    send(junk + b"\n")
time.sleep(0.5)
s.setblocking(False)
try:
    while s.recv(1 << 20): pass
except BlockingIOError:
    pass
s.settimeout(10)
f = s.makefile("rwb")
check(cmd("query-status")["return"]["status"] == "running", "still answering after malformed input")
r = cmd("quit")
check("return" in r, "quit")
PY
rc=$?
wait $pid
status=$?
[ $rc -eq 0 ] || exit 1
[ $status -eq 0 ] || { echo "FAIL: pvkit exited $status after quit"; cat "$tmp/err"; exit 1; }
echo "ok: pvkit exited 0 after quit"
