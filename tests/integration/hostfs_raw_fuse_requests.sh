#!/bin/bash
# Raw FUSE requests from a bare-metal guest against pvkit's virtio-fs
# (guest-drivers/tests/virtio/fs_raw.c, built by `make guest-tests`): a
# good session, then forged node ids and file handles, hostile names,
# malformed chains, a FORGET storm. The guest checks that each attempt is
# refused and that pvkit answers a good request after it; this script
# checks from the host that nothing outside the share changed and that
# nothing was created in it by the refused requests.
set -u
cd "$(dirname "$0")/../.." || exit 2
PVKIT=${PVKIT:-build/pvkit}
ELF=${GUEST_BUILD:-build/guest-tests}/virtio/fs_raw.elf
[ -x "$PVKIT" ] || { echo "FAIL: $PVKIT not built"; exit 1; }
[ -f "$ELF" ] || { echo "FAIL: $ELF missing (make guest-tests)"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/share/sub" "$tmp/log"
printf 'hello from the host\n' >"$tmp/share/hello.txt"
echo "host secret" >"$tmp/secret.txt"
ln -s ../secret.txt "$tmp/share/out"
tree() { (cd "$tmp" && find . -path ./log -prune -o -printf '%p %y %s\n' | sort); }
before=$(tree)

timeout -k 2 60 "$PVKIT" run --kernel "$ELF" --share "$tmp/share,tag=host" \
	</dev/null >"$tmp/log/out" 2>"$tmp/log/err"
status=$?
fail=0
if [ $status = 0 ] && grep -q '^PASS' "$tmp/log/out"; then
	echo "PASS hostfs raw requests ($(grep 'refused attempts' "$tmp/log/out"))"
else
	echo "FAIL hostfs raw requests: exit status $status"
	grep -v ': yes$' "$tmp/log/out" | tail -n 20 | sed 's/^/    /'
	tail -n 5 "$tmp/log/err" | sed 's/^/    /'
	fail=1
fi
after=$(tree)
if [ "$before" = "$after" ] && [ "$(cat "$tmp/secret.txt")" = "host secret" ]; then
	echo "PASS nothing created, moved or changed by the refused requests"
else
	echo "FAIL the host tree changed:"
	diff <(echo "$before") <(echo "$after") | sed 's/^/    /'
	fail=1
fi
exit $fail
