#!/bin/sh
# pvkit guest bench (`pvkit bench net`): slirp (--net user / QEMU -netdev
# user), a DHCP lease, then one timed wget of http://10.0.2.2:PORT/blob
# (pvkit.httpport=N, the host's server on 127.0.0.1) to /dev/null, timed
# with the guest clock (/proc/uptime, 10 ms resolution). The host computes
# MB/s from
#   PVKIT-BENCH: bytes=N t0=SECONDS t1=SECONDS
# with N from pvkit.bytes=N (the file's size; wget fails on a short read
# of a sized response). Exit status 0 = fetched.
. /tests/net-lib.sh

link_up && dhcp || exit 1
url="http://10.0.2.2:$PVKIT_HTTPPORT/blob"
t0=$(cut -d' ' -f1 /proc/uptime)
wget -q -T 60 -O /dev/null "$url" || { bad "wget $url failed"; exit 1; }
t1=$(cut -d' ' -f1 /proc/uptime)
echo "PVKIT-BENCH: bytes=${PVKIT_BYTES:-0} t0=$t0 t1=$t1"
stats
exit $fail
