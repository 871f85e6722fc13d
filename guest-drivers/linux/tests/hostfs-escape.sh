#!/bin/sh
# Escape attempts from the guest shell against the "host" share
# (tests/integration/hostfs_escape_from_guest_shell.sh). The host put a
# secret next to the share and symlinks out to it (relative and
# absolute); every attempt must stay inside the guest or fail. The host
# then checks its own side. Prints "refused: N".
n=0 fail=0
refused() { echo "refused: $1"; n=$((n + 1)); }
escaped() { echo "FAIL: $1"; fail=1; }
try() { if eval "$2"; then refused "$1"; else escaped "$1"; fi; }

mkdir -p /mnt/host
mount -t virtiofs host /mnt/host || { echo "FAIL: mount"; exit 1; }
S=/mnt/host
echo "guest decoy" >/mnt/secret.txt
mkdir -p "$(dirname "$PVKIT_ABS")" && echo "guest decoy" >"$PVKIT_ABS"
decoy() { [ "$(cat "$1" 2>/dev/null)" = "guest decoy" ]; }

try "cd .. leaves to the guest's /mnt" '(cd $S/.. && [ "$(pwd)" = /mnt ] && decoy secret.txt)'
try "../ in a path" 'decoy $S/../secret.txt'
try "relative symlink out resolves in the guest" 'decoy $S/out'
try "absolute symlink out resolves in the guest" 'decoy $S/abs'
try "symlink through a folder" 'decoy $S/sub/up/secret.txt'
try "hard link out of the share" '! ln $S/file.txt /tmp/hard 2>/dev/null'
try "hard link into the share" '! ln /init $S/init-link 2>/dev/null'
try "mknod a character device" '! mknod $S/null c 1 3 2>/dev/null'
try "mknod a block device" '! mknod $S/vda b 254 0 2>/dev/null'
chmod u+s $S/file.txt 2>/dev/null
try "chmod u+s does not stick" '[ -z "$(find $S/file.txt -perm -4000)" ]'
chmod g+s $S/file.txt 2>/dev/null
try "chmod g+s does not stick" '[ -z "$(find $S/file.txt -perm -2000)" ]'
long=$(printf '%0300d' 0)
try "a 300-byte name" '! touch $S/$long 2>/dev/null'
name=$(printf '%0255d' 0)
if touch $S/$name && rm $S/$name; then echo "ok:   a 255-byte name works"; else escaped "a 255-byte name fails"; fi
mv $S/movable.txt $S/../moved.txt 2>/dev/null
try "rename out lands in the guest" '[ -f /mnt/moved.txt ] && [ ! -e $S/movable.txt ]'
echo "refused: $n in all"
cd /
umount $S || { echo "FAIL: umount"; fail=1; }
exit $fail
