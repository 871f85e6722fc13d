#!/bin/sh
# pvkit guest bench (`pvkit bench fs`): a shared folder mounted as
# pvkit.fstype=virtiofs (default) or 9p, tag "host". Three workloads, timed
# with the guest clock, each between two bench marks:
#   seq-write-1M  dd bs=1M of pvkit.mb=N MiB (default 64) of zeros, fsync'd
#   seq-read-1M   dd bs=1M of the host's r.bin (N MiB) after dropping caches
#   meta          pvkit.files=N (default 2000) empty files created, stat'ed
#                 (test -f) and unlinked (one rm -r), shell builtins only so
#                 the time is the file system's, not fork's
# Prints "PVKIT-BENCH: workload=W bytes=B seconds=S" (dd's own seconds) and
# "PVKIT-BENCH: workload=meta files=N seconds=S create=S stat=S unlink=S".
. /tests/bench-lib.sh
mb=${PVKIT_MB:-64}
n=${PVKIT_FILES:-2000}
M=/mnt/host
mkdir -p $M
if [ "${PVKIT_FSTYPE:-virtiofs}" = 9p ]; then
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 host $M
else
    mount -t virtiofs host $M
fi || { echo "FAIL: mount"; exit 1; }
up() { cut -d' ' -f1 /proc/uptime; }
dd_seconds() { sed -n 's/.* copied, \([0-9.]*\) seconds.*/\1/p' /tmp/dd.log; }

bench_mark write-begin
dd if=/dev/zero of=$M/w.bin bs=1M count="$mb" conv=fsync 2>/tmp/dd.log ||
    { echo "FAIL: dd write: $(cat /tmp/dd.log)"; exit 1; }
bench_mark write-end
bench_result seq-write-1M bytes=$((mb * 1048576)) seconds=$(dd_seconds)
rm $M/w.bin

sync
echo 3 > /proc/sys/vm/drop_caches
bench_mark read-begin
dd if=$M/r.bin of=/dev/null bs=1M 2>/tmp/dd.log ||
    { echo "FAIL: dd read: $(cat /tmp/dd.log)"; exit 1; }
bench_mark read-end
bench_result seq-read-1M bytes=$((mb * 1048576)) seconds=$(dd_seconds)

mkdir $M/meta
bench_mark meta-begin
t0=$(up)
i=0
while [ $i -lt "$n" ]; do : > $M/meta/f$i; i=$((i + 1)); done
t1=$(up)
i=0
while [ $i -lt "$n" ]; do
    [ -f $M/meta/f$i ] || { echo "FAIL: f$i missing"; exit 1; }
    i=$((i + 1))
done
t2=$(up)
rm -r $M/meta
t3=$(up)
bench_mark meta-end
s() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }
bench_result meta files=$n seconds=$(s $t0 $t3) create=$(s $t0 $t1) stat=$(s $t1 $t2) unlink=$(s $t2 $t3)
umount $M
exit 0
