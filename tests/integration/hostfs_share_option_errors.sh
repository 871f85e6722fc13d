#!/bin/bash
# --share DIR[,tag=NAME][,ro] refuses what it cannot serve with one line
# naming it and exit status 2, before the guest starts: a missing folder,
# a file instead of a folder, a tag longer than the 36 bytes of the
# configuration space, an empty tag, the same tag twice, an unknown key.
# A good --share with a 36-byte tag runs (a bare-metal guest that exits).
set -u
cd "$(dirname "$0")/../.."
pvkit=build/pvkit
good=build/guest-tests/isa/console_printf.elf
[ -f "$good" ] || { echo "FAIL: $good missing (make guest-tests)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/dir" "$tmp/other"
touch "$tmp/file"
fail=0
expect() { # expect WORD-IN-MESSAGE --share ARG [--share ARG]
	local word=$1
	shift
	local err rc lines
	err=$("$pvkit" run --kernel "$good" "$@" 2>&1 >/dev/null </dev/null)
	rc=$?
	lines=$(printf '%s\n' "$err" | grep -c .)
	if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$word" <<<"$err"; then
		echo "FAIL: $* -> exit $rc, stderr: $err"
		fail=1
	else
		echo "ok: $* -> $err"
	fi
}
t37=$(printf 'x%.0s' $(seq 37))
t36=$(printf 'y%.0s' $(seq 36))
expect "not a folder" --share "$tmp/missing"
expect "not a folder" --share "$tmp/file"
expect "must be 1 to 36 bytes" --share "$tmp/dir,tag=$t37"
expect "must be 1 to 36 bytes" --share "$tmp/dir,tag="
expect "used twice" --share "$tmp/dir,tag=a" --share "$tmp/other,tag=a"
expect "used twice" --share "$tmp/dir" --share "$tmp/dir"
expect "unknown option 'rw'" --share "$tmp/dir,rw"
expect "needs a folder" --share ",tag=x"
if "$pvkit" run --kernel "$good" --share "$tmp/dir,tag=$t36,ro" \
	--share "$tmp/other" </dev/null >/dev/null 2>"$tmp/err"; then
	echo "ok: two good shares, a 36-byte tag: runs"
else
	echo "FAIL: good shares refused: $(cat "$tmp/err")"
	fail=1
fi
exit $fail
