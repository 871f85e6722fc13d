#!/bin/bash
# ext4 on a disk image works through both disk front ends: the guest
# mounts it on virtio-blk (/dev/vda) and on the emulated IDE twin
# (/dev/sda), reads a file the host put there, writes one back; then the
# host's e2fsck finds the file system clean and reads the guest's file.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
head -c 300000 /dev/urandom >"$tmp/hello.bin"
sum=$(sha256sum "$tmp/hello.bin" | cut -d' ' -f1)
for front in virtio:vda ide:sda; do
	iface=${front%%:*} dev=${front#*:}
	for fmt in raw qcow2; do
		mkdir -p "$tmp/root"
		cp "$tmp/hello.bin" "$tmp/root/"
		rm -f "$tmp/disk.raw" "$tmp/disk.img"
		mkfs.ext4 -q -F -d "$tmp/root" "$tmp/disk.raw" 32M
		if [ $fmt = qcow2 ]; then
			build/pvkit img convert -O qcow2 "$tmp/disk.raw" "$tmp/disk.img" >/dev/null
		else
			cp "$tmp/disk.raw" "$tmp/disk.img"
		fi
		out=$(timeout 300 build/pvkit run --kernel build/guest/Image \
			--initrd build/guest/initramfs.cpio.gz \
			--disk "$tmp/disk.img,format=$fmt,if=$iface" \
			--append "console=ttyS0 pvkit.test=ext4-rw pvkit.dev=$dev pvkit.sum=$sum" \
			</dev/null 2>&1)
		rc=$?
		label="$iface/$fmt"
		if [ $rc -ne 0 ] || ! grep -q '^PVKIT-TEST-RESULT: ext4-rw 0' <<<"$out"; then
			echo "FAIL: $label: guest (exit $rc)"
			grep -E 'FAIL|ata|EXT4|error' <<<"$out" | head -10
			fail=1
			continue
		fi
		if [ $fmt = qcow2 ]; then
			qemu-img check -q "$tmp/disk.img" || { echo "FAIL: $label: qemu-img check"; fail=1; }
			qemu-img convert -O raw "$tmp/disk.img" "$tmp/disk.raw"
		else
			cp "$tmp/disk.img" "$tmp/disk.raw"
		fi
		if ! e2fsck -fn "$tmp/disk.raw" >/dev/null 2>&1; then
			echo "FAIL: $label: e2fsck found errors"
			fail=1
		fi
		got=$(debugfs -R "cat /from-guest.bin" "$tmp/disk.raw" 2>/dev/null | sha256sum | cut -d' ' -f1)
		want=$(debugfs -R "cat /from-guest.sum" "$tmp/disk.raw" 2>/dev/null)
		if [ "$got" = "$want" ]; then
			echo "ok: $label: mounted, read, written; fsck clean; host reads the guest's file"
		else
			echo "FAIL: $label: the guest's file reads back wrong on the host"
			fail=1
		fi
	done
done
exit $fail
