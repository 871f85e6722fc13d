#!/bin/bash
# The guest agent's qemu-ga protocol, without booting a guest: the host
# build of the agent (build/pvkit-agent-host, a dry-run build: shutdown,
# set-time and fsfreeze are checked but not carried out) serves a pty; a
# Python bridge exposes the pty's master end as a unix socket, as
# `pvkit run --agent SOCK` exposes the virtio-console port. Then:
#  - every command, its replies and qemu-ga's error classes and wording;
#  - a long guest-exec does not hold up guest-ping;
#  - malformed input (1 MiB of random bytes, truncated requests, 1 MiB
#    strings, a request over the size limit, deep nesting), each followed
#    by a resync and guest-ping still answering, and the agent alive;
#  - `pvkit agent` against the same socket (build/pvkit if it has the
#    subcommand, else host/agent_client.c built here with a stub main).
set -u
cd "$(dirname "$0")/../.." || exit 1
agent=build/pvkit-agent-host
# agent.mk works on its own too, so this runs whether or not the top-level
# Makefile includes it, and always tests the current sources
if ! make -s -f guest-agent/agent.mk "$agent" >/dev/null 2>&1; then
	echo "FAIL: make -f guest-agent/agent.mk $agent failed:"
	make -f guest-agent/agent.mk "$agent" 2>&1 | tail -n 20
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# AGENT_CLI=path runs the client tests with another build (e.g. sanitized)
cli=${AGENT_CLI:-}
if [ -n "$cli" ]; then
	:
elif build/pvkit agent --help >/dev/null 2>&1; then
	cli=build/pvkit
else
	printf '#include "host/agent_client.h"\nint main(int c, char **v) { return cmd_agent(c - 2, v + 2); }\n' >"$tmp/main.c"
	if cc -std=gnu11 -O1 -I. -Ihost "$tmp/main.c" host/agent_client.c host/cli.c \
		-o "$tmp/pvkit" -ljansson 2>"$tmp/cc.log"; then
		cli=$tmp/pvkit
		echo "note: build/pvkit has no 'agent' subcommand yet; testing host/agent_client.c built standalone"
	else
		echo "FAIL: cannot build host/agent_client.c:"
		cat "$tmp/cc.log"
		exit 1
	fi
fi

exec python3 - "$agent" "$cli" "$tmp" <<'PY'
import base64, json, os, pty, random, select, socket, subprocess, sys
import threading, time, tty

agent_bin, cli, tmp = sys.argv[1:4]
sock_path = os.path.join(tmp, "agent.sock")
failures = []

def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)

# ---- the agent on a pty, the pty behind a unix socket ----
master, slave = pty.openpty()
tty.setraw(slave)
log = open(os.path.join(tmp, "agent.log"), "w")
proc = subprocess.Popen([agent_bin, "-v", "-p", os.ttyname(slave)],
                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                        stderr=log)
os.set_blocking(master, False)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sock_path)
srv.listen(4)

def bridge():
    # one client at a time, like a virtio-console port; bytes for nobody
    # are dropped, as the port drops them while no host end is connected
    conn, pend = None, b""
    while True:
        rl = [master, srv] + ([conn] if conn else [])
        wl = [master] if pend else []
        r, w, _ = select.select(rl, wl, [], 0.5)
        if srv in r:
            c, _ = srv.accept()
            if conn:
                conn.close()
            conn, pend = c, b""
        if conn and conn in r:
            try:
                d = conn.recv(65536)
            except OSError:
                d = b""
            if d:
                pend += d
            else:
                conn.close()
                conn, pend = None, b""
        if master in w and pend:
            try:
                pend = pend[os.write(master, pend):]
            except BlockingIOError:
                pass
        if master in r:
            try:
                d = os.read(master, 1 << 20)
            except (BlockingIOError, OSError):
                d = b""
            if conn and d:
                try:
                    conn.sendall(d)
                except OSError:
                    pass

threading.Thread(target=bridge, daemon=True).start()

