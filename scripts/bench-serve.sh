#!/usr/bin/env bash
# `poam serve`: how long the server takes to start (until it prints its
# address) and to answer a 12-item conversion (the workbook dropped, read,
# and written as a FedRAMP v3.0 workbook), over loopback:
#   scripts/bench-serve.sh [RUNS]
set -euo pipefail
runs=${1:-20}
cd "$(dirname "$0")/.."
cargo build --release -q -p poam-cli -p poam-fixtures
poam=target/release/poam
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
target/release/poam-fixtures --large 12 "$work/twelve.xlsx" >/dev/null
median() { sort -n | awk '{v[NR]=$1} END {printf "%.1f", v[int((NR+1)/2)]}'; }
: >"$work/start"
for _ in $(seq "$runs"); do
  rm -f "$work/url"
  t0=$(date +%s%N)
  "$poam" serve --port 0 >"$work/url" 2>/dev/null &
  pid=$!
  until [ -s "$work/url" ]; do sleep 0.001; done
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 ))" | awk '{print $1/1000}' >>"$work/start"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
rm -f "$work/url"
"$poam" serve --port 0 >"$work/url" 2>/dev/null &
pid=$!
until [ -s "$work/url" ]; do sleep 0.01; done
url=$(head -1 "$work/url")
base=${url%%/?token=*}
token=${url##*token=}
: >"$work/read"
: >"$work/convert"
for _ in $(seq "$runs"); do
  curl -s -o "$work/view.json" -w "%{time_total}\n" -H "X-Poam-Token: $token" \
    --data-binary @"$work/twelve.xlsx" "$base/api/files?name=twelve.xlsx" |
    awk '{print $1*1000}' >>"$work/read"
  id=$(sed 's/^{"id":\([0-9]*\).*/\1/' "$work/view.json")
  curl -s -o /dev/null -w "%{time_total}\n" -H "X-Poam-Token: $token" \
    -H "content-type: application/json" -d '{"to":"fedramp","version":"3.0"}' \
    "$base/api/files/$id/convert" | awk '{print $1*1000}' >>"$work/convert"
done
printf "%-52s median %s ms\n" "start (until the address is printed)" "$(median <"$work/start")"
printf "%-52s median %s ms\n" "drop a 12-item workbook (read, shown)" "$(median <"$work/read")"
printf "%-52s median %s ms\n" "convert it to FedRAMP v3.0 (ready to download)" "$(median <"$work/convert")"
