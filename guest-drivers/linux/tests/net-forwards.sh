#!/bin/sh
# pvkit guest test, --net user,restrict=on with forwards: the guest cannot
# reach a server on the host's loopback through 10.0.2.2 (restrict), but
# reaches a host TCP server through guestfwd to tcp: (twice: one host
# connection per guest connection), receives a UDP datagram the host
# sends to a udp hostfwd, and serves the host through tcp hostfwd.
#   pvkit.httpport=N  the host's HTTP server on 127.0.0.1:N (must fail)
#   pvkit.fwdword=W   the guestfwd server answers "W:<what it read>"
#   pvkit.udpword=W   the datagram the host sends to guest port 5555
#   pvkit.blobmd5=S   md5 of the upload through hostfwd
. /tests/net-lib.sh

link_up && dhcp && {
    for n in 1 2; do
        got=$(echo "guest-$n" | timeout 20 nc 10.0.2.100 1234 2>&1)
        [ "$got" = "$PVKIT_FWDWORD:guest-$n" ] &&
            ok "guestfwd 10.0.2.100:1234 -> host tcp, connection $n: '$got'" ||
            bad "guestfwd connection $n said '$got', want '$PVKIT_FWDWORD:guest-$n'"
    done
    if timeout 20 wget -q -T 5 -O /tmp/x "http://10.0.2.2:$PVKIT_HTTPPORT/blob" 2>/dev/null; then
        bad "restrict=on: the guest reached the host's 127.0.0.1:$PVKIT_HTTPPORT"
    else
        ok "restrict=on: 10.0.2.2:$PVKIT_HTTPPORT (host loopback) not reachable"
    fi
    # not a job of this shell: serve_and_take_upload waits for its own
    (timeout 150 nc -u -l -p 5555 </dev/null >/tmp/udp 2>&1 &
     echo $! >/tmp/udp.pid)
    serve_and_take_upload 120 "$PVKIT_BLOBMD5"
    i=0
    until grep -q "$PVKIT_UDPWORD" /tmp/udp 2>/dev/null || [ $i -gt 50 ]; do
        i=$((i + 1)); sleep 0.2
    done
    grep -q "$PVKIT_UDPWORD" /tmp/udp &&
        ok "udp hostfwd: got '$(head -c 64 /tmp/udp)' on port 5555" ||
        bad "udp hostfwd: nothing on port 5555 (got '$(head -c 64 /tmp/udp)')"
    kill "$(cat /tmp/udp.pid)" 2>/dev/null
}
stats
exit $fail
