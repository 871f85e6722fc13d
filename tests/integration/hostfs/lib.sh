# Shared by tests/integration/hostfs_*.sh (sourced, not run): a temporary
# folder, and booting the guest with shares and a guest test script.
#
#   hostfs_boot TEST SECONDS [pvkit args...]
#       boots build/guest with pvkit.test=TEST (and $HOSTFS_APPEND on the
#       kernel command line) in the background; the
#       console goes to $tmp/log/console, the pid to $pvkit_pid
#   hostfs_wait     waits for it; returns pvkit's exit status, and 1 unless
#                   the guest script reported status 0
set -u
cd "$(dirname "$0")/../.." || exit 2
PVKIT=${PVKIT:-build/pvkit}
[ -x "$PVKIT" ] || { echo "FAIL: $PVKIT not built"; exit 1; }
[ -f build/guest/Image ] || { echo "FAIL: build/guest missing (make guest)"; exit 1; }
tmp=$(mktemp -d)
mkdir -p "$tmp/log"
pvkit_pid=
trap '[ -n "$pvkit_pid" ] && kill "$pvkit_pid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
hostfs_test=

hostfs_boot() {
	hostfs_test=$1
	local secs=$2
	shift 2
	timeout -k 5 "$secs" "$PVKIT" run --kernel build/guest/Image \
		--initrd build/guest/initramfs.cpio.gz \
		--append "console=ttyS0 pvkit.test=$hostfs_test ${HOSTFS_APPEND:-}" "$@" \
		</dev/null >"$tmp/log/console" 2>&1 &
	pvkit_pid=$!
}

hostfs_wait() {
	wait "$pvkit_pid"
	local rc=$?
	pvkit_pid=
	if [ $rc -ne 0 ] ||
		! grep -q "^PVKIT-TEST-RESULT: $hostfs_test 0" "$tmp/log/console"; then
		echo "FAIL: guest test $hostfs_test (pvkit exit $rc)"
		grep -E 'FAIL|pvkit:|virtio|fuse' "$tmp/log/console" | head -n 20 | sed 's/^/    /'
		return 1
	fi
	return 0
}