class Client:
    # bytearray and a scan offset: replies of tens of MiB arrive in pty
    # sized pieces, and re-scanning or re-copying them would be quadratic
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(sock_path)
        self.buf = bytearray()

    def send(self, data):
        self.s.sendall(data if isinstance(data, bytes) else data.encode())

    def fill(self, deadline):
        left = deadline - time.time()
        if left <= 0:
            raise TimeoutError("no reply")
        self.s.settimeout(left)
        d = self.s.recv(1 << 20)
        if not d:
            raise EOFError("closed")
        self.buf += d

    def upto(self, byte, deadline):
        start = 0
        while True:
            i = self.buf.find(byte, start)
            if i >= 0:
                return i
            start = len(self.buf)
            self.fill(deadline)

    def line(self, timeout=10):
        i = self.upto(b"\n", time.time() + timeout)
        l = bytes(self.buf[:i])
        del self.buf[:i + 1]
        return l

    def reply(self, timeout=10):
        return json.loads(self.line(timeout))

    def sync(self, timeout=10):
        # qemu-ga's resync: 0xFF, guest-sync-delimited, skip to 0xFF+id
        ident = random.randrange(1, 1 << 31)
        self.send(b"\xff" + json.dumps({"execute": "guest-sync-delimited",
                                        "arguments": {"id": ident}}).encode() + b"\n")
        deadline = time.time() + timeout
        while True:
            while b"\xff" not in self.buf:
                self.buf.clear()
                self.fill(deadline)
            del self.buf[:self.buf.index(b"\xff") + 1]
            i = self.upto(b"\n", deadline)
            l = bytes(self.buf[:i])
            del self.buf[:i + 1]
            try:
                if json.loads(l).get("return") == ident:
                    return True
            except ValueError:
                pass

    def cmd(self, name, args=None, **extra):
        req = {"execute": name}
        if args is not None:
            req["arguments"] = args
        req.update(extra)
        self.send(json.dumps(req) + "\n")
        return self.reply(extra.pop("timeout", 30))

def err(rep):
    e = rep.get("error") or {}
    return (e.get("class"), e.get("desc"))

def expect_error(c, name, args, cls, desc, **kw):
    rep = c.cmd(name, args, **kw)
    got = err(rep)
    check(got[0] == cls and (desc is None or got[1] == desc or
                             (desc.endswith("*") and got[1] and got[1].startswith(desc[:-1]))),
          f"{name} {json.dumps(args)[:60] if args else ''} -> {cls}: {desc} (got {got})")

def exec_wait(c, args, timeout=60):
    pid = c.cmd("guest-exec", args)["return"]["pid"]
    deadline = time.time() + timeout
    while time.time() < deadline:
        st = c.cmd("guest-exec-status", {"pid": pid})["return"]
        if st["exited"]:
            return st
        time.sleep(0.02)
    raise TimeoutError("guest-exec never finished")

def b64(s):
    return base64.b64encode(s if isinstance(s, bytes) else s.encode()).decode()

def unb64(s):
    return base64.b64decode(s) if s else b""

c = Client()
check(c.sync(), "guest-sync-delimited: 0xFF then the reply with our id")

# ---- protocol basics ----
check(c.cmd("guest-ping") == {"return": {}}, "guest-ping -> {}")
check(c.cmd("guest-sync", {"id": 1234}) == {"return": 1234}, "guest-sync echoes the id")
check(c.cmd("guest-ping", id="abc") == {"return": {}, "id": "abc"}, "request id is echoed")
c.send('{"execute":"guest-ping"}{"execute":"guest-sync","arguments":{"id":7}}\n')
check(c.reply() == {"return": {}} and c.reply() == {"return": 7},
      "two requests on one line")
c.send('{"execute":\n  "guest-sync",\n "arguments": {"id": 8}\n}\n')
check(c.reply() == {"return": 8}, "one request over several lines")
info = c.cmd("guest-info")["return"]
names = {x["name"] for x in info["supported_commands"]}
wanted = """guest-ping guest-sync guest-sync-delimited guest-info guest-get-osinfo
guest-get-host-name guest-get-time guest-set-time guest-get-timezone guest-exec
guest-exec-status guest-file-open guest-file-read guest-file-write guest-file-seek
guest-file-flush guest-file-close guest-shutdown guest-network-get-interfaces
guest-get-memory-block-info guest-fsfreeze-status guest-fsfreeze-freeze
guest-fsfreeze-thaw guest-get-fsinfo guest-get-load""".split()
check(set(wanted) <= names and info.get("version"), "guest-info lists every command")
shut = [x for x in info["supported_commands"] if x["name"] == "guest-shutdown"]
check(shut and shut[0]["success-response"] is False, "guest-info: guest-shutdown has no success response")

