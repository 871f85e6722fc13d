#!/bin/bash
# Bad input gets a one-line error naming what was wrong and exit status 2,
# never a crash: kernels that are not RISC-V ELF or Linux Image, truncated
# or misplaced ELFs, missing files, unknown options and subcommands.
set -u
cd "$(dirname "$0")/../.."
pvkit=build/pvkit
good=build/guest-tests/isa/console_printf.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

head -c 200 "$good" >"$tmp/truncated.elf"
printf 'just some text\n' >"$tmp/text.bin"
riscv64-unknown-elf-objcopy --change-addresses=-0x70000000 "$good" "$tmp/low.elf" 2>/dev/null
cp "$good" "$tmp/x86.elf"
printf '\x3e\x00' | dd of="$tmp/x86.elf" bs=1 seek=18 conv=notrunc 2>/dev/null

fail=0
expect() { # expect WORD-IN-MESSAGE ARGS...
	local word=$1
	shift
	local err
	err=$("$pvkit" "$@" 2>&1 >/dev/null </dev/null)
	local rc=$?
	local lines
	lines=$(printf '%s\n' "$err" | grep -c .)
	if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$word" <<<"$err"; then
		echo "FAIL: pvkit $* -> exit $rc, stderr: $err"
		fail=1
	else
		echo "ok: pvkit $* -> $err"
	fi
}

expect "neither" run --kernel "$tmp/text.bin"
expect "truncated" run --kernel "$tmp/truncated.elf"
expect "outside RAM" run --kernel "$tmp/low.elf"
expect "RISC-V" run --kernel "$tmp/x86.elf"
expect "No such file" run --kernel "$tmp/missing.elf"
expect "--frobnicate" run --kernel "$good" --frobnicate 1
expect "--kernel" run
expect "--mem" run --kernel "$good" --mem lots
expect "frob" frob
expect "--initrd" run --kernel "$good" --initrd "$tmp/missing.img"
exit $fail
