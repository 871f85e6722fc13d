#!/bin/sh
# pvkit guest test, --net socket: two VMs on one wire. Role a (10.0.5.1)
# serves guest.txt over HTTP and waits for b's verdict; role b (10.0.5.2)
# pings a, fetches guest.txt and reports its md5 to a over TCP. Both ping
# each other.
#   pvkit.role=a|b
. /tests/net-lib.sh

me=10.0.5.1; other=10.0.5.2
[ "$PVKIT_ROLE" = b ] && { me=10.0.5.2; other=10.0.5.1; }

pingwait() { # keep trying: the other VM may still be booting
    i=0
    while ! ping -c 1 -W 1 "$other" >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -gt 60 ] && { bad "no answer from $other in 60 tries"; return 1; }
    done
    ping -c 3 -W 2 "$other" > /tmp/ping.log 2>&1 &&
        ok "ping $other: $(grep -o '[0-9]* packets received' /tmp/ping.log)" ||
        bad "ping $other: $(tail -n 1 /tmp/ping.log)"
}

ip addr add "$me/24" dev "$IF" && link_up && {
    mkdir -p /tmp/www
    make_blob /tmp/www/guest.txt
    want=$(md5_of /tmp/www/guest.txt)
    if [ "$PVKIT_ROLE" = b ]; then
        pingwait
        fetch_check "http://$other:8080/guest.txt" "$want" "from VM a"
        # busybox nc half-closes at the end of its input: a sees EOF
        md5_of /tmp/got | nc -w 10 "$other" 8082 || bad "nc to $other:8082 failed"
    else
        httpd -p 8080 -h /tmp/www || bad "httpd did not start"
        (timeout 150 nc -l -p 8082 </dev/null > /tmp/verdict) &
        pingwait
        wait
        v=$(cat /tmp/verdict)
        [ "$v" = "$want" ] && ok "VM b got guest.txt intact (md5 $v)" ||
            bad "VM b reported md5 '$v', want $want"
    fi
}
stats
exit $fail
