#!/usr/bin/env bash
# Seeds each fuzz target's corpus with the project's fixtures and runs it.
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(workbook csv json xml docx ssp data_files scans)
fx=../fixtures
mkdir -p corpus/{workbook,csv,json,xml,docx,ssp,data_files,scans}
cp $fx/fedramp/* $fx/emass/* $fx/legacy/* $fx/nist/plan-of-action.xlsx corpus/workbook/
# A sheet longer than the rows read for layout detection: its rest is read by
# the reader thread.
(cd .. && cargo run -q --release -p poam-fixtures -- --large 150 fuzz/corpus/workbook/long-150.xlsx >/dev/null)
cp $fx/nist/plan-of-action.csv corpus/csv/
cp $fx/oscal/poam.json corpus/json/oscal-poam.json; cp $fx/ssp/poam.json corpus/json/model-poam.json
cp $fx/nist/plan-of-action.docx corpus/docx/
cp $fx/ssp/*.docx corpus/ssp/
cp ../templates/policies/*.toml ../templates/frameworks/*.toml corpus/data_files/
# The shapes people's files take, and OSCAL XML.
cp $fx/shapes/*.xlsx corpus/workbook/; cp $fx/shapes/*.csv corpus/csv/
cp $fx/shapes/*.json corpus/json/; cp $fx/oscal/poam.xml $fx/shapes/*.xml corpus/xml/
cp $fx/shapes/*.docx corpus/docx/
# The real files in ../shared, when there: what the world's files look like.
real=../../shared/reference/real-files
scans=../../shared/reference/scans
if [ -d "$scans" ]; then
  # Every scanner sample but the CCI lists (large, and not scans).
  find "$scans" -type f ! -path '*/cci/*' ! -name '*.md' ! -name '*.pdf' ! -name '*.rst' ! -name '*.xlsx' \
    -size -2M -exec cp {} corpus/scans/ \;
fi
if [ -d "$real" ]; then
  cp "$real"/fedramp/*.xlsx "$real"/emass/*.xls* "$real"/trackers/*.xlsx corpus/workbook/
  cp "$real"/trackers/*.csv corpus/csv/
  cp "$real"/oscal/*POAM*.json "$real"/oscal/*poam*.json "$real"/trackers/*.json corpus/json/
  cp "$real"/nist/*.docx "$real"/trackers/*.docx corpus/docx/
  cp "$real"/ssp/*.docx corpus/ssp/
fi
for t in "${targets[@]}"; do
  echo "== $t: ${secs}s"
  cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 -max_len=1048576 2>&1 \
    | grep -E "^#[0-9]+.*(DONE|pulse)|ERROR|panicked|SUMMARY|Done [0-9]+ runs" | tail -3
done
