# Helpers for tests/integration/net_*.sh (sourced, not a test itself):
# booting the guest with a --net back end and a pcap, waiting for its
# console, the host-side servers and clients, and the tshark check.
#
# PVKIT_NET_MODELS picks the NIC models (default "ethoc virtio"); a model
# this pvkit build does not have yet is reported as SKIP, not a failure.
# All traffic stays on loopback or in namespaces the tests create.
set -u
cd "$(dirname "$0")/../.." || exit 1
PVKIT=${PVKIT:-build/pvkit}
KERNEL=build/guest/Image
INITRD=build/guest/initramfs.cpio.gz
MODELS=${PVKIT_NET_MODELS:-ethoc virtio}
VM_TIMEOUT=${PVKIT_NET_TIMEOUT:-240}
# Debian's python3, not a slower shim earlier in PATH
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

fail=0
T=$(mktemp -d /tmp/pvkit-nettest.XXXXXX)
CLEANUP=()
cleanup() {
	local k
	for ((k = ${#CLEANUP[@]} - 1; k >= 0; k--)); do
		eval "${CLEANUP[k]}" >/dev/null 2>&1
	done
	# PVKIT_NET_KEEP=1 keeps the consoles and pcaps for a look
	if [ -n "${PVKIT_NET_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
on_exit() { CLEANUP+=("$*"); }

note() { echo "$*"; }
bad() { echo "FAIL: $*"; fail=1; }

need() {
	local f
	for f in "$PVKIT" "$KERNEL" "$INITRD"; do
		[ -e "$f" ] || { echo "FAIL: $f missing (make; make guest)"; exit 1; }
	done
	for f in "$@"; do
		command -v "$f" >/dev/null || { echo "FAIL: $f missing (scripts/deps.sh)"; exit 1; }
	done
}

# The same 30000-line file the guest makes with `seq 1 30000`.
make_blob() { seq 1 30000 >"$1"; }
md5() { md5sum "$1" | cut -d' ' -f1; }

free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# run_in NS CMD...: CMD in network namespace NS ("" = this one).
run_in() {
	local ns=$1
	shift
	if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

# http_server NS ADDR PORT DIR: python's server in the background, ready.
http_server() {
	local ns=$1 addr=$2 port=$3 dir=$4 k pre=()
	[ -n "$ns" ] && pre=(ip netns exec "$ns")
	"${pre[@]}" "$PY" -u -m http.server --bind "$addr" --directory "$dir" \
		"$port" >"$T/http-$port.log" 2>&1 &
	on_exit "kill $!"
	for k in $(seq 100); do
		grep -q "Serving HTTP" "$T/http-$port.log" 2>/dev/null && return 0
		sleep 0.1
	done
	bad "HTTP server on $addr:$port did not start"
	return 1
}

# boot_vm NAME NS TEST APPEND NETSPEC: pvkit in the background; its console
# goes to $T/NAME.log, its pcap to $T/NAME.pcap; $VM_PID is its pid.
boot_vm() {
	local name=$1 ns=$2 test=$3 append=$4 net=$5 pre=()
	# no shell function or subshell in between: $! must be the process
	# a kill reaches (ip netns exec and timeout pass it on to pvkit)
	[ -n "$ns" ] && pre=(ip netns exec "$ns")
	"${pre[@]}" timeout "$VM_TIMEOUT" "$PVKIT" run --kernel "$KERNEL" \
		--initrd "$INITRD" \
		--append "console=ttyS0 pvkit.test=$test $append" \
		--net "$net" --pcap "$T/$name.pcap" \
		</dev/null >"$T/$name.log" 2>"$T/$name.err" &
	VM_PID=$!
	on_exit "kill $VM_PID"
}

# A model this build lacks makes pvkit refuse at once with "not available".
# wait_line NAME PATTERN SECONDS PID: the console shows PATTERN, or the
# VM died / time ran out (then 1).
wait_line() {
	local name=$1 pat=$2 secs=$3 pid=$4 k
	for k in $(seq $((secs * 10))); do
		grep -q -- "$pat" "$T/$name.log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || { grep -q -- "$pat" "$T/$name.log" && return 0; return 1; }
		sleep 0.1
	done
	return 1
}

# servers_up NAME PID TEST [SECONDS]: the guest printed PVKIT-NET-READY
# (its servers listen); else 1, after reporting the failure and the VM's
# end (finish_vm).
servers_up() {
	wait_line "$1" PVKIT-NET-READY "${4:-120}" "$2" && return 0
	bad "$1: the guest never got its servers up"
	finish_vm "$1" "$2" "$3"
	return 1
}

# finish_vm NAME PID TEST: waits for the VM, checks the guest's verdict
# and pvkit's exit status, shows the guest's ok/FAIL/info lines.
finish_vm() {
	local name=$1 pid=$2 test=$3 rc
	wait "$pid"
	rc=$?
	sed -n 's/^\(ok\|FAIL\|info\): /    [guest '"$name"'] &/p' "$T/$name.log"
	if [ "$rc" -ne 0 ] || ! grep -q "^PVKIT-TEST-RESULT: $test 0" "$T/$name.log"; then
		bad "$name: pvkit exit $rc, guest: $(grep '^PVKIT-TEST-RESULT' "$T/$name.log" || echo 'no result')"
		grep -iE 'panic|oops|ethoc|eth0' "$T/$name.log" | head -5 | sed 's/^/    /'
		tail -n 3 "$T/$name.err" | sed 's/^/    [stderr] /'
		return 1
	fi
	note "ok: $name: guest test $test passed, pvkit exit 0"
}

# upload NS ADDR PORT FILE: one TCP connection, the file, close.
upload() {
	run_in "$1" "$PY" - "$2" "$3" "$4" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), 10)
s.sendall(open(sys.argv[3], "rb").read())
s.close()
PY
}

# host_ping NS ADDR COUNT: ICMP echo from the host side (a raw socket in
# python: no ping binary needed); prints "N of COUNT answered".
host_ping() {
	run_in "$1" "$PY" - "$2" "$3" <<'PY'
import os, select, socket, struct, sys, time
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
dst, count = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
ident, got = os.getpid() & 0xffff, 0
for seq in range(1, count + 1):
    body = b"pvkit-ping" * 5
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    s.sendto(struct.pack("!BBHHH", 8, 0, csum(hdr + body), ident, seq) + body, (dst, 0))
    end = time.time() + 3
    while time.time() < end:
        if not select.select([s], [], [], end - time.time())[0]:
            break
        pkt = s.recv(2048)
        ihl = (pkt[0] & 15) * 4
        t, _, _, i, q = struct.unpack("!BBHHH", pkt[ihl:ihl + 8])
        if t == 0 and i == ident and q == seq:
            got += 1
            break
    time.sleep(0.2)
print("%d of %d answered" % (got, count))
sys.exit(0 if got == count else 1)
PY
}

# fetch_check NS URL MD5 LABEL: the host downloads and compares.
fetch_check() {
	local out=$T/fetched
	rm -f "$out"
	if ! run_in "$1" curl -sS --max-time 60 -o "$out" "$2"; then
		bad "$4: curl $2 failed"
	elif [ "$(md5 "$out")" != "$3" ]; then
		bad "$4: md5 $(md5 "$out"), want $3"
	else
		note "ok: $4: $(stat -c %s "$out") bytes from $2, md5 matches"
	fi
}

# pcap_check NAME: tshark opens the run's capture; one pass lists each
# frame's protocols (and HTTP method, ICMP type) for pcap_count.
pcap_check() {
	local name=$1
	tshark -r "$T/$name.pcap" -T fields -e frame.protocols \
		-e http.request.method -e icmp.type \
		>"$T/$name.fields" 2>"$T/tshark.err"
	if grep -v 'Running as user' "$T/tshark.err" | grep -q . ||
		[ ! -s "$T/$name.fields" ]; then
		bad "$name: tshark cannot read $name.pcap: $(head -n 2 "$T/tshark.err")"
		return 1
	fi
	note "ok: $name.pcap opens in tshark: $(wc -l <"$T/$name.fields") frames"
}

# pcap_count NAME AWK-CONDITION MIN LABEL: at least MIN frames where the
# condition holds ($1 protocols, $2 HTTP method, $3 ICMP type).
pcap_count() {
	local name=$1 cond=$2 min=$3 label=$4 n
	n=$(awk -F'\t' "$cond" "$T/$name.fields" | wc -l)
	if [ "$n" -ge "$min" ]; then
		note "ok: $name.pcap: $n $label"
	else
		bad "$name.pcap: $n $label, want at least $min"
	fi
}

# static_link_test tap|tun NET: the host side of a TAP or TUN device in a
# network namespace made here (NET.1/24, the guest NET.15/24), pvkit run
# inside it; per model: the guest pings the peer and fetches a file from
# it, the peer pings the guest, fetches a file from it and uploads one.
static_link_test() {
	local kind=$1 net=$2 model name pid ns dev sum
	need ip "$PY" curl tshark
	if [ "$(id -u)" -ne 0 ]; then
		note "SKIP: --net $kind needs root (CAP_NET_ADMIN) for the namespace and device"
		exit 0
	fi
	ns=pvkit-$kind-$$
	dev=pvk${kind}$$
	dev=${dev:0:15}
	ip netns add "$ns" || { bad "ip netns add $ns"; exit 1; }
	on_exit "ip netns del $ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" tuntap add dev "$dev" mode "$kind" || { bad "ip tuntap add $dev"; exit 1; }
	ip -n "$ns" addr add "$net.1/24" dev "$dev"
	ip -n "$ns" link set "$dev" up
	make_blob "$T/blob"
	sum=$(md5 "$T/blob")
	mkdir -p "$T/www" && cp "$T/blob" "$T/www/blob"
	http_server "$ns" "$net.1" 8000 "$T/www" || exit 1

	for model in $MODELS; do
		name=$kind-$model
		boot_vm "$name" "$ns" net-static \
			"pvkit.ip=$net.15/24 pvkit.peer=$net.1 pvkit.httpport=8000 pvkit.blobmd5=$sum" \
			"$kind,ifname=$dev,model=$model"
		pid=$VM_PID
		servers_up "$name" "$pid" net-static || continue
		if host_ping "$ns" "$net.15" 3 >"$T/ping.log" 2>&1; then
			note "ok: $name: the namespace pings the guest: $(cat "$T/ping.log")"
		else
			bad "$name: namespace -> guest ping: $(tail -n 2 "$T/ping.log" | tr '\n' ' ')"
		fi
		fetch_check "$ns" "http://$net.15:8080/guest.txt" "$sum" "$name: namespace -> guest HTTP"
		upload "$ns" "$net.15" 8081 "$T/blob" || bad "$name: upload to the guest failed"
		finish_vm "$name" "$pid" net-static
		pcap_check "$name" &&
			pcap_count "$name" '$3 == "8"' 6 "ICMP echo requests (both ways)" &&
			pcap_count "$name" '$3 == "0"' 6 "ICMP echo replies" &&
			pcap_count "$name" '$2 == "GET"' 2 "HTTP GETs"
		[ "$kind" = tun ] &&
			pcap_count "$name" '$1 ~ /:arp/' 2 "ARP frames (request and pvkit's answer)"
	done
}
