#!/bin/bash
# Every image `pvkit img` writes passes `qemu-img check` and holds what
# it should: create (raw, qcow2, qcow2 over a backing file), convert
# raw -> qcow2 -> raw and qcow2 with a backing chain -> flat qcow2 (equal
# to the source by `qemu-img compare`, and sparse), info agreeing with
# qemu-img info, images qemu-img made read by pvkit, and bad usage
# refused with one line and exit status 2.
set -u
cd "$(dirname "$0")/../.." || exit 1
pvkit=${PVKIT:-build/pvkit}
command -v qemu-img >/dev/null || { echo "FAIL: qemu-img missing (apt-get install qemu-utils)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
is() { # is DESCRIPTION COMMAND...: ok when the command succeeds
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
check() { # check IMAGE: qemu-img check finds no errors and no leaks
	if out=$(qemu-img check "$1" 2>&1); then ok "qemu-img check $(basename "$1")"; else bad "qemu-img check $1: $out"; fi
}
same() { # same A B
	if qemu-img compare -q "$1" "$2"; then ok "$(basename "$1") == $(basename "$2")"; else bad "$1 differs from $2"; fi
}
field() { # field IMAGE TOOL NAME: one line of `info`
	if [ "$2" = qemu-img ]; then qemu-img info "$1"; else "$2" img info "$1"; fi 2>/dev/null |
		sed -n "s/^$3: //p"
}

# A source with data, holes and a pattern that crosses cluster edges.
src=$tmp/src.raw
truncate -s 64M "$src"
head -c 3000000 /dev/urandom | dd of="$src" bs=1 seek=100000 conv=notrunc status=none
head -c 65536 /dev/urandom | dd of="$src" bs=1M seek=40 conv=notrunc status=none
printf 'end of disk' | dd of="$src" bs=1 seek=$((64 * 1048576 - 11)) conv=notrunc status=none

"$pvkit" img create -f qcow2 "$tmp/empty.qcow2" 1G >/dev/null || bad "create qcow2"
check "$tmp/empty.qcow2"
"$pvkit" img create -f qcow2 -o cluster_size=512 "$tmp/small.qcow2" 64M >/dev/null || bad "create 512-byte clusters"
check "$tmp/small.qcow2"
"$pvkit" img create "$tmp/empty.raw" 64M >/dev/null || bad "create raw"
is "raw size" [ "$(stat -c %s "$tmp/empty.raw")" -eq $((64 << 20)) ]

"$pvkit" img convert -O qcow2 "$src" "$tmp/conv.qcow2" || bad "convert raw -> qcow2"
check "$tmp/conv.qcow2"
same "$src" "$tmp/conv.qcow2"
is "convert is sparse" [ "$(stat -c %s "$tmp/conv.qcow2")" -lt $((8 << 20)) ]

"$pvkit" img convert -O qcow2 -o cluster_size=4096 "$tmp/conv.qcow2" "$tmp/conv4k.qcow2" || bad "convert qcow2 -> qcow2"
check "$tmp/conv4k.qcow2"
same "$src" "$tmp/conv4k.qcow2"

"$pvkit" img convert -f qcow2 -O raw "$tmp/conv.qcow2" "$tmp/back.raw" || bad "convert qcow2 -> raw"
is "round trip is byte-exact" cmp -s "$src" "$tmp/back.raw"

# An overlay on a qcow2 base made by qemu-img, and on a raw base.
qemu-img create -q -f qcow2 "$tmp/qbase.qcow2" 64M
qemu-img convert -O qcow2 "$src" "$tmp/qbase.qcow2"
"$pvkit" img create -f qcow2 -b qbase.qcow2 -F qcow2 "$tmp/overlay.qcow2" >/dev/null || bad "create with backing"
check "$tmp/overlay.qcow2"
same "$src" "$tmp/overlay.qcow2"
"$pvkit" img create -f qcow2 -b src.raw "$tmp/overlay2.qcow2" 64M >/dev/null || bad "create with probed raw backing"
check "$tmp/overlay2.qcow2"
same "$src" "$tmp/overlay2.qcow2"
"$pvkit" img convert -O qcow2 "$tmp/overlay.qcow2" "$tmp/flat.qcow2" || bad "convert flattens a chain"
check "$tmp/flat.qcow2"
same "$src" "$tmp/flat.qcow2"
is "flat has no backing file" [ -z "$(field "$tmp/flat.qcow2" qemu-img 'backing file')" ]

# info agrees with qemu-img info.
for f in empty.qcow2 overlay.qcow2 conv.qcow2 empty.raw; do
	for k in 'file format' 'virtual size' 'cluster_size' 'backing file' 'backing file format'; do
		a=$(field "$tmp/$f" "$pvkit" "$k")
		b=$(field "$tmp/$f" qemu-img "$k")
		[ "$a" = "$b" ] || bad "info $f: $k: pvkit '$a', qemu-img '$b'"
	done
done
ok "info matches qemu-img info"

# Images qemu-img made, converted by pvkit.
qemu-img create -q -f qcow2 -o compat=0.10 "$tmp/v2.qcow2" 64M
qemu-img convert -c -O qcow2 "$src" "$tmp/compressed.qcow2"
for f in v2.qcow2 compressed.qcow2; do
	"$pvkit" img convert -O raw "$tmp/$f" "$tmp/$f.raw" || bad "convert $f"
	same "$tmp/$f" "$tmp/$f.raw"
done

# Bad usage: one line, exit status 2.
expect2() {
	err=$("$pvkit" img "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$err" | grep -c .)" -eq 1 ]; then
		ok "pvkit img $* -> $err"
	else
		bad "pvkit img $* -> exit $rc: $err"
	fi
}
expect2 frobnicate
expect2 create -f vmdk "$tmp/x.img" 1M
expect2 create "$tmp/x.img" 12Q
expect2 create -f qcow2 "$tmp/x.img" 1000
expect2 info "$tmp/missing.qcow2"
printf 'QFI\xfb\0\0\0\x09' >"$tmp/broken.qcow2"
truncate -s 1M "$tmp/broken.qcow2"
expect2 info "$tmp/broken.qcow2"

exit $fail
