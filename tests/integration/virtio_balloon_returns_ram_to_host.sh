#!/bin/bash
# The balloon really gives guest RAM back to the host (pvkit's RSS, from
# /proc/PID/status, drops), driven as a user would: through the control
# socket (`pvkit ctl SOCK balloon SIZE`, QMP's `balloon`).
#  1. Inflate: a 512 MiB guest touches nearly all its free memory and
#     frees it (guest test virtio-balloon); we ask for a 256 MiB guest;
#     once the guest has put 256 MiB in the balloon, RSS must have dropped
#     by at least 90% of 256 MiB. Free page reporting is off in this run
#     (--balloon=free-page-reporting=off), or it would return the freed
#     memory before the inflate and leave the inflate nothing to show.
#     Then deflate (balloon 512M): the guest gets its memory back.
#  2. Free page reporting (on by default): the guest fills and frees the
#     same memory and idles; without any inflate, RSS must drop by at
#     least 75% of what the guest freed.
set -u
cd "$(dirname "$0")/../.."
kernel=build/guest/Image
initrd=build/guest/initramfs.cpio.gz
for f in "$kernel" "$initrd"; do
	[ -e "$f" ] || { echo "FAIL: $f missing (make guest)"; exit 1; }
done
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0

rss_mib() { awk '/^VmRSS:/ { print int($2 / 1024) }' /proc/$pid/status; }
# wait_line PATTERN: until the guest prints it (or pvkit ends)
wait_line() {
	for _ in $(seq 3000); do
		grep -q "$1" "$tmp/out" && return 0
		kill -0 $pid 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
start() { # start APPEND [pvkit options]
	local append=$1
	shift
	: >"$tmp/out"
	build/pvkit run --kernel "$kernel" --initrd "$initrd" --mem 512M \
		--append "console=ttyS0 $append" --control "$tmp/ctl.sock" "$@" \
		</dev/null >"$tmp/out" 2>"$tmp/err" &
	pid=$!
}
finish() { # finish TESTNAME
	for _ in $(seq 600); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	wait $pid
	local rc=$?
	pid=
	grep -E '^(info|FAIL|BALLOON-STEP)' "$tmp/out" | sed 's/^/    guest: /'
	if [ $rc -ne 0 ] || ! grep -q "^PVKIT-TEST-RESULT: $1 0" "$tmp/out"; then
		echo "FAIL: guest test $1 failed (pvkit exit $rc)"; tail -5 "$tmp/out"; cat "$tmp/err"
		fail=1
	fi
}

# --- 1. inflate -------------------------------------------------------------
start "pvkit.test=virtio-balloon pvkit.balloonmb=256" \
	--balloon=free-page-reporting=off
if wait_line "BALLOON-STEP touched"; then
	sleep 0.5
	before=$(rss_mib)
	build/pvkit ctl "$tmp/ctl.sock" balloon 256M >/dev/null
	if wait_line "BALLOON-STEP inflated"; then
		sleep 0.5
		after=$(rss_mib)
		drop=$((before - after))
		echo "info: RSS $before MiB after the guest freed its memory, $after MiB with 256 MiB ballooned (drop $drop MiB)"
		if [ $drop -ge $((256 * 90 / 100)) ]; then
			echo "ok: inflating 256 MiB dropped RSS by $drop MiB (>= 90%)"
		else
			echo "FAIL: inflating 256 MiB dropped RSS by only $drop MiB"; fail=1
		fi
		q=$(build/pvkit ctl "$tmp/ctl.sock" query-balloon --json 2>/dev/null)
		echo "info: query-balloon: $q"
	else
		echo "FAIL: the guest never saw the inflate"; fail=1
	fi
	build/pvkit ctl "$tmp/ctl.sock" balloon 512M >/dev/null
fi
finish virtio-balloon

# --- 2. free page reporting ----------------------------------------------
start "pvkit.test=virtio-balloon pvkit.balloonmb=0 pvkit.holdsecs=2 pvkit.idlesecs=8" \
	--balloon
if wait_line "BALLOON-STEP filled"; then
	sleep 1
	full=$(rss_mib)
	wait_line "BALLOON-STEP touched"
	filled=$(sed -n 's/.*filling \([0-9]*\) MiB.*/\1/p' "$tmp/out")
	# RSS while the guest idles (it powers off after): the lowest seen
	low=$full
	while kill -0 $pid 2>/dev/null && ! grep -q "BALLOON-STEP idle-done" "$tmp/out"; do
		r=$(rss_mib 2>/dev/null)
		[ -n "$r" ] && [ "$r" -lt "$low" ] && low=$r
		[ $((full - low)) -ge $((filled * 90 / 100)) ] && break
		sleep 0.2
	done
	drop=$((full - low))
	echo "info: RSS $full MiB with $filled MiB filled, $low MiB after freeing and idling (drop $drop MiB)"
	if [ $drop -ge $((filled * 75 / 100)) ]; then
		echo "ok: free page reporting returned $drop of the $filled MiB freed"
	else
		echo "FAIL: free page reporting returned only $drop of the $filled MiB freed"; fail=1
	fi
fi
finish virtio-balloon
exit $fail
