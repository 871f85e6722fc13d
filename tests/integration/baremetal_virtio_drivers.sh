#!/bin/bash
# The bare-metal guest driver library (guest-drivers/virtio/, ide/) against
# pvkit's devices and QEMU's: runs the ELFs of the `virtio` suite
# (guest-drivers/tests/virtio/, built by `make guest-tests`; this script
# builds nothing) with the devices each needs, on a fresh 1 MiB pattern
# image per run (the pattern is guest-drivers/tests/virtio/pattern.h), and
# checks that each exits 0 and that pvkit's stdout equals QEMU's.
#
#   blk_rw     pvkit --disk IMG            QEMU virtio-blk-device   compared
#   rng_read   pvkit --rng                 QEMU virtio-rng-device   compared
#   console_write  pvkit --agent SOCK (port 0 = hvc on stdout)
#                  QEMU virtconsole on the serial's stdio mux    compared
#   ide_rw     pvkit --disk IMG,if=ide     (QEMU virt has no IDE)   pvkit only
#   net_slirp  pvkit --net user            QEMU virtio-net-device on
#              (ARP + DHCP with slirp)     -netdev user              compared
#   ethoc_slirp  pvkit --net user,model=ethoc (QEMU virt has no ethoc)
#                                                                  pvkit only
#   bad_chain  pvkit --disk IMG            (malformed chains)       pvkit only
#
# QEMU runs with virtio-mmio.force-legacy=false: its virtio-mmio devices are
# version 1 (legacy) by default and the library drives version 2 only.
# Environment: QEMU, PVKIT, TIMEOUT (per run, default 30), GUEST_BUILD.
set -u
cd "$(dirname "$0")/../.." || exit 2

QEMU=${QEMU:-qemu-system-riscv64}
PVKIT=${PVKIT:-build/pvkit}
TIMEOUT=${TIMEOUT:-30}
GUEST_BUILD=${GUEST_BUILD:-build/guest-tests}
QEMU_CPU=${QEMU_CPU:-rv64,h=false,zba=false,zbb=false,zbc=false,zbs=false,sstc=true}
dir=$GUEST_BUILD/virtio

have_qemu=0
command -v "$QEMU" >/dev/null 2>&1 && have_qemu=1
[ $have_qemu = 0 ] && echo "note: $QEMU not found, running pvkit only"
[ -x "$PVKIT" ] || { echo "FAIL: $PVKIT not built"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

make_image() {	# make_image FILE: byte o = (o ^ (o >> 9) * 7) & 0xff, 2048 sectors
	python3 -c '
import sys
sys.stdout.buffer.write(bytes(((o ^ ((o >> 9) * 7)) & 0xff) for o in range(2048 * 512)))
' >"$1"
}

fail=0
run_pvkit() {	# run_pvkit NAME ARGS...: stdout to $tmp/NAME.p, status echoed
	local name=$1
	shift
	timeout -k 2 "$TIMEOUT" "$PVKIT" run --kernel "$dir/$name.elf" "$@" \
		</dev/null >"$tmp/$name.p" 2>"$tmp/$name.perr"
	echo $?
}
run_qemu() {	# run_qemu NAME ARGS... (QEMU_DISPLAY: -nographic unless set)
	local name=$1
	shift
	# shellcheck disable=SC2086
	timeout -k 2 "$TIMEOUT" "$QEMU" -machine virt -cpu "$QEMU_CPU" -bios none \
		${QEMU_DISPLAY:--nographic} -m 128M -global virtio-mmio.force-legacy=false "$@" \
		-kernel "$dir/$name.elf" </dev/null >"$tmp/$name.q" 2>"$tmp/$name.qerr"
	echo $?
}
check() {	# check NAME ENGINE STATUS OUTFILE ERRFILE
	if [ "$3" = 0 ]; then
		echo "PASS virtio/$1 ($2)"
	else
		echo "FAIL virtio/$1 ($2): exit status $3"
		tail -n 10 "$4" | sed 's/^/    /'
		tail -n 5 "$5" | sed 's/^/    /'
		fail=1
	fi
}
compare() {	# compare NAME
	if cmp -s "$tmp/$1.q" "$tmp/$1.p"; then
		echo "PASS virtio/$1 (pvkit == qemu)"
	else
		echo "FAIL virtio/$1 (pvkit == qemu)"
		diff -u --label qemu --label pvkit "$tmp/$1.q" "$tmp/$1.p" | tail -n +3 | head -n 20
		fail=1
	fi
}

for name in blk_rw rng_read console_write ide_rw bad_chain net_slirp ethoc_slirp; do
	[ -f "$dir/$name.elf" ] || { echo "FAIL: $dir/$name.elf missing (make guest-tests)"; fail=1; continue; }
	img=$tmp/$name.img
	case $name in
	blk_rw)
		make_image "$img"
		s=$(run_pvkit $name --disk "$img")
		check $name pvkit "$s" "$tmp/$name.p" "$tmp/$name.perr"
		if [ $have_qemu = 1 ]; then
			make_image "$img"
			s=$(run_qemu $name -drive "file=$img,format=raw,if=none,id=d0" \
				-device virtio-blk-device,drive=d0)
			check $name qemu "$s" "$tmp/$name.q" "$tmp/$name.qerr"
			compare $name
		fi
		;;
	rng_read)
		s=$(run_pvkit $name --rng)
		check $name pvkit "$s" "$tmp/$name.p" "$tmp/$name.perr"
		if [ $have_qemu = 1 ]; then
			s=$(run_qemu $name -device virtio-rng-device)
			check $name qemu "$s" "$tmp/$name.q" "$tmp/$name.qerr"
			compare $name
		fi
		;;
	console_write)
		s=$(run_pvkit $name --agent "$tmp/agent.sock")
		check $name pvkit "$s" "$tmp/$name.p" "$tmp/$name.perr"
		if [ $have_qemu = 1 ]; then
			s=$(QEMU_DISPLAY="-display none -monitor none" run_qemu $name \
				-chardev stdio,mux=on,id=s0 -serial chardev:s0 \
				-device virtio-serial-device -device virtconsole,chardev=s0)
			check $name qemu "$s" "$tmp/$name.q" "$tmp/$name.qerr"
			compare $name
		fi
		;;
	net_slirp)
		s=$(run_pvkit $name --net user)
		check $name pvkit "$s" "$tmp/$name.p" "$tmp/$name.perr"
		if [ $have_qemu = 1 ]; then
			s=$(run_qemu $name -netdev user,id=n0 \
				-device virtio-net-device,netdev=n0)
			check $name qemu "$s" "$tmp/$name.q" "$tmp/$name.qerr"
			compare $name
		fi
		;;
	ethoc_slirp)
		s=$(run_pvkit $name --net user,model=ethoc)
		check $name pvkit "$s" "$tmp/$name.p" "$tmp/$name.perr"
		;;
	ide_rw)
		make_image "$img"
		s=$(run_pvkit $name --disk "$img,if=ide")
		check $name pvkit "$s" "$tmp/$name.p" "$tmp/$name.perr"
		;;
	bad_chain)
		make_image "$img"
		s=$(run_pvkit $name --disk "$img")
		check $name pvkit "$s" "$tmp/$name.p" "$tmp/$name.perr"
		# pvkit must say why, once per malformed chain.
		n=$(grep -c 'device needs reset' "$tmp/$name.perr")
		if [ "$n" = 3 ]; then
			echo "PASS virtio/$name (3 log lines)"
		else
			echo "FAIL virtio/$name: $n 'device needs reset' log lines, expected 3"
			fail=1
		fi
		;;
	esac
done
exit $fail
