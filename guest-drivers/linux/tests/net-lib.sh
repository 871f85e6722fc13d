#!/bin/sh
# pvkit guest: helpers the net-*.sh tests source (not a test by itself).
# The host side of every net test reads this guest's console: a line
# "PVKIT-NET-READY" tells it the guest's servers are listening.
#   PVKIT_NETIF   interface (default eth0; the one NIC, ethoc or virtio-net)
IF=${PVKIT_NETIF:-eth0}
fail=0
ok()  { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# The file both sides generate and compare: deterministic, ~170 KB, so a
# transfer spans many frames and TCP windows.
make_blob() { seq 1 30000 > "$1"; }

md5_of() { md5sum "$1" | cut -d' ' -f1; }

# Up, then wait for the PHY to report the link (phylib polls once a second).
link_up() {
    drv=$(basename "$(readlink /sys/class/net/$IF/device/driver 2>/dev/null)" 2>/dev/null)
    ip link set "$IF" up || { bad "ip link set $IF up"; return 1; }
    i=0
    while [ "$(cat /sys/class/net/$IF/carrier 2>/dev/null)" != 1 ]; do
        i=$((i + 1))
        [ $i -gt 100 ] && { bad "$IF ($drv): no carrier after 20 s"; return 1; }
        sleep 0.2
    done
    ok "$IF up, driver ${drv:-?}, MAC $(cat /sys/class/net/$IF/address)"
}

# DHCP with busybox udhcpc and the image's default script (what a user's
# `udhcpc -i eth0` runs); what it configured lands in /tmp/lease as
# "IP ROUTER DNS", read back from the interface, the routes and resolv.conf.
dhcp() {
    if udhcpc -i "$IF" -n -q -t 5 -T 3 >/tmp/udhcpc.log 2>&1; then
        ip=$(ip -4 -o addr show dev "$IF" | sed -n 's|.* inet \([0-9.]*\)/.*|\1|p' | head -n 1)
        router=$(ip route show default | sed -n 's|^default via \([0-9.]*\).*|\1|p' | head -n 1)
        dns=$(sed -n 's|^nameserver ||p' /etc/resolv.conf 2>/dev/null | head -n 1)
        echo "$ip $router $dns" > /tmp/lease
        ok "DHCP lease: $(cat /tmp/lease)"
    else
        bad "udhcpc got no lease: $(tail -n 3 /tmp/udhcpc.log)"
        return 1
    fi
}

# GET url into /tmp/got and compare with an md5 sum.
fetch_check() { # url md5 label
    rm -f /tmp/got
    if ! wget -q -T 30 -O /tmp/got "$1"; then bad "$3: wget $1 failed"; return 1; fi
    got=$(md5_of /tmp/got)
    if [ "$got" = "$2" ]; then ok "$3: $(wc -c < /tmp/got) bytes from $1, md5 $got"
    else bad "$3: md5 $got, want $2 ($(wc -c < /tmp/got) bytes)"; fi
}

# Serve /tmp/www/guest.txt on :8080 (httpd) and take one upload on :8081
# (nc); print the READY line, wait for the upload (at most $1 s) and
# compare it with md5 $2.
serve_and_take_upload() { # timeout md5
    mkdir -p /tmp/www
    make_blob /tmp/www/guest.txt
    httpd -p 8080 -h /tmp/www || bad "httpd did not start"
    (timeout "$1" nc -l -p 8081 </dev/null >/tmp/up; echo $? > /tmp/up.rc) &
    sleep 1
    ok "serving guest.txt (md5 $(md5_of /tmp/www/guest.txt)) on 8080, upload on 8081"
    echo "PVKIT-NET-READY"
    wait
    got=$(md5_of /tmp/up)
    if [ "$got" = "$2" ]; then ok "upload: $(wc -c < /tmp/up) bytes, md5 $got"
    else bad "upload: md5 $got, want $2 ($(wc -c < /tmp/up) bytes, nc status $(cat /tmp/up.rc))"; fi
}

stats() {
    d=/sys/class/net/$IF/statistics
    echo "info: $IF rx $(cat $d/rx_packets) frames $(cat $d/rx_bytes) bytes" \
        "(errors $(cat $d/rx_errors), dropped $(cat $d/rx_dropped))," \
        "tx $(cat $d/tx_packets) frames $(cat $d/tx_bytes) bytes (errors $(cat $d/tx_errors))"
}
