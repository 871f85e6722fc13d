#!/bin/sh
# pvkit guest test: writes 1 MiB of known lines ("pvkit-blk-write-test-"
# and a 10-digit line number, 32 bytes each) at 1 MiB into /dev/vda with
# an fsync (a virtio-blk FLUSH), then `sync`, and prints
# "BLK-WRITE-FLUSHED": the host may kill pvkit with SIGKILL from there on
# and must still find the bytes in the image. Then reads them back.
# Exit status 0 = pass.
[ -b /dev/vda ] || { echo "FAIL: no /dev/vda"; exit 1; }
awk 'BEGIN { for (i = 0; i < 32768; i++) printf "pvkit-blk-write-test-%010d\n", i }' > /tmp/pattern
if ! dd if=/tmp/pattern of=/dev/vda bs=1M seek=1 conv=fsync 2>/dev/null; then
    echo "FAIL: write to /dev/vda failed"; exit 1
fi
sync
echo "BLK-WRITE-FLUSHED"
want=$(sha256sum < /tmp/pattern | cut -d' ' -f1)
echo 3 > /proc/sys/vm/drop_caches
got=$(dd if=/dev/vda bs=1M skip=1 count=1 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ "$got" = "$want" ]; then echo "ok:   1 MiB written and read back"; exit 0; fi
echo "FAIL: read back $got, wrote $want"
exit 1
