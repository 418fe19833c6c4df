#!/usr/bin/env bash
# Speed and memory of qcsim on whole networks: wall time, peak resident memory and simulated
# cycles per wall-clock second of `qcsim run`, best of N runs per workload. Figures go in
# README ("Speed"); tests never assert on wall time.
#   scripts/bench.sh [-n RUNS] [WORKLOAD ...]     (default: mobilenext mobilenetv2, 5 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
if [ "${1:-}" = "-n" ]; then runs=$2; shift 2; fi
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(mobilenext mobilenetv2)

[ -x build/qcsim ] || scripts/setup.sh >/dev/null
command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)"; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%-34s %10s %10s %12s %14s\n' workload "wall ms" "peak MiB" "sim cycles" "Mcycles/s"
for w in "${workloads[@]}"; do
  best_ms=""; best_kb=""
  for _ in $(seq "$runs"); do
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$tmp/time" build/qcsim run --quiet --workload "$w" --json "$tmp/r.json"
    t1=$(date +%s%N)
    read -r kb < "$tmp/time"
    ms=$(( (t1 - t0) / 1000000 ))
    if [ -z "$best_ms" ] || [ "$ms" -lt "$best_ms" ]; then best_ms=$ms; fi
    if [ -z "$best_kb" ] || [ "$kb" -lt "$best_kb" ]; then best_kb=$kb; fi
  done
  cycles=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["cycles"])' "$tmp/r.json" 2>/dev/null ||
           grep -m1 '"cycles"' "$tmp/r.json" | tr -dc '0-9')
  awk -v w="$w" -v ms="$best_ms" -v kb="$best_kb" -v c="$cycles" 'BEGIN {
    s = (ms > 0 ? ms : 1) / 1000.0;
    printf "%-34s %10d %10.1f %12d %14.1f\n", w, ms, kb / 1024.0, c, c / s / 1e6 }'
done
echo "(best of $runs runs, whole process incl. start-up, compile and report; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
