#!/bin/bash
# Escape attempts from the guest's shell (guest-drivers/linux/tests/
# hostfs-escape.sh): '..', symlinks out of the share made on the host
# (relative, absolute, through a folder) resolve inside the guest (they
# read the guest's decoys, never the host's secret); hard
# links across the boundary, device nodes, setuid/setgid bits and over-long
# names are refused. The host then checks that its secret next to the
# share never reached the guest's console, that no device node or setuid
# bit exists in the share, and that nothing outside the share changed.
source "$(dirname "$0")/hostfs/lib.sh"
fail=0
mkdir -p "$tmp/share/sub"
echo "host secret 7f3a" >"$tmp/secret.txt"
echo "inside" >"$tmp/share/file.txt"
echo "move me" >"$tmp/share/movable.txt"
ln -s ../secret.txt "$tmp/share/out"
ln -s "$tmp/secret.txt" "$tmp/share/abs"
ln -s ../.. "$tmp/share/sub/up"
outside() { (cd "$tmp" && find . -path ./share -prune -o -path ./log -prune -o -printf '%p %y %s %m\n' | sort); }
before=$(outside)

HOSTFS_APPEND="pvkit.abs=$tmp/secret.txt" hostfs_boot hostfs-escape 300 --share "$tmp/share,tag=host"
hostfs_wait || fail=1
grep -E '^(ok|refused|FAIL):' "$tmp/log/console"

expect() {	# expect WHAT CONDITION
	if eval "$2"; then echo "ok:   host: $1"; else echo "FAIL: host: $1"; fail=1; fi
}
expect "the secret never reached the guest" '! grep -q "host secret 7f3a" "$tmp/log/console"'
expect "no device nodes in the share" '[ -z "$(find "$tmp/share" -type b -o -type c)" ]'
expect "no setuid/setgid bits in the share" '[ -z "$(find "$tmp/share" -perm /6000)" ]'
expect "nothing outside the share changed" '[ "$before" = "$(outside)" ]'
expect "the renamed-out file left the share only" '[ ! -e "$tmp/share/movable.txt" ] && [ ! -e "$tmp/moved.txt" ]'
n=$(sed -n 's/^refused: \([0-9]*\) in all.*/\1/p' "$tmp/log/console")
expect "${n:-0} attempts refused in the guest" '[ "${n:-0}" -ge 13 ]'
exit $fail