# ---- qemu-ga's errors ----
expect_error(c, "guest-nonesuch", None, "CommandNotFound", "The command guest-nonesuch has not been found")
c.send("[1, 2]\n")
check(err(c.reply()) == ("GenericError", "QMP input must be a JSON object"), "array request refused")
c.send('{"arguments": {}}\n')
check(err(c.reply()) == ("GenericError", "QMP input lacks member 'execute'"), "missing execute")
c.send('{"execute": 5}\n')
check(err(c.reply()) == ("GenericError", "QMP input member 'execute' must be a string"), "execute not a string")
c.send('{"execute": "guest-ping", "arguments": []}\n')
check(err(c.reply()) == ("GenericError", "QMP input member 'arguments' must be an object"), "arguments not an object")
c.send('{"execute": "guest-ping", "frob": 1}\n')
check(err(c.reply()) == ("GenericError", "QMP input member 'frob' is unexpected"), "unexpected member")
c.send('{"execute": "guest-ping", "execute": "guest-info"}\n')
check(err(c.reply())[0] == "GenericError", "duplicate key refused")
c.send('{"execute": guest-ping}\n')
e = err(c.reply())
check(e[0] == "GenericError" and e[1].startswith("JSON parse error"), f"bad JSON -> JSON parse error ({e[1]})")
expect_error(c, "guest-sync", {}, "GenericError", "Parameter 'id' is missing")
expect_error(c, "guest-sync", {"id": "x"}, "GenericError", "Invalid parameter type for 'id', expected: integer")
expect_error(c, "guest-sync", {"id": 1.5}, "GenericError", "Invalid parameter type for 'id', expected: integer")
expect_error(c, "guest-ping", {"x": 1}, "GenericError", "Parameter 'x' is unexpected")
expect_error(c, "guest-exec", {"path": "/bin/true", "arg": [1]}, "GenericError",
             "Invalid parameter type for 'arg[0]', expected: string")
expect_error(c, "guest-exec", {"path": "/bin/true", "capture-output": "loud"}, "GenericError",
             "Parameter 'capture-output' does not accept value 'loud'")

# ---- system information ----
osinfo = c.cmd("guest-get-osinfo")["return"]
check(osinfo.get("kernel-release") == os.uname().release and osinfo.get("machine") == os.uname().machine,
      "guest-get-osinfo: kernel-release and machine")
check(c.cmd("guest-get-host-name")["return"]["host-name"] == socket.gethostname(), "guest-get-host-name")
t = c.cmd("guest-get-time")["return"]
check(isinstance(t, int) and abs(t - time.time_ns()) < 5e9, "guest-get-time within 5 s of the host clock")
check(c.cmd("guest-set-time", {"time": t}) == {"return": {}}, "guest-set-time with a time")
check(c.cmd("guest-set-time") == {"return": {}}, "guest-set-time without a time (from the RTC)")
expect_error(c, "guest-set-time", {"time": -5}, "GenericError", "Invalid time")
expect_error(c, "guest-set-time", {"time": "now"}, "GenericError", "Invalid parameter type for 'time', expected: integer")
tz = c.cmd("guest-get-timezone")["return"]
check(isinstance(tz.get("offset"), int), f"guest-get-timezone {tz}")
load = c.cmd("guest-get-load")["return"]
check(all(isinstance(load.get(k), (int, float)) for k in ("load1", "load5", "load15")), "guest-get-load")
mb = c.cmd("guest-get-memory-block-info")
check(("return" in mb and mb["return"]["size"] > 0) or
      err(mb) == ("GenericError", 'open("/sys/devices/system/memory/"): No such file or directory'),
      f"guest-get-memory-block-info {mb}")
