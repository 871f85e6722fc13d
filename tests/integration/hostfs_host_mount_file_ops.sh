#!/bin/bash
# `pvkit hostfs-mount` serves a host folder through /dev/fuse: file
# operations made through the mount land in the folder and host-side
# changes show through the mount; a 100 MB file round-trips with the same
# sha256; the escapes a mount allows are refused (device nodes, set-ID
# bits, the share's parent through "..", links and renames out); `ro`
# refuses every change; SIGTERM unmounts. Bad arguments exit 2.
set -u
cd "$(dirname "$0")/../.."
pvkit=$PWD/build/pvkit
tmp=$(mktemp -d)
# The mount point is not next to the share, so resolving ".." or
# "../outside" on the mounting side cannot land where hostfs would if it
# let a client climb out of the share.
share=$tmp/s/share
outside=$tmp/s/outside
mnt=$tmp/m/mnt
pid=
cleanup() {
	if mountpoint -q "$mnt" 2>/dev/null; then
		fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt"
	fi
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$share" "$mnt" "$outside"
printf secret >"$outside/secret"

fails=0
ok() { echo "ok: $*"; }
bad() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
check() { # check DESCRIPTION COMMAND...: the command must succeed
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}
refused() { # refused DESCRIPTION COMMAND...: the command must fail
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then bad "not refused: $what"; else ok "refused: $what"; fi
}

# mount [OPTIONS]: serves $share on $mnt, waits for the mount
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
	fusermount3 -u "$mnt" || umount "$mnt"
	wait "$pid"
	local rc=$?
	pid=
	[ "$rc" -eq 0 ] || bad "hostfs-mount exited $rc after unmount"
}

# -- bad arguments: one line, exit 2
for args in "" "$share" "$tmp/missing $mnt" "$share $tmp/missing" \
	"$share $mnt frobnicate" "$share $mnt uid=x:1" "$share $mnt a b"; do
	# shellcheck disable=SC2086
	err=$("$pvkit" hostfs-mount $args 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$err" | grep -c .)" -eq 1 ]; then
		ok "hostfs-mount $args -> $err"
	else
		bad "hostfs-mount $args -> exit $rc: $err"
	fi
done

mount_share

# -- file operations through the mount, seen on the host
printf 'first' >"$mnt/a.txt"
check "create+write reaches the host" test "$(cat "$share/a.txt")" = first
printf ' second' >>"$mnt/a.txt"
check "append" test "$(cat "$share/a.txt")" = "first second"
mv "$mnt/a.txt" "$mnt/b.txt"
check "rename" test -f "$share/b.txt" -a ! -e "$share/a.txt"
check "list" test "$(ls "$mnt")" = b.txt
truncate -s 3 "$mnt/b.txt"
check "truncate" test "$(cat "$share/b.txt")" = fir
mkdir "$mnt/d"
check "mkdir" test -d "$share/d"
printf x >"$mnt/d/inner"
check "file in a new dir" test "$(cat "$share/d/inner")" = x
rm "$mnt/d/inner"
rmdir "$mnt/d"
check "unlink+rmdir" test ! -e "$share/d"
ln -s b.txt "$mnt/sl"
check "symlink" test "$(readlink "$share/sl")" = b.txt
check "readlink" test "$(readlink "$mnt/sl")" = b.txt
check "read through a symlink" test "$(cat "$mnt/sl")" = fir
ln "$mnt/b.txt" "$mnt/hard"
check "hard link" test "$(stat -c %h "$share/b.txt")" = 2 -a \
	"$(stat -c %i "$share/hard")" = "$(stat -c %i "$share/b.txt")"
check "hard link shares the inode number" test \
	"$(stat -c %i "$mnt/hard")" = "$(stat -c %i "$mnt/b.txt")"
chmod 640 "$mnt/b.txt"
check "chmod" test "$(stat -c %a "$share/b.txt")" = 640
touch -d '2001-02-03 04:05:06' "$mnt/b.txt"
check "utimes" test "$(stat -c %Y "$share/b.txt")" = "$(date -d '2001-02-03 04:05:06' +%s)"
rm "$mnt/hard" "$mnt/sl"
check "delete" test ! -e "$share/hard" -a ! -e "$share/sl"

# -- host-side changes through the mount (after the 1 s attribute timeout)
printf 'from the host' >"$share/host.txt"
mkdir "$share/hostdir"
check "a new host file is visible" test "$(cat "$mnt/host.txt")" = "from the host"
printf ' grown' >>"$share/host.txt"
rm "$share/b.txt"
sleep 1.5
check "a host append is visible" test "$(cat "$mnt/host.txt")" = "from the host grown"
check "a host delete is visible" test ! -e "$mnt/b.txt"
check "a host mkdir is visible" test -d "$mnt/hostdir"

