#!/bin/bash
# `make test`: the unit tests (Check), the ISA suite on pvkit and on QEMU,
# and the integration tests; then one closing line `N passed, N failed`.
# Each part prints its own results; a part that cannot run counts failed.
set -u
cd "$(dirname "$0")/.."

passed=0
failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

echo "== unit tests (Check)"
out=$(build/unit-tests 2>&1)
status=$?
echo "$out" | grep -v '^Running suite' | tail -n 40
line=$(echo "$out" | grep -E '^[0-9]+%: Checks: ' | tail -n1)
if [ -n "$line" ]; then
	checks=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
	fails=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1+\2/')
	fails=$((fails))
	count $((checks - fails)) "$fails"
else
	echo "FAIL unit tests did not report (exit $status)"
	count 0 1
fi

echo "== ISA suite: pvkit against qemu-system-riscv64"
out=$(tests/isa/run.sh 2>&1)
echo "$out" | grep -E '^(FAIL|PASS)' | grep -v '^PASS' || true
echo "$out" | grep -cE '^PASS' | sed 's/^/passing lines: /'
line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n1)
if [ -n "$line" ]; then
	count "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)"
else
	echo "FAIL ISA suite did not report"
	count 0 1
fi

echo "== integration tests"
for t in tests/integration/*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	if log=$("$t" 2>&1); then
		echo "PASS integration/$name"
		count 1 0
	else
		echo "FAIL integration/$name"
		echo "$log" | tail -n 15 | sed 's/^/    /'
		count 0 1
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
