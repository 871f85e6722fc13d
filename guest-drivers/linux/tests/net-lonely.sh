#!/bin/sh
# pvkit guest test, --net socket: the peer goes away. The link comes up,
# "PVKIT-NET-READY" tells the host to kill the other side, then the PHY
# must report the link down (within phylib's 1 s polling) and sending
# must not hang.
. /tests/net-lib.sh

ip addr add 10.0.5.2/24 dev "$IF" && link_up && {
    echo "PVKIT-NET-READY"
    i=0
    while [ "$(cat /sys/class/net/$IF/carrier 2>/dev/null)" = 1 ]; do
        i=$((i + 1))
        [ $i -gt 150 ] && { bad "$IF: still has carrier 30 s after the peer left"; break; }
        sleep 0.2
    done
    [ $i -le 150 ] && ok "$IF lost its carrier when the peer went away"
    # nothing to talk to: this must fail quickly, not hang
    if timeout 10 ping -c 2 -W 1 10.0.5.1 >/dev/null 2>&1; then
        bad "ping answered with no peer"
    else
        ok "ping with no peer fails cleanly"
    fi
}
stats
exit $fail
