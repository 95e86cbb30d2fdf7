#!/usr/bin/env bash
# Interrupts a batch at random moments, ROUNDS times, with SIGINT, SIGTERM
# and SIGKILL in turn, and checks after each what a user would: no
# temporary file is left (after SIGKILL: once the next run into the folder
# has swept it), and every input has all of its formats or none.
#   scripts/kill-loop.sh [ROUNDS] [FILES] [ITEMS]
set -euo pipefail
rounds=${1:-30}
files=${2:-8}
items=${3:-3000}
cd "$(dirname "$0")/.."
cargo build --release -q -p poam-cli -p poam-fixtures
poam=target/release/poam
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/units"
for k in $(seq "$files"); do
  target/release/poam-fixtures --large "$items" "$work/units/unit-$k.xlsx" >/dev/null
done
# How long one whole run takes: the kills fall anywhere in it.
start=$(date +%s%N)
"$poam" batch "$work/units" --to fedramp --to csv --to json -q --out-dir "$work/whole" >/dev/null
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "one run: ${full_ms} ms; $rounds interrupted runs"
signals=(INT TERM KILL)
bad=0
for r in $(seq "$rounds"); do
  sig=${signals[$(( r % 3 ))]}
  out="$work/out-$r"
  "$poam" batch "$work/units" --to fedramp --to csv --to json -q --out-dir "$out" >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v ms="$full_ms" -v s="$RANDOM" 'BEGIN { printf "%.3f", (s % ms) / 1000 }')"
  kill -"$sig" "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -d "$out" ] || continue
  if [ "$sig" = KILL ]; then
    "$poam" batch "$work/units" --to csv -q --force --out-dir "$out" >/dev/null 2>&1 || true
  fi
  left=$(find "$out" -name '.poam-*.tmp' | wc -l)
  if [ "$left" -ne 0 ]; then
    echo "round $r (SIG$sig): $left temporary file(s) left"; bad=1
  fi
  if [ "$sig" != KILL ]; then
    for k in $(seq "$files"); do
      n=$(find "$out" -name "unit-$k.*" | wc -l)
      if [ "$n" -ne 0 ] && [ "$n" -ne 3 ]; then
        echo "round $r (SIG$sig): unit-$k has $n of 3 outputs"; bad=1
      fi
    done
  fi
done
[ "$bad" -eq 0 ] && echo "no temporary file, no half set of outputs in $rounds rounds"
exit "$bad"
