#!/bin/sh
# pvkit guest test, --net tap / --net tun: a static address on the link
# to a host-side peer (in a network namespace the host test made); ping
# the peer, fetch a file from its HTTP server, then serve a file and take
# an upload while the peer pings us.
#   pvkit.ip=A/N  our address      pvkit.peer=A  the host side
#   pvkit.httpport=N  the peer's HTTP server   pvkit.blobmd5=S  md5 of /blob
. /tests/net-lib.sh

ip addr add "$PVKIT_IP" dev "$IF" && link_up && {
    if ping -c 3 -W 3 "$PVKIT_PEER" > /tmp/ping.log 2>&1; then
        ok "ping $PVKIT_PEER: $(grep -o '[0-9]* packets received' /tmp/ping.log)"
    else
        bad "ping $PVKIT_PEER: $(tail -n 2 /tmp/ping.log | tr '\n' ' ')"
    fi
    fetch_check "http://$PVKIT_PEER:$PVKIT_HTTPPORT/blob" "$PVKIT_BLOBMD5" "peer HTTP"
    serve_and_take_upload 120 "$PVKIT_BLOBMD5"
}
ip neigh show dev "$IF" | sed 's/^/info: neighbour /'
stats
exit $fail
