#!/bin/sh
# Two virtio-fs shares at once: "host" (read-write) and "ro" (read-only),
# as tests/integration/hostfs_guest_and_host_agree.sh sets them up. The
# guest creates, writes, renames, lists, truncates and deletes files on
# the first and leaves a state the host checks; the second refuses every
# change; a change the host makes while the guest runs shows up once the
# attribute timeout has passed; a second mount after umount works.
fail=0
ok() { echo "ok:   $*"; }
bad() { echo "FAIL: $*"; fail=1; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

mkdir -p /mnt/host /mnt/ro
mount -t virtiofs host /mnt/host || { echo "FAIL: mount host"; exit 1; }
mount -t virtiofs ro /mnt/ro || { echo "FAIL: mount ro"; exit 1; }
cd /mnt/host || exit 1

check "reads the host's file" '[ "$(cat from-host.txt)" = "written by the host" ]'
echo "from the guest" >new.txt
check "creates and writes" '[ "$(cat new.txt)" = "from the guest" ]'
mkdir dir
mv new.txt dir/renamed.txt
check "renames into a new folder" '[ ! -e new.txt ] && [ -f dir/renamed.txt ]'
echo "more" >>dir/renamed.txt
check "appends" '[ "$(wc -l <dir/renamed.txt)" = 2 ]'
dd if=/dev/urandom of=trunc.bin bs=4096 count=4 2>/dev/null
truncate -s 1000 trunc.bin
check "truncates" '[ "$(stat -c %s trunc.bin)" = 1000 ]'
rm doomed.txt
check "deletes" '[ ! -e doomed.txt ]'
check "lists" '[ "$(ls | tr "\n" " ")" = "change-me.txt dir from-host.txt trunc.bin " ]'
ln -s dir/renamed.txt link
check "makes a symlink" '[ "$(readlink link)" = dir/renamed.txt ] && [ "$(head -n 1 link)" = "from the guest" ]'
rm link
mkdir -p gone/deeper && rmdir gone/deeper gone
check "removes folders" '[ ! -e gone ]'

check "read-only share reads" '[ "$(cat /mnt/ro/readonly.txt)" = "read only" ]'
check "read-only share refuses a new file" '! sh -c "echo x >/mnt/ro/new.txt" 2>/dev/null'
check "read-only share refuses a write" '! sh -c "echo x >>/mnt/ro/readonly.txt" 2>/dev/null'
check "read-only share refuses rm" '! rm -f /mnt/ro/readonly.txt 2>/dev/null && [ -f /mnt/ro/readonly.txt ]'
check "read-only share refuses mkdir" '! mkdir /mnt/ro/d 2>/dev/null'
check "read-only share refuses chmod" '! chmod 777 /mnt/ro/readonly.txt 2>/dev/null'

# The host rewrites change-me.txt once it sees waiting; the guest must
# see the new content within a few attribute timeouts (1 s each).
check "sees the host's first version" '[ "$(cat change-me.txt)" = before ]'
touch waiting
seen=
for i in $(seq 100); do
	[ "$(cat change-me.txt)" = after ] && { seen=$i; break; }
	sleep 0.2
done
check "sees the host's change (after $((${seen:-0} * 200)) ms)" '[ -n "$seen" ]'
rm waiting

cd /
sync
umount /mnt/host || bad "umount host"
umount /mnt/ro || bad "umount ro"
mount -t virtiofs host /mnt/host || bad "second mount"
check "second mount reads" '[ "$(head -n 1 /mnt/host/dir/renamed.txt)" = "from the guest" ]'
umount /mnt/host || bad "second umount"
exit $fail