ifs = c.cmd("guest-network-get-interfaces")["return"]
lo = [i for i in ifs if i["name"] == "lo"]
check(lo and any(a["ip-address"] == "127.0.0.1" and a["prefix"] == 8 and a["ip-address-type"] == "ipv4"
                 for a in lo[0]["ip-addresses"]) and "rx-bytes" in lo[0].get("statistics", {}),
      "guest-network-get-interfaces: lo with 127.0.0.1/8 and statistics")
fsinfo = c.cmd("guest-get-fsinfo")["return"]
check(isinstance(fsinfo, list) and all({"name", "mountpoint", "type", "disk"} <= set(f) for f in fsinfo),
      f"guest-get-fsinfo: {len(fsinfo)} filesystem(s)")

# ---- guest-exec ----
st = exec_wait(c, {"path": "/bin/echo", "arg": ["hello", "world"], "capture-output": True})
check(st.get("exitcode") == 0 and unb64(st.get("out-data")) == b"hello world\n", "guest-exec echo: output and exit code")
st = exec_wait(c, {"path": "echo", "arg": ["via PATH"], "capture-output": True})
check(unb64(st.get("out-data")) == b"via PATH\n", "guest-exec searches PATH")
st = exec_wait(c, {"path": "/bin/cat", "input-data": b64("piped in"), "capture-output": True})
check(unb64(st.get("out-data")) == b"piped in", "guest-exec input-data reaches stdin")
st = exec_wait(c, {"path": "/usr/bin/env", "env": ["ONLY=this"], "capture-output": True})
check(unb64(st.get("out-data")) == b"ONLY=this\n", "guest-exec env replaces the environment")
st = exec_wait(c, {"path": "/bin/sh", "arg": ["-c", "echo out; echo err >&2; exit 3"], "capture-output": True})
check(st.get("exitcode") == 3 and unb64(st.get("out-data")) == b"out\n" and unb64(st.get("err-data")) == b"err\n",
      "guest-exec: exit code 3, stdout and stderr apart")
st = exec_wait(c, {"path": "/bin/sh", "arg": ["-c", "echo out; echo err >&2"], "capture-output": "merged"})
check(unb64(st.get("out-data")) == b"out\nerr\n" and "err-data" not in st, "guest-exec capture-output merged")
st = exec_wait(c, {"path": "/bin/sh", "arg": ["-c", "echo quiet"]})
check(st.get("exitcode") == 0 and "out-data" not in st, "guest-exec without capture-output captures nothing")
st = exec_wait(c, {"path": "/bin/sh", "arg": ["-c", "kill -9 $$"], "capture-output": True})
check(st.get("signal") == 9 and "exitcode" not in st, "guest-exec killed by a signal reports signal")
st = exec_wait(c, {"path": "/bin/sh", "arg": ["-c", "head -c 17000000 /dev/zero"], "capture-output": True})
check(st.get("out-truncated") is True and len(unb64(st.get("out-data"))) == 16 << 20,
      "guest-exec output over 16 MiB is truncated and flagged")
expect_error(c, "guest-exec", {"path": "/no/such/program"}, "GenericError",
             "Guest agent command failed, error was 'Failed to execute child process \u201c/no/such/program\u201d (No such file or directory)'")
expect_error(c, "guest-exec", {"path": "/bin/true", "input-data": "not base64!"}, "GenericError", "Base64 data is not valid")
expect_error(c, "guest-exec-status", {"pid": 999999999}, "GenericError", "Invalid parameter 'pid'")
pid = c.cmd("guest-exec", {"path": "/bin/sleep", "arg": ["3"]})["return"]["pid"]
t0 = time.time()
ping = c.cmd("guest-ping")
running = c.cmd("guest-exec-status", {"pid": pid})
check(ping == {"return": {}} and running == {"return": {"exited": False}} and time.time() - t0 < 1,
      "a running guest-exec does not block guest-ping")
st = exec_wait(c, {"path": "/bin/true"})  # other work meanwhile
check(st.get("exitcode") == 0, "a second guest-exec runs while the first does")
while not c.cmd("guest-exec-status", {"pid": pid})["return"]["exited"]:
    time.sleep(0.1)
