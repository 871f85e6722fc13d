#!/bin/bash
# Two shares at once through virtio-fs (--share DIR,tag=host and
# --share DIR2,tag=ro,ro): the guest (guest-drivers/linux/tests/hostfs-rw.sh)
# creates, writes, renames, lists, truncates and deletes files on the first
# and the host finds exactly that state; the read-only share refuses every
# change and the host sees it untouched; a file the host rewrites while the
# guest runs reaches the guest; umount and a second mount work.
source "$(dirname "$0")/hostfs/lib.sh"
fail=0
mkdir -p "$tmp/share" "$tmp/ro"
echo "written by the host" >"$tmp/share/from-host.txt"
echo "before" >"$tmp/share/change-me.txt"
echo "delete me" >"$tmp/share/doomed.txt"
echo "read only" >"$tmp/ro/readonly.txt"
ro_before=$(ls -la --time-style=+%s "$tmp/ro"; cat "$tmp/ro/readonly.txt")

hostfs_boot hostfs-rw 300 --share "$tmp/share,tag=host" --share "$tmp/ro,tag=ro,ro"
# the guest touches 'waiting' when it wants the host to change the file
for _ in $(seq 1500); do
	[ -e "$tmp/share/waiting" ] && break
	kill -0 "$pvkit_pid" 2>/dev/null || break
	sleep 0.2
done
if [ -e "$tmp/share/waiting" ]; then
	echo "after" >"$tmp/share/change-me.txt"
else
	echo "FAIL: the guest never asked for the host's change"
	fail=1
fi
hostfs_wait || fail=1
grep -E '^(ok|FAIL):' "$tmp/log/console"

expect() {	# expect WHAT CONDITION
	if eval "$2"; then echo "ok:   host: $1"; else echo "FAIL: host: $1"; fail=1; fi
}
S=$tmp/share
expect "the guest's renamed file" '[ "$(cat "$S/dir/renamed.txt")" = "$(printf "from the guest\nmore")" ]'
expect "the guest's truncation" '[ "$(stat -c %s "$S/trunc.bin")" = 1000 ]'
expect "the guest's deletion" '[ ! -e "$S/doomed.txt" ] && [ ! -e "$S/new.txt" ]'
expect "the listing" '[ "$(ls "$S" | tr "\n" " ")" = "change-me.txt dir from-host.txt trunc.bin " ]'
expect "the read-only share untouched" '[ "$ro_before" = "$(ls -la --time-style=+%s "$tmp/ro"; cat "$tmp/ro/readonly.txt")" ]'
exit $fail
