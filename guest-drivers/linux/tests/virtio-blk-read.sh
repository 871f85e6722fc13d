#!/bin/sh
# pvkit guest test: the whole of /dev/vda (the --disk image) reads back
# with the checksum the host computed (pvkit.sha256=HEX on the command
# line), both through the page cache and with O_DIRECT.
# Exit status 0 = pass.
fail=0
want=${PVKIT_SHA256:-}
[ -b /dev/vda ] || { echo "FAIL: no /dev/vda"; exit 1; }
got=$(sha256sum /dev/vda | cut -d' ' -f1)
echo "info: guest sha256 $got"
if [ "$got" = "$want" ]; then echo "ok:   sha256 of /dev/vda matches the host's"
else echo "FAIL: sha256 of /dev/vda is $got, host has '$want'"; fail=1; fi
got=$(dd if=/dev/vda bs=256k iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ "$got" = "$want" ]; then echo "ok:   O_DIRECT read matches too"
else echo "FAIL: O_DIRECT read gives $got"; fail=1; fi
exit $fail