check(c.cmd("guest-exec-status", {"pid": pid}).get("error") is not None,
      "a finished process is forgotten once reported")

# ---- guest-file-* ----
path = os.path.join(tmp, "file.bin")
payload = bytes(range(256)) * 4
h = c.cmd("guest-file-open", {"path": path, "mode": "w"})["return"]
check(isinstance(h, int) and h >= 1000, f"guest-file-open -> handle {h}")
w = c.cmd("guest-file-write", {"handle": h, "buf-b64": b64(payload)})["return"]
check(w == {"count": len(payload), "eof": False}, "guest-file-write count")
w = c.cmd("guest-file-write", {"handle": h, "buf-b64": b64(b"abcdef"), "count": 3})["return"]
check(w["count"] == 3, "guest-file-write with count writes a prefix")
check(c.cmd("guest-file-flush", {"handle": h}) == {"return": {}}, "guest-file-flush")
check(c.cmd("guest-file-close", {"handle": h}) == {"return": {}}, "guest-file-close")
check(open(path, "rb").read() == payload + b"abc", "the file holds what was written")
h = c.cmd("guest-file-open", {"path": path})["return"]
r = c.cmd("guest-file-read", {"handle": h, "count": 100})["return"]
check(r["count"] == 100 and unb64(r["buf-b64"]) == payload[:100] and r["eof"] is False, "guest-file-read 100 bytes")
s = c.cmd("guest-file-seek", {"handle": h, "offset": -3, "whence": "end"})["return"]
check(s == {"position": len(payload), "eof": False}, "guest-file-seek end-3")
r = c.cmd("guest-file-read", {"handle": h})["return"]
check(unb64(r["buf-b64"]) == b"abc" and r["eof"] is True, "guest-file-read to eof")
s = c.cmd("guest-file-seek", {"handle": h, "offset": 1, "whence": 0})["return"]
check(s["position"] == 1, "guest-file-seek with an integer whence")
r = c.cmd("guest-file-read", {"handle": h, "count": 4096})["return"]
check(unb64(r["buf-b64"]) == (payload + b"abc")[1:] and r["eof"] is True, "guest-file-read the whole rest")
r = c.cmd("guest-file-read", {"handle": h})["return"]
check(r == {"count": 0, "buf-b64": "", "eof": True}, "guest-file-read at eof")
expect_error(c, "guest-file-seek", {"handle": h, "offset": 0, "whence": 7}, "GenericError", "invalid whence code 7")
expect_error(c, "guest-file-read", {"handle": h, "count": -1}, "GenericError", "value '-1' is invalid for argument count")
expect_error(c, "guest-file-write", {"handle": h, "buf-b64": "%%%"}, "GenericError", "Base64 data is not valid")
c.cmd("guest-file-close", {"handle": h})
expect_error(c, "guest-file-read", {"handle": h}, "GenericError", f"handle '{h}' has not been found")
expect_error(c, "guest-file-open", {"path": "/no/such/dir/f"}, "GenericError",
             "failed to open file '/no/such/dir/f' (mode: 'r'): No such file or directory")
expect_error(c, "guest-file-open", {"path": path, "mode": "rw"}, "GenericError", "invalid file open mode 'rw'")

# ---- fsfreeze (dry run: nothing is really frozen) ----
check(c.cmd("guest-fsfreeze-status") == {"return": "thawed"}, "guest-fsfreeze-status thawed")
n = c.cmd("guest-fsfreeze-freeze")["return"]
check(isinstance(n, int), f"guest-fsfreeze-freeze -> {n}")
check(c.cmd("guest-fsfreeze-status") == {"return": "frozen"}, "guest-fsfreeze-status frozen")
expect_error(c, "guest-exec", {"path": "/bin/true"}, "CommandNotFound",
             "Command guest-exec has been disabled: the agent is in frozen state")
expect_error(c, "guest-fsfreeze-freeze", None, "CommandNotFound",
             "Command guest-fsfreeze-freeze has been disabled: the agent is in frozen state")
