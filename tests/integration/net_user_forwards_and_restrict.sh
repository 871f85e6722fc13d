#!/bin/bash
# --net user,restrict=on with every kind of forward: the guest cannot
# reach an HTTP server on the host's loopback through 10.0.2.2, but
# reaches a host TCP server through guestfwd=...-tcp:127.0.0.1:PORT (two
# connections, each its own), receives a UDP datagram the host sends to
# hostfwd=udp:..., and the host fetches from and uploads to the guest
# through tcp hostfwd. One NIC model (virtio): the forwards are slirp's.
. "$(dirname "$0")/net/common.sh"
need "$PY" curl

make_blob "$T/blob"
sum=$(md5 "$T/blob")
mkdir -p "$T/www" && cp "$T/blob" "$T/www/blob"
http=$(free_port)
http_server "" 127.0.0.1 "$http" "$T/www" || exit 1

# the guestfwd target: answers each connection with WORD:<first line>
fwd=$(free_port)
"$PY" - "$fwd" >"$T/fwd.log" 2>&1 <<'PY' &
import socket, sys
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", int(sys.argv[1])))
ls.listen(4)
print("listening", flush=True)
while True:
    c, _ = ls.accept()
    c.settimeout(20)
    line = b""
    while not line.endswith(b"\n"):
        b = c.recv(100)
        if not b:
            break
        line += b
    c.sendall(b"pvkit-fwd:" + line.strip() + b"\n")
    c.close()
PY
on_exit "kill $!"

model=${MODELS##* }
name=forwards-$model
fwd_http=$(free_port)
fwd_up=$(free_port)
fwd_udp=$(free_port)
boot_vm "$name" "" net-forwards \
	"pvkit.httpport=$http pvkit.fwdword=pvkit-fwd pvkit.udpword=pvkit-udp-hostfwd pvkit.blobmd5=$sum" \
	"user,model=$model,restrict=on,guestfwd=tcp:10.0.2.100:1234-tcp:127.0.0.1:$fwd,hostfwd=tcp::$fwd_http-:8080,hostfwd=tcp::$fwd_up-:8081,hostfwd=udp:127.0.0.1:$fwd_udp-:5555"
pid=$VM_PID
servers_up "$name" "$pid" net-forwards 150 || exit 1
# UDP: a few datagrams, the guest needs one
"$PY" - "$fwd_udp" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(5):
    s.sendto(b"pvkit-udp-hostfwd\n", ("127.0.0.1", int(sys.argv[1])))
    time.sleep(0.3)
PY
fetch_check "" "http://127.0.0.1:$fwd_http/guest.txt" "$sum" "$name: host -> guest HTTP via hostfwd (restrict=on)"
upload "" 127.0.0.1 "$fwd_up" "$T/blob" || bad "$name: upload via hostfwd failed"
finish_vm "$name" "$pid" net-forwards
n=$(grep -c '"GET /blob' "$T/http-$http.log")
if [ "$n" = 0 ]; then
	note "ok: the host's HTTP server saw no request from the restricted guest"
else
	bad "restrict=on: the host's HTTP server saw $n requests"
fi
exit $fail
