#!/usr/bin/env bash
# Two builds of poam on the same large workbook: `poam convert` to FedRAMP
# xlsx, eMASS xlsx, CSV and JSON, runs alternating between the two, the
# median and fastest time and the peak memory of each.
#   scripts/bench-compare.sh OLD_POAM [ITEMS] [RUNS]
# OLD_POAM is a poam binary built from another commit (for example in a git
# worktree: `git worktree add /tmp/old COMMIT && (cd /tmp/old && cargo build
# --release -p poam-cli)`); the other one is this tree's release build.
set -euo pipefail
old=${1:?usage: scripts/bench-compare.sh OLD_POAM [ITEMS] [RUNS]}
items=${2:-100000}
runs=${3:-5}
cd "$(dirname "$0")/.."
cargo build --release -q -p poam-cli -p poam-fixtures
new=target/release/poam
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/release/poam-fixtures --large "$items" "$work/large.xlsx" >/dev/null
echo "$items items, $runs runs each, $(nproc) CPU(s)"
for spec in fedramp:xlsx emass:xlsx csv:csv json:json; do
  to=${spec%%:*}
  ext=${spec##*:}
  for side in old new; do : >"$work/$side.times"; done
  for _ in $(seq "$runs"); do
    for side in old new; do
      bin=$old
      [ "$side" = new ] && bin=$new
      rm -f "$work/out.$ext"
      /usr/bin/time -f "%e %M" -o "$work/time" "$bin" convert "$work/large.xlsx" --to "$to" -o "$work/out.$ext" 2>/dev/null
      cat "$work/time" >>"$work/$side.times"
    done
  done
  line="$to"
  for side in old new; do
    median=$(sort -n "$work/$side.times" | awk '{t[NR]=$1} END {print t[int((NR+1)/2)]}')
    fastest=$(sort -n "$work/$side.times" | head -1 | cut -d' ' -f1)
    mem=$(sort -k2 -n "$work/$side.times" | tail -1 | awk '{printf "%d", $2/1024}')
    line="$line | $side: median ${median} s, fastest ${fastest} s, ${mem} MB"
  done
  echo "$line"
done