check(c.cmd("guest-ping") == {"return": {}}, "guest-ping while frozen")
en = {x["name"]: x["enabled"] for x in c.cmd("guest-info")["return"]["supported_commands"]}
check(en["guest-exec"] is False and en["guest-fsfreeze-thaw"] is True, "guest-info shows what frozen disables")
check(c.cmd("guest-fsfreeze-thaw")["return"] == n, "guest-fsfreeze-thaw thaws as many")
check(c.cmd("guest-fsfreeze-status") == {"return": "thawed"}, "thawed again")

# ---- guest-shutdown: no reply on success ----
expect_error(c, "guest-shutdown", {"mode": "explode"}, "GenericError",
             "Parameter 'mode' expects 'halt', 'powerdown' or 'reboot'")
for mode in ("powerdown", "reboot", "halt"):
    c.send(json.dumps({"execute": "guest-shutdown", "arguments": {"mode": mode}}) + "\n")
    check(c.cmd("guest-sync", {"id": 99}) == {"return": 99}, f"guest-shutdown {mode}: no reply (dry run)")

# ---- malformed input, each followed by a resync and guest-ping ----
def survives(what, data, chunk=65536):
    cl = Client()
    stop = threading.Event()
    def drain():  # the agent answers garbage with errors: keep reading
        while not stop.is_set():
            try:
                cl.fill(time.time() + 0.2)
            except (TimeoutError, socket.timeout):
                pass
            except Exception:
                return
            del cl.buf[:-65536]
    th = threading.Thread(target=drain, daemon=True)
    th.start()
    for i in range(0, len(data), chunk):
        cl.send(data[i:i + chunk])
    time.sleep(0.2)
    stop.set()
    th.join()
    cl.buf.clear()
    ok = False
    try:
        ok = cl.sync(20) and cl.cmd("guest-ping") == {"return": {}}
    except Exception as ex:
        print("   ", what, repr(ex))
    check(ok and proc.poll() is None, f"{what}: then guest-ping answers")
    cl.s.close()

rnd = random.Random(7)
survives("1 MiB of random bytes", bytes(rnd.getrandbits(8) for _ in range(1 << 20)))
survives("random bytes without 0xFF or newlines",
         bytes(rnd.choice(b'{}[]":,abc\\ 0123') for _ in range(200000)))
good = b'{"execute": "guest-file-open", "arguments": {"path": "/etc/hostname", "mode": "r"}}'
cuts = b"".join(good[:rnd.randrange(1, len(good))] + b"\n" for _ in range(300))
survives("300 truncated requests, one per line", cuts)
cuts = b"".join(good[:rnd.randrange(1, len(good))] for _ in range(300))
survives("300 truncated requests back to back", cuts)
big = "A" * (1 << 20)
c2 = Client(); c2.sync()
expect_error(c2, "guest-ping", {"x": big}, "GenericError", "Parameter 'x' is unexpected")
expect_error(c2, "guest-sync", {"id": big}, "GenericError", "Invalid parameter type for 'id', expected: integer")
expect_error(c2, "guest-" + big, None, "CommandNotFound", "The command guest-AAAA*")
c2.send(b'{"execute": "' + big.encode() + b'\n')
check(err(c2.reply()) == ("GenericError", "JSON parse error, unterminated string"), "1 MiB unterminated string")
check(c2.cmd("guest-ping") == {"return": {}}, "guest-ping after it")
c2.send(b'{"execute": "guest-ping", "arguments": {"x": "' + b"B" * (17 << 20) + b'"}}\n')
check(err(c2.reply(60)) == ("GenericError", "JSON parse error, request exceeds the agent's size limit"),
      "a 17 MiB request is refused whole")
check(c2.cmd("guest-ping") == {"return": {}}, "guest-ping after it")
c2.send(b"[" * 100000 + b"]" * 100000 + b"\n")
e = err(c2.reply())
check(e[0] == "GenericError" and e[1].startswith("JSON parse error"), f"100000 nested arrays ({e[1]})")
c2.send(b"\x00\x01\x02 \xfe\xfd\n")
check(err(c2.reply())[0] == "GenericError" and err(c2.reply())[0] == "GenericError",
      "two runs of control bytes get two error replies")
