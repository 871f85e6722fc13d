#!/bin/bash
# `pvkit hostfs-mount` options through a real mount: uid=/gid= map one
# client id to one host id both ways (a host id that collides with the
# mapped client id shows as nobody), xattr serves user.* but never lets
# trusted.*/security.* be written, and without it xattrs are refused;
# timeout=0 shows a host-side change at once.
set -u
cd "$(dirname "$0")/../.."
pvkit=$PWD/build/pvkit
tmp=$(mktemp -d)
share=$tmp/share
mnt=$tmp/mnt
pid=
cleanup() {
	if mountpoint -q "$mnt" 2>/dev/null; then
		fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt"
	fi
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$share" "$mnt"
chmod 755 "$tmp"
printf hello >"$share/file"

fails=0
check() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then echo "ok: $what"; else
		echo "FAIL: $what"
		fails=$((fails + 1))
	fi
}
refused() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then
		echo "FAIL: not refused: $what"
		fails=$((fails + 1))
	else echo "ok: refused: $what"; fi
}

mount_share() {
	"$pvkit" hostfs-mount "$share" "$mnt" "$@" 2>"$tmp/mount.err" &
	pid=$!
	for _ in $(seq 50); do
		mountpoint -q "$mnt" && return 0
		sleep 0.1
	done
	echo "FAIL: the mount never appeared: $(cat "$tmp/mount.err")"
	exit 1
}

unmount_share() {
	fusermount3 -u "$mnt"
	wait "$pid"
	pid=
}

xattr() { # xattr set|get PATH NAME [VALUE]
	python3 - "$@" <<'EOF'
import os, sys
op, path, name = sys.argv[1:4]
if op == "set":
    os.setxattr(path, name, sys.argv[4].encode())
else:
    sys.stdout.write(os.getxattr(path, name).decode())
EOF
}

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP-as-FAIL: needs root to own files as other ids"
	exit 1
fi

mount_share uid=1234:0,gid=4321:0,xattr,timeout=0
check "a host root file shows as the mapped client id" \
	test "$(stat -c '%u %g' "$mnt/file")" = "1234 4321"
chown 1234:4321 "$share/file"
check "a host file owned by the client's id shows as nobody" \
	test "$(stat -c '%u %g' "$mnt/file")" = "65534 65534"
chown 0:0 "$share/file"
setpriv --reuid 1234 --regid 4321 --clear-groups sh -c "printf x >'$mnt/by1234'"
check "a file the client's 1234 creates belongs to host root" \
	test "$(stat -c '%u %g' "$share/by1234")" = "0 0"
check "... and shows as 1234 through the mount" \
	test "$(stat -c '%u %g' "$mnt/by1234")" = "1234 4321"
chown 5000:5000 "$mnt/by1234"
check "chown to an unmapped id is the same id on the host" \
	test "$(stat -c '%u %g' "$share/by1234")" = "5000 5000"
chown 1234:4321 "$mnt/by1234"
check "chown to the mapped id is the host id" \
	test "$(stat -c '%u %g' "$share/by1234")" = "0 0"

xattr set "$mnt/file" user.color blue
check "user xattr set through the mount reaches the host" \
	test "$(xattr get "$share/file" user.color)" = blue
check "user xattr read back through the mount" \
	test "$(xattr get "$mnt/file" user.color)" = blue
refused "trusted.* xattr written" xattr set "$mnt/file" trusted.evil x
refused "security.* xattr written" xattr set "$mnt/file" security.capability x
refused "trusted.* reached the host" xattr get "$share/file" trusted.evil

printf 'changed on the host' >"$share/file"
check "timeout=0: a host change shows at once" \
	test "$(cat "$mnt/file")" = "changed on the host"
unmount_share

mount_share
refused "xattrs without the xattr option" xattr get "$mnt/file" user.color
refused "xattr set without the xattr option" xattr set "$mnt/file" user.other x
check "the host xattr is intact" test "$(xattr get "$share/file" user.color)" = blue
unmount_share

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all hostfs mount option checks passed"
