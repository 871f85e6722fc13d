#!/bin/sh
# pvkit guest test: the guest side of the balloon test; the host drives
# it through the control socket and measures pvkit's RSS.
#  1. Fill a tmpfs with nearly all free memory (every page touched),
#     print "BALLOON-STEP filled", hold it pvkit.holdsecs seconds (default
#     3), delete it, print "BALLOON-STEP touched".
#  2. Wait (up to 180 s) until the host's inflate has taken
#     pvkit.balloonmb MiB out of MemFree: "BALLOON-STEP inflated".
#  3. Wait until the host's deflate gives it back: "BALLOON-STEP deflated".
# With pvkit.balloonmb=0 only step 1 runs, then the guest idles
# pvkit.idlesecs seconds (default 10) so free page reporting can work,
# and prints "BALLOON-STEP idle-done".
# Exit status 0 = pass.
memfree() { awk '/^MemFree:/ { print int($2 / 1024) }' /proc/meminfo; }
want=${PVKIT_BALLOONMB:-256}
free0=$(memfree)
fill=$((free0 - 40))
echo "info: MemTotal $(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo) MiB, MemFree $free0 MiB, filling $fill MiB"
mkdir -p /mnt/fill
mount -t tmpfs -o size=${fill}m tmpfs /mnt/fill || { echo "FAIL: tmpfs"; exit 1; }
dd if=/dev/zero of=/mnt/fill/f bs=1M count=$fill 2>/dev/null
echo "BALLOON-STEP filled (MemFree $(memfree) MiB)"
sleep "${PVKIT_HOLDSECS:-3}"
rm /mnt/fill/f
umount /mnt/fill
free1=$(memfree)
echo "BALLOON-STEP touched (MemFree $free1 MiB)"
if [ "$want" -eq 0 ]; then
    sleep "${PVKIT_IDLESECS:-10}"
    echo "BALLOON-STEP idle-done (MemFree $(memfree) MiB)"
    exit 0
fi
wait_for() { # wait_for TEST-EXPRESSION-ON-$f: poll MemFree up to 180 s
    i=0
    while [ $i -lt 360 ]; do
        f=$(memfree)
        if eval "$1"; then return 0; fi
        sleep 0.5; i=$((i + 1))
    done
    return 1
}
if wait_for '[ $f -le $((free1 - want + 8)) ]'; then
    echo "BALLOON-STEP inflated (MemFree $f MiB)"
else
    echo "FAIL: MemFree stayed at $f MiB; no inflate of $want MiB"; exit 1
fi
if wait_for '[ $f -ge $((free1 - 16)) ]'; then
    echo "BALLOON-STEP deflated (MemFree $f MiB)"
else
    echo "FAIL: MemFree stayed at $f MiB after the deflate"; exit 1
fi
exit 0