# -- 100 MB round trip
head -c 100M /dev/urandom >"$tmp/big"
want=$(sha256sum <"$tmp/big" | cut -d' ' -f1)
cp "$tmp/big" "$mnt/big"
check "100 MB written through the mount: host sha256" \
	test "$(sha256sum <"$share/big" | cut -d' ' -f1)" = "$want"
check "100 MB read back through the mount: sha256" \
	test "$(sha256sum <"$mnt/big" | cut -d' ' -f1)" = "$want"
rm -f "$mnt/big" "$tmp/big"

# -- escapes a mount allows, each refused
refused "mknod of a character device" mknod "$mnt/null" c 1 3
refused "mknod of a block device" mknod "$mnt/sda" b 8 0
check "no device node reached the host" test ! -e "$share/null" -a ! -e "$share/sda"
printf '#!/bin/sh\n' >"$mnt/prog"
chmod 755 "$mnt/prog"
chmod u+s "$mnt/prog" 2>/dev/null
refused "chmod u+s gives a setuid host file" test -u "$share/prog"
chmod g+s "$mnt/prog" 2>/dev/null
refused "chmod g+s gives a setgid host file" test -g "$share/prog"
install -m 4755 /dev/null "$mnt/suid-new" 2>/dev/null
refused "create mode 4755 gives a setuid host file" test -u "$share/suid-new"
mkdir -m 2755 "$mnt/sgid-dir" 2>/dev/null
refused "mkdir mode 2755 gives a setgid host dir" test -g "$share/sgid-dir"
parent_ino=$(stat -c %i "$tmp/s")
dotdot_ino=$(ls -ai "$mnt" | awk '$2 == ".." { print $1 }')
refused "the root's listing shows the share's parent as .." test "$dotdot_ino" = "$parent_ino"
refused "mnt/.. is the share's parent" test "$(stat -c %i "$mnt/..")" = "$parent_ino"
refused "mnt/../outside reaches the share's sibling" test -e "$mnt/../outside/secret"
refused "hard link to a host file outside the share" ln "$outside/secret" "$mnt/stolen"
refused "rename out of the mount" python3 -c \
	"import os, sys; os.rename(sys.argv[1], sys.argv[2])" "$mnt/prog" "$outside/prog"
check "the file stayed in the share" test -f "$share/prog" -a ! -e "$outside/prog"
refused "rename into the mount from outside" python3 -c \
	"import os, sys; os.rename(sys.argv[1], sys.argv[2])" "$outside/secret" "$mnt/secret"
ln -s "$outside" "$share/abs"
ln -s ../outside "$share/rel"
check "an absolute symlink out is shown as a symlink" test -L "$mnt/abs" -a \
	"$(readlink "$mnt/abs")" = "$outside"
check "a relative symlink out is shown as a symlink" test -L "$mnt/rel" -a \
	"$(readlink "$mnt/rel")" = ../outside
# The mounting kernel resolves ../outside from the mount point: the
# mount's own parent, never the share's parent through hostfs.
refused "a relative symlink out reaches the share's parent" test -e "$mnt/rel/secret"
check "the outside secret is untouched" test "$(cat "$outside/secret")" = secret -a \
	"$(ls -A "$outside")" = secret

unmount_share

# -- ro: every change refused, reading works
mount_share ro
check "ro: read" test "$(cat "$mnt/host.txt")" = "from the host grown"
refused "ro: create" touch "$mnt/new"
refused "ro: write" sh -c "printf x >>'$mnt/host.txt'"
refused "ro: truncate" truncate -s 0 "$mnt/host.txt"
refused "ro: unlink" rm -f "$mnt/host.txt"
refused "ro: mkdir" mkdir "$mnt/newdir"
refused "ro: rmdir" rmdir "$mnt/hostdir"
refused "ro: rename" mv "$mnt/host.txt" "$mnt/renamed"
refused "ro: chmod" chmod 600 "$mnt/host.txt"
refused "ro: symlink" ln -s x "$mnt/link"
check "ro: the host file is intact" test "$(cat "$share/host.txt")" = "from the host grown"
err=$(touch "$mnt/new" 2>&1)
check "ro: the error is EROFS" grep -q "Read-only file system" <<<"$err"

# -- SIGTERM ends the server and unmounts
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "SIGTERM: exit status 0" test "$rc" -eq 0
refused "SIGTERM: still mounted" mountpoint -q "$mnt"

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
echo "all hostfs host-mount checks passed"
