#!/bin/sh
# pvkit guest test, --net user (slirp): a DHCP lease (10.0.2.15, router
# 10.0.2.2, DNS 10.0.2.3), a file from an HTTP server on the host's
# loopback through 10.0.2.2, a file by TFTP (tftp=DIR), a guestfwd to a
# host command, and servers the host reaches through hostfwd (guest.txt
# over HTTP, an upload over TCP).
#   pvkit.httpport=N  the host's HTTP server on 127.0.0.1:N
#   pvkit.blobmd5=S   md5 of its /blob and of the TFTP file, and of the upload
#   pvkit.tftp=1      try TFTP      pvkit.guestfwd=WORD  what 10.0.2.100:1234 says
. /tests/net-lib.sh

link_up && dhcp && {
    set -- $(cat /tmp/lease)
    [ "$1" = 10.0.2.15 ] && ok "address $1" || bad "address $1, want 10.0.2.15"
    [ "$2" = 10.0.2.2 ] && ok "router $2" || bad "router $2, want 10.0.2.2"
    [ "$3" = 10.0.2.3 ] && ok "dns $3" || bad "dns $3, want 10.0.2.3"
    fetch_check "http://10.0.2.2:$PVKIT_HTTPPORT/blob" "$PVKIT_BLOBMD5" "host HTTP"
    if [ -n "$PVKIT_TFTP" ]; then
        rm -f /tmp/t
        if tftp -g -r blob -l /tmp/t 10.0.2.2 2>/tmp/tftp.log &&
           [ "$(md5_of /tmp/t)" = "$PVKIT_BLOBMD5" ]; then
            ok "TFTP: $(wc -c < /tmp/t) bytes, md5 matches"
        else
            bad "TFTP blob: $(cat /tmp/tftp.log)"
        fi
    fi
    if [ -n "$PVKIT_GUESTFWD" ]; then
        got=$(timeout 20 nc 10.0.2.100 1234 </dev/null 2>&1)
        [ "$got" = "$PVKIT_GUESTFWD" ] && ok "guestfwd 10.0.2.100:1234 -> host command: '$got'" ||
            bad "guestfwd 10.0.2.100:1234 said '$got', want '$PVKIT_GUESTFWD'"
    fi
    ping -c 1 -W 3 10.0.2.2 >/dev/null 2>&1 && echo "info: ping 10.0.2.2 answered" ||
        echo "info: ping 10.0.2.2 not answered (slirp needs ICMP sockets)"
    serve_and_take_upload 120 "$PVKIT_BLOBMD5"
}
stats
exit $fail
