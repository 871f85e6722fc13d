#!/bin/sh
# pvkit guest test, two --net: the NIC with MAC 52:54:00:12:34:56 is on
# slirp (DHCP, a file from the host's HTTP server through 10.0.2.2), the
# one with 52:54:00:12:34:57 on a socket wire whose far end (the host
# test's responder, 192.168.77.1) answers ARP and ping. Interfaces are
# found by MAC, whatever order the drivers probed in.
#   pvkit.httpport=N  pvkit.blobmd5=S  the host's HTTP server and its /blob
. /tests/net-lib.sh

by_mac() {
    for d in /sys/class/net/*; do
        [ "$(cat "$d/address")" = "$1" ] && { basename "$d"; return 0; }
    done
    return 1
}
user_if=$(by_mac 52:54:00:12:34:56) || bad "no NIC with MAC 52:54:00:12:34:56"
wire_if=$(by_mac 52:54:00:12:34:57) || bad "no NIC with MAC 52:54:00:12:34:57"
[ $fail = 0 ] && ok "two NICs: $user_if (slirp), $wire_if (wire)"

IF=$user_if
[ $fail = 0 ] && link_up && dhcp &&
    fetch_check "http://10.0.2.2:$PVKIT_HTTPPORT/blob" "$PVKIT_BLOBMD5" "$user_if: host HTTP over slirp"
stats
IF=$wire_if
if [ -n "$wire_if" ] && link_up; then
    ip addr add 192.168.77.15/24 dev "$wire_if"
    if ping -c 3 -W 3 192.168.77.1 >/tmp/ping.log 2>&1; then
        ok "$wire_if: ping 192.168.77.1 on the wire: $(grep -o '[0-9]* packets received' /tmp/ping.log)"
    else
        bad "$wire_if: ping 192.168.77.1: $(tail -n 1 /tmp/ping.log)"
    fi
    stats
fi
exit $fail
