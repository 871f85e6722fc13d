#!/bin/bash
# `pvkit bench all --quick --json F --plot F.svg` (what CI runs) gives a
# report of the right shape: every group of DESIGN.md present, every
# result with every key of the schema, a median > 0 (within min..max) for
# every result whose status is ok, no failed run, the device pairs of
# issue 9 for each group that is implemented, per-request figures from
# pvkit's device counters for disk and console, the machine it ran on,
# and an SVG plot. Shape only: no figure is compared with any speed.
set -u
cd "$(dirname "$0")/../.."
for f in build/pvkit build/guest/Image build/guest/initramfs.cpio.gz; do
	[ -e "$f" ] || { echo "FAIL: $f missing (make; make guest)"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

timeout 600 build/pvkit bench all --quick --json "$tmp/out.json" \
	--plot "$tmp/out.svg" >"$tmp/table" 2>"$tmp/err"
rc=$?
fail=0
if [ "$rc" -ne 0 ]; then
	echo "FAIL: pvkit bench exited $rc"
	tail -n 30 "$tmp/err"
	fail=1
fi
grep -q '^group  *device  *workload' "$tmp/table" ||
	{ echo "FAIL: no table header on stdout"; fail=1; }
if [ -s "$tmp/out.svg" ] && grep -q '<svg' "$tmp/out.svg"; then
	echo "ok: plot is an SVG"
else
	echo "FAIL: no SVG plot"; fail=1
fi

python3 - "$tmp/out.json" <<'PY' || fail=1
import json, sys

GROUPS = ["cpu", "boot", "disk", "net", "fs", "console", "time"]
PAIRS = {"disk": {"ide", "virtio-blk"}, "net": {"ethoc", "virtio-net"},
         "console": {"uart16550", "virtio-console"},
         "time": {"rtc", "pvclock"}}
COUNTED = {"disk", "console"}  # groups that read pvkit's device counters
KEYS = ["group", "device", "workload", "metric", "higher_is_better",
        "median", "min", "max", "samples", "qemu", "vs_qemu",
        "exits_per_request", "interrupts_per_request", "insns_per_byte",
        "host_cpu_s", "failed", "status"]
MACHINE = ["cpu", "cores", "memory", "kernel", "pvkit_commit", "qemu",
           "date", "quick", "runs"]
bad = []
try:
    doc = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"FAIL: the JSON does not parse: {e}")
    sys.exit(1)
machine = doc.get("machine")
if not isinstance(machine, dict):
    bad.append("no machine object")
else:
    bad += [f"machine has no {k}" for k in MACHINE if k not in machine]
results = doc.get("results")
if not isinstance(results, list) or not results:
    print("FAIL: no results list")
    sys.exit(1)

def number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)

for r in results:
    name = f"{r.get('group')}/{r.get('device')}/{r.get('workload')}"
    missing = [k for k in KEYS if k not in r]
    if missing:
        bad.append(f"{name}: no {', '.join(missing)}")
        continue
    if r["failed"]:
        bad.append(f"{name}: failed: {r['status']}")
    if not r["status"].startswith("ok"):
        continue
    m, lo, hi = r["median"], r["min"], r["max"]
    if not (number(m) and m > 0):
        bad.append(f"{name}: status ok but median {m!r}")
    elif not (number(lo) and number(hi) and lo <= m <= hi):
        bad.append(f"{name}: median {m} not within {lo!r}..{hi!r}")
    for k in ("qemu", "vs_qemu", "exits_per_request", "host_cpu_s"):
        if r[k] is not None and not number(r[k]):
            bad.append(f"{name}: {k} is {r[k]!r}")
    if r["group"] in COUNTED:
        for k in ("exits_per_request", "interrupts_per_request",
                  "insns_per_byte"):
            if not number(r[k]):
                bad.append(f"{name}: no {k} from the device counters")

for g in GROUPS:
    rs = [r for r in results if r.get("group") == g]
    if not rs:
        bad.append(f"group {g} missing")
        continue
    if any(r.get("status", "").startswith("n/a: not implemented")
           for r in rs):
        print(f"note: group {g} is not implemented yet")
        continue
    want = PAIRS.get(g, set())
    have = {r.get("device") for r in rs}
    if want - have:
        bad.append(f"group {g}: no {', '.join(sorted(want - have))}")

for b in bad:
    print("FAIL:", b)
if not bad:
    print(f"ok: {len(results)} results of the right shape")
sys.exit(1 if bad else 0)
PY
exit $fail
