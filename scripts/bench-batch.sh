#!/usr/bin/env bash
# Batch throughput: `poam batch` to FedRAMP xlsx and JSON with 1 and 2 jobs,
# the median of RUNS runs, over either
#   scripts/bench-batch.sh [UNITS] [RUNS]          the test tree: UNITS units in
#                                                  mixed layouts plus 2 broken files
#   scripts/bench-batch.sh files COUNT ITEMS [RUNS] COUNT FedRAMP workbooks of ITEMS items
set -euo pipefail
mode=tree
if [ "${1:-}" = files ]; then
  mode=files
  count=${2:-500}
  items=${3:-200}
  runs=${4:-3}
else
  units=${1:-50}
  runs=${2:-5}
fi
cd "$(dirname "$0")/.."
cargo build --release -q -p poam-cli -p poam-fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$mode" = files ]; then
  target/release/poam-fixtures --files "$count" "$items" "$work/tree" >/dev/null
  files=$count
  echo "$count workbooks of $items items, $(nproc) CPU(s)"
else
  target/release/poam-fixtures --tree "$units" 2 "$work/tree" >/dev/null
  files=$(find "$work/tree" -type f | wc -l)
  echo "tree: $files files ($units units + 2 broken), $(nproc) CPU(s)"
fi
for jobs in 1 2; do
  times=()
  for _ in $(seq "$runs"); do
    rm -rf "$work/out"
    start=$(date +%s.%N)
    target/release/poam batch "$work/tree" --to fedramp --to json -q -j "$jobs" \
      --out-dir "$work/out" >/dev/null || true
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  rate=$(echo "scale=1; $files / $median" | bc)
  echo "jobs=$jobs: median ${median}s over $runs runs, $rate files/s"
done