check(c2.cmd("guest-ping") == {"return": {}}, "guest-ping at the end")
check(proc.poll() is None, "the agent is still running")

# ---- pvkit agent, the host client ----
def pvk(*args, timeout=60):
    r = subprocess.run([cli, "agent", *args], capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr

rc, out, er = pvk(sock_path, "guest-ping")
check(rc == 0 and out.strip() == "ok", f"pvkit agent guest-ping -> {rc} {out.strip()!r} {er.strip()!r}")
rc, out, er = pvk(sock_path, "guest-exec", "path=/bin/echo", "arg=hello", "arg=world")
check(rc == 0 and out == "hello world\n", f"pvkit agent guest-exec waits and prints the output ({rc} {out!r})")
rc, out, er = pvk(sock_path, "guest-exec", "path=/bin/sh", "arg=-c", "arg=echo 5; exit 4")
check(rc == 4 and out == "5\n" and "exitcode: 4" in er, f"pvkit agent guest-exec exit status ({rc} {out!r} {er!r})")
rc, out, er = pvk(sock_path, "guest-exec", "path=/bin/sleep", "arg=1", "--no-wait")
check(rc == 0 and out.startswith("pid: "), f"pvkit agent guest-exec --no-wait ({out!r})")
rc, out, er = pvk(sock_path, "guest-get-time", "--json")
check(rc == 0 and isinstance(json.loads(out)["return"], int), "pvkit agent --json prints the raw reply")
rc, out, er = pvk(sock_path, "guest-sync", "id=17")
check(rc == 0 and out.strip() == "17", "pvkit agent types numbers")
fpath = os.path.join(tmp, "cli.txt")
rc, out, er = pvk(sock_path, "guest-file-open", f"path={fpath}", "mode=w")
h = out.strip()
rc2, _, _ = pvk(sock_path, "guest-file-write", f"handle={h}", "buf-b64=" + b64("round trip\n"))
pvk(sock_path, "guest-file-close", f"handle={h}")
_, h2, _ = pvk(sock_path, "guest-file-open", f"path={fpath}")
rc3, out, er = pvk(sock_path, "guest-file-read", f"handle={h2.strip()}")
pvk(sock_path, "guest-file-close", f"handle={h2.strip()}")
check(rc == 0 and rc2 == 0 and rc3 == 0 and out == "round trip\n",
      f"pvkit agent guest-file-write then guest-file-read round-trips ({out!r})")
rc, out, er = pvk(sock_path, "guest-get-osinfo")
check(rc == 0 and "kernel-release: " in out, "pvkit agent prints objects readably")
rc, out, er = pvk(sock_path, "guest-network-get-interfaces")
check(rc == 0 and "- name: lo" in out, "pvkit agent prints lists readably")
rc, out, er = pvk(sock_path, "guest-nonesuch")
check(rc == 1 and "has not been found" in er and er.count("\n") == 1, f"pvkit agent error reply -> exit 1 ({er.strip()})")
rc, out, er = pvk(sock_path, "guest-shutdown")
check(rc == 0, "pvkit agent guest-shutdown (no reply expected)")
rc, out, er = pvk(os.path.join(tmp, "missing.sock"), "guest-ping")
check(rc == 1 and "cannot connect" in er and er.count("\n") == 1, f"missing socket -> one line, exit 1 ({er.strip()})")
mute = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
mute.bind(os.path.join(tmp, "mute.sock")); mute.listen(1)
t0 = time.time()
rc, out, er = pvk(os.path.join(tmp, "mute.sock"), "guest-ping", "--timeout", "1")
check(rc == 1 and "no answer" in er and time.time() - t0 < 5, f"silent agent -> timeout message ({er.strip()})")
rc, out, er = pvk(sock_path)
check(rc == 2, "pvkit agent without a command -> exit 2")
rc, out, er = pvk(sock_path, "guest-ping", "novalue")
check(rc == 2 and "key=value" in er, "pvkit agent bad argument -> exit 2")

proc.terminate()
proc.wait(5)
if failures:
    print("agent log (tail):")
    print("".join(open(os.path.join(tmp, "agent.log")).readlines()[-20:]))
print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
PY
