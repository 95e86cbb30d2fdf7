#!/usr/bin/env bash
# The monthly update and the Nessus reader at size, with their peak memory:
#   scripts/bench-update.sh [RUNS]
# - `poam update` of a 2,000-item FedRAMP workbook with a scan of 10,000
#   findings across 500 hosts (2,000 plugins) to FedRAMP xlsx;
# - `poam inspect` of a .nessus of about 50 MB and of one twice as large
#   (the reader streams: memory should not grow with the file).
set -euo pipefail
runs=${1:-3}
cd "$(dirname "$0")/.."
cargo build --release -q -p poam-cli -p poam-fixtures
poam=target/release/poam
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/release/poam-fixtures --large 2000 "$work/last.xlsx" >/dev/null
target/release/poam-fixtures --nessus 500 10000 2000 300 "$work/month.nessus" >/dev/null
target/release/poam-fixtures --nessus 500 60000 2000 500 "$work/50mb.nessus" >/dev/null
target/release/poam-fixtures --nessus 500 120000 2000 500 "$work/100mb.nessus" >/dev/null
measure() {
  local label=$1
  shift
  : >"$work/times"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
    cat "$work/time" >>"$work/times"
  done
  sort -n "$work/times" | awk -v label="$label" '{t[NR]=$1; m[NR]=$2} END {printf "%-48s median %.2f s, peak %.0f MB\n", label, t[int((NR+1)/2)], m[int((NR+1)/2)]/1024}'
}
measure "update 2,000 items + 10,000 findings (500 hosts)" "$poam" update "$work/last.xlsx" --scan "$work/month.nessus" -o "$work/out.xlsx" --as-of 2026-12-02
for f in 50mb 100mb; do
  size=$(du -m "$work/$f.nessus" | cut -f1)
  measure "inspect a ${size} MB .nessus" "$poam" inspect "$work/$f.nessus"
done
# An AWS Security Hub export of about 40 MB: Prowler's real sample in
# ../shared (731 findings) repeated 35 times with new ids (streamed: memory
# should not grow with the file).
sample=../shared/reference/scans/aws/asff_prowler_bare_array_with_nist_fedramp.json
if [ -f "$sample" ] && command -v python3 >/dev/null; then
  python3 - "$sample" "$work/big.asff.json" <<'PY'
import json, sys
findings = json.load(open(sys.argv[1]))
out = []
for k in range(35):
    for f in findings:
        g = dict(f)
        g["Id"] = f"{f['Id']}-{k}"
        out.append(g)
json.dump(out, open(sys.argv[2], "w"))
PY
  size=$(du -m "$work/big.asff.json" | cut -f1)
  measure "inspect a ${size} MB ASFF export (25,585 findings)" "$poam" inspect "$work/big.asff.json"
fi
