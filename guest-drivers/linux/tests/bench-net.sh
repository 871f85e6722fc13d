#!/bin/sh
# pvkit guest bench (`pvkit bench net`): slirp (--net user / QEMU -netdev
# user), a DHCP lease, then three workloads against the bench's server on
# the host's 127.0.0.1:PORT (10.0.2.2 from here), each between two
# bench_marks (device counters):
#   tcp-rx  one wget of http://10.0.2.2:PORT/blob (N bytes) to /dev/null
#   tcp-tx  "PUT" and N bytes sent with nc from a file in RAM; the
#           server answers when it has them all
#   tcp-rr  an echo server here (nc -l -e cat on port 7777, which the
#           host reaches through hostfwd); the server, told "RR", does
#           request/response rounds of 64 bytes through it and answers
#           with the median round trip in microseconds (host clock)
# Rates are N / guest seconds (/proc/uptime, 10 ms resolution).
#   pvkit.httpport=PORT  pvkit.bytes=N
. /tests/net-lib.sh
. /tests/bench-lib.sh

now() { cut -d' ' -f1 /proc/uptime; }
rate() { awk "BEGIN { d = $3 - $2; if (d < 0.01) d = 0.01; printf \"%.2f\", $1 / d / 1e6 }"; }

link_up && dhcp || exit 1
n=${PVKIT_BYTES:-0}
srv=10.0.2.2

bench_mark rx-begin
t0=$(now)
wget -q -T 60 -O /dev/null "http://$srv:$PVKIT_HTTPPORT/blob" || { bad "tcp-rx: wget failed"; exit 1; }
t1=$(now)
bench_mark rx-end
bench_result tcp-rx bytes=$n mbps=$(rate $n $t0 $t1)

# the upload is a file in RAM, so no pipe's work is counted
{ echo PUT; head -c "$n" /dev/zero; } > /tmp/up
bench_mark tx-begin
t0=$(now)
got=$(nc "$srv" "$PVKIT_HTTPPORT" < /tmp/up)
t1=$(now)
bench_mark tx-end
[ "$got" = OK ] || { bad "tcp-tx: the server said '$got'"; exit 1; }
rm -f /tmp/up
bench_result tcp-tx bytes=$n mbps=$(rate $n $t0 $t1)

(nc -l -p 7777 -e cat &)
sleep 0.5
bench_mark rr-begin
got=$(echo RR | nc "$srv" "$PVKIT_HTTPPORT")
bench_mark rr-end
case $got in
us=*) bench_result tcp-rr "$got" ;;
*) bad "tcp-rr: the server said '$got'"; exit 1 ;;
esac
stats
exit $fail
