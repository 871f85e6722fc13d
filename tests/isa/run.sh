#!/bin/sh
# Differential ISA test suite: runs every bare-metal test ELF built by
# guest-drivers/guest.mk (make guest-tests) on the reference QEMU and, when
# build/pvkit exists, on pvkit, and compares stdout and exit status.
#
#   tests/isa/run.sh [-v] [PATTERN...]
#
#   PATTERN     run only tests whose "suite/name" contains one of them
#   -v          print the whole output of failing runs, not just a diff
#
# Suites (folders under build/guest-tests/, sources under
# guest-drivers/tests/):
#   isa     QEMU: -machine virt -bios none -cpu rv64,h=false,...
#   htif    QEMU: -machine spike -bios none (console and exit through HTIF)
#   icount  QEMU: as isa plus -icount shift=0 (exact instret counts)
# pvkit runs every ELF as `pvkit run --kernel ELF`.
#
# A test's expected exit status is 0 unless its source has a line
# "expect-exit: N". Lines printed: PASS/FAIL <suite>/<name> (qemu),
# (pvkit), (pvkit == qemu), then "N passed, N failed". Exit status 0 when
# nothing failed.
#
# Environment: QEMU (qemu-system-riscv64), PVKIT (build/pvkit), TIMEOUT
# (seconds per run, default 20), GUEST_BUILD (build/guest-tests).

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2

QEMU=${QEMU:-qemu-system-riscv64}
PVKIT=${PVKIT:-build/pvkit}
TIMEOUT=${TIMEOUT:-20}
GUEST_BUILD=${GUEST_BUILD:-build/guest-tests}
# The reference CPU: RV64GC + Sstc with S and U, as pvkit's. h=false keeps
# the hypervisor extension (on by default in QEMU 7.2) out of misa, mstatus
# and mideleg; Zba/Zbb/Zbc/Zbs are on by default in QEMU 7.2 and off here.
QEMU_CPU=${QEMU_CPU:-rv64,h=false,zba=false,zbb=false,zbc=false,zbs=false,sstc=true}

verbose=0
if [ "$1" = "-v" ]; then
	verbose=1
	shift
fi

if [ ! -d "$GUEST_BUILD" ]; then
	echo "run.sh: $GUEST_BUILD does not exist; build the tests first (make guest-tests)" >&2
	exit 2
fi

have_qemu=0
command -v "$QEMU" >/dev/null 2>&1 && have_qemu=1
have_pvkit=0
[ -x "$PVKIT" ] && have_pvkit=1
if [ $have_qemu = 0 ] && [ $have_pvkit = 0 ]; then
	echo "run.sh: neither $QEMU nor $PVKIT found" >&2
	exit 2
fi
[ $have_qemu = 0 ] && echo "note: $QEMU not found, running pvkit only" >&2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

passed=0
failed=0

result() {	# result PASS|FAIL label [detail file]
	echo "$1 $2"
	if [ "$1" = PASS ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		if [ -n "$3" ] && [ -s "$3" ]; then
			if [ $verbose = 1 ]; then
				sed 's/^/    /' "$3"
			else
				head -n 15 "$3" | sed 's/^/    /'
			fi
		fi
	fi
}

expected_status() {	# expected_status suite name
	src=guest-drivers/tests/$1/$2
	for f in "$src.c" "$src.S"; do
		if [ -f "$f" ]; then
			n=$(sed -n 's/.*expect-exit: *\([0-9][0-9]*\).*/\1/p' "$f" | head -n 1)
			if [ -n "$n" ]; then
				echo "$n"
				return
			fi
		fi
	done
	echo 0
}

selected() {	# selected suite/name
	[ $# -eq 1 ] || return 0
	[ -z "$patterns" ] && return 0
	for p in $patterns; do
		case "$1" in *"$p"*) return 0 ;; esac
	done
	return 1
}
patterns="$*"

# run_engine OUT ERR cmd...: runs with timeout, stdin closed; prints status
run_engine() {
	out=$1 err=$2
	shift 2
	timeout -k 2 "$TIMEOUT" "$@" </dev/null >"$out" 2>"$err"
	echo $?
}

describe() {	# describe status expected -> text for a failing status
	case "$1" in
	124 | 137) echo "timed out after ${TIMEOUT}s" ;;
	*) echo "exit status $1, expected $2" ;;
	esac
}

for suite in isa htif icount; do
	[ -d "$GUEST_BUILD/$suite" ] || continue
	for elf in "$GUEST_BUILD/$suite"/*.elf; do
		[ -f "$elf" ] || continue
		name=$(basename "$elf" .elf)
		label=$suite/$name
		selected "$label" || continue
		exp=$(expected_status "$suite" "$name")

		qs=""
		if [ $have_qemu = 1 ]; then
			case $suite in
			htif) qargs="-machine spike" ;;
			icount) qargs="-machine virt -icount shift=0" ;;
			*) qargs="-machine virt" ;;
			esac
			# shellcheck disable=SC2086
			qs=$(run_engine "$tmp/q.out" "$tmp/q.err" "$QEMU" $qargs -cpu "$QEMU_CPU" \
				-bios none -nographic -m 128M -kernel "$elf")
			if [ "$qs" = "$exp" ]; then
				result PASS "$label (qemu)"
			else
				{ describe "$qs" "$exp"; tail -n 8 "$tmp/q.out"; tail -n 5 "$tmp/q.err"; } >"$tmp/detail"
				result FAIL "$label (qemu)" "$tmp/detail"
			fi
		fi

		if [ $have_pvkit = 1 ]; then
			ps=$(run_engine "$tmp/p.out" "$tmp/p.err" "$PVKIT" run --kernel "$elf")
			if [ "$ps" = "$exp" ]; then
				result PASS "$label (pvkit)"
			else
				{ describe "$ps" "$exp"; tail -n 8 "$tmp/p.out"; tail -n 5 "$tmp/p.err"; } >"$tmp/detail"
				result FAIL "$label (pvkit)" "$tmp/detail"
			fi
			if [ -n "$qs" ]; then
				if [ "$ps" = "$qs" ] && cmp -s "$tmp/q.out" "$tmp/p.out"; then
					result PASS "$label (pvkit == qemu)"
				else
					{
						[ "$ps" = "$qs" ] || echo "exit status: qemu $qs, pvkit $ps"
						diff -u --label qemu --label pvkit "$tmp/q.out" "$tmp/p.out" | tail -n +3
					} >"$tmp/detail"
					result FAIL "$label (pvkit == qemu)" "$tmp/detail"
				fi
			fi
		fi
	done
done

echo "$passed passed, $failed failed"
[ $failed = 0 ]
