#!/bin/sh
# Report size and peak memory over a catalog, per format: JSON and JSON Lines
# with `--findings fail`, with and without histories; then the JSON Lines size
# as a share of JSON and the peak with histories against the peak without
# (memory stays flat when that ratio is near 1, whatever the histories'
# length). Not a test: run it by hand after building the release binary, and
# record the figures in docs/performance.md.
#
#   scripts/bench-report.sh [CAPLEVEL] PATH...
#   scripts/bench-report.sh target/release/caplevel ~/.cache/caplevel-wide/bundles
set -eu
bin=${1:-target/release/caplevel}
shift
[ "$#" -gt 0 ] || { echo "usage: $0 CAPLEVEL PATH..." >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-34s %12s %12s %8s\n' run bytes peak_kb seconds
for spec in "json:" "jsonl:" "json:--no-history" "jsonl:--no-history"; do
    format=${spec%%:*}
    extra=${spec#*:}
    # shellcheck disable=SC2086 # $extra is empty or one flag
    /usr/bin/time -f '%M %e' -o "$out/time" "$bin" analyze "$@" --quiet \
        --format "$format" --findings fail $extra > "$out/report" 2>/dev/null || true
    read -r peak secs < "$out/time"
    bytes=$(wc -c < "$out/report")
    printf '%-34s %12s %12s %8s\n' "$format --findings fail $extra" "$bytes" "$peak" "$secs"
    eval "bytes_${format}${extra:+_nh}=$bytes peak_${format}${extra:+_nh}=$peak"
done
awk -v j="$bytes_json" -v l="$bytes_jsonl" -v p="$peak_jsonl" -v q="$peak_jsonl_nh" 'BEGIN {
    printf "JSON Lines / JSON size: %.1f %%\n", 100 * l / j
    printf "peak with histories / without: %.2f\n", p / q
}'
