#!/bin/bash
# Two --net on one VM, each a NIC of its own with its own MAC and pcap=:
# a virtio-net on slirp (DHCP, a file from the host's HTTP server) and an
# ethoc on a socket wire whose far end is a responder here (192.168.77.1:
# answers ARP and ICMP echo, speaking the wire's length-prefixed frames).
# Both pcaps open in tshark and hold only their own NIC's traffic; --pcap
# with two --net is refused.
. "$(dirname "$0")/net/common.sh"
need "$PY" tshark

make_blob "$T/blob"
sum=$(md5 "$T/blob")
mkdir -p "$T/www" && cp "$T/blob" "$T/www/blob"
http=$(free_port)
http_server "" 127.0.0.1 "$http" "$T/www" || exit 1

"$PY" - "$T/wire" >"$T/peer.log" 2>&1 <<'PY' &
# the wire's far end: ARP and ICMP echo for 192.168.77.1
import socket, struct, sys, time
MAC, IP = bytes.fromhex("5255c0a84d01"), bytes([192, 168, 77, 1])
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
for _ in range(300):
    try:
        s.connect(sys.argv[1]); break
    except OSError:
        time.sleep(0.1)
def recv(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: sys.exit(0)
        b += c
    return b
def send(f): s.sendall(struct.pack("!I", len(f)) + f)
while True:
    f = recv(struct.unpack("!I", recv(4))[0])
    dst, src, typ = f[0:6], f[6:12], f[12:14]
    if typ == b"\x08\x06" and f[20:22] == b"\x00\x01" and f[38:42] == IP:
        send(src + MAC + typ + f[14:20] + b"\x00\x02" + MAC + IP + f[22:28] + f[28:32])
        print("arp answered", flush=True)
    elif typ == b"\x08\x00" and f[23] == 1 and f[30:34] == IP:
        ihl = (f[14] & 15) * 4
        tot = struct.unpack("!H", f[16:18])[0]
        ip, icmp = bytearray(f[14:14 + ihl]), bytearray(f[14 + ihl:14 + tot])
        if icmp[0] != 8: continue
        ip[12:16], ip[16:20] = f[30:34], f[26:30]
        ip[10:12] = b"\0\0"; ip[10:12] = struct.pack("!H", csum(bytes(ip)))
        icmp[0] = 0; icmp[2:4] = b"\0\0"; icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
        send(src + MAC + typ + bytes(ip) + bytes(icmp))
        print("echo answered", flush=True)
PY
on_exit "kill $!"

# --pcap is for one --net only
if "$PVKIT" run --kernel "$KERNEL" --net user --net user --pcap "$T/x.pcap" 2>"$T/refused.err"; then
	bad "--pcap with two --net was accepted"
else
	note "ok: --pcap with two --net refused: $(cat "$T/refused.err")"
fi

name=two-nics
timeout "$VM_TIMEOUT" "$PVKIT" run --kernel "$KERNEL" --initrd "$INITRD" \
	--append "console=ttyS0 pvkit.test=net-two-nics pvkit.httpport=$http pvkit.blobmd5=$sum" \
	--net "user,model=virtio,pcap=$T/user.pcap" \
	--net "socket,listen=$T/wire,model=ethoc,pcap=$T/wire.pcap" \
	</dev/null >"$T/$name.log" 2>"$T/$name.err" &
pid=$!
on_exit "kill $pid"
finish_vm "$name" "$pid" net-two-nics
grep -q "echo answered" "$T/peer.log" && note "ok: the wire's far end answered pings" ||
	bad "the wire's far end answered no ping: $(tail -n 2 "$T/peer.log")"
for side in user wire; do
	cp "$T/$side.pcap" "$T/$name-$side.pcap"
	pcap_check "$name-$side"
done
pcap_count "$name-user" '$1 ~ /:dhcp/' 2 "DHCP packets on the slirp NIC" &&
	pcap_count "$name-user" '$2 == "GET"' 1 "HTTP GETs on the slirp NIC"
pcap_count "$name-wire" '$3 == "8"' 3 "ICMP echo requests on the wire NIC" &&
	pcap_count "$name-wire" '$3 == "0"' 3 "ICMP echo replies on the wire NIC"
n=$(awk -F'\t' '$1 ~ /:dhcp/' "$T/$name-wire.fields" | wc -l)
[ "$n" = 0 ] && note "ok: no DHCP on the wire NIC's pcap" || bad "$n DHCP frames in the wire NIC's pcap"
exit $fail
