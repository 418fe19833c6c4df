#!/usr/bin/env bash
# Speed and memory of qcsim on whole networks: wall time, peak resident memory and simulated
# cycles per wall-clock second of `qcsim run`, best of N runs per workload. Figures go in
# README ("Speed"); tests never assert on wall time.
#   scripts/bench.sh [-n RUNS] [--phases] [--baseline REF [--baseline-patch FILE]] [WORKLOAD ...]
#     (default: mobilenext mobilenetv2, 5 runs)
# A WORKLOAD of the form scenario:FILE times `qcsim scenario FILE` instead (e.g.
# scenario:configs/scenarios/city-50x1080p.json, 1 simulated second after a 0.2 s warm-up); its
# "sim cycles" column is then the simulated microseconds (warm-up included), and a second line
# gives the wall time per simulated second. A WORKLOAD of the
# form sweep:FILE times `qcsim sweep FILE` into a fresh directory; its "sim cycles" column is
# then the number of runs, and "Mcycles/s" reads as runs per wall millisecond / 1000.
# --baseline REF compares build/qcsim with another build: REF is a path to a qcsim binary, or a
# git commit or branch, which is built (Release) in a temporary worktree and directory that are
# removed afterwards. Both binaries run the same workloads the same number of times, alternating,
# and the script prints per workload wall(current), wall(baseline) and their ratio.
# --phases also prints the median compile and simulate times of each binary (`qcsim run --times`),
# and their ratio: the in-process figures, without start-up and report. A baseline older than
# --times gets it from --baseline-patch FILE, applied to its worktree before the build
# (scripts/bench/2bd8e59-times.patch adds it to commit 2bd8e59).
# QCSIM_BIN=path overrides the current binary (default build/qcsim, built by setup.sh if absent).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
baseline=""
patch=""
phases=0
workloads=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --baseline-patch) patch=$(realpath "$2"); shift 2 ;;
    --phases) phases=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench: unknown option $1" >&2; exit 2 ;;
    *) workloads+=("$1"); shift ;;
  esac
done
[ ${#workloads[@]} -gt 0 ] || workloads=(mobilenext mobilenetv2)

cur_bin=${QCSIM_BIN:-build/qcsim}
if [ -z "${QCSIM_BIN:-}" ] && [ ! -x build/qcsim ]; then scripts/setup.sh >/dev/null; fi
[ -x "$cur_bin" ] || { echo "bench: $cur_bin is not an executable" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)"; exit 2; }
tmp=$(mktemp -d)
worktree=""
cleanup() {
  if [ -n "$worktree" ]; then git worktree remove --force "$worktree" >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# The baseline binary: a file, or a git revision built in a temporary worktree.
base_bin=""
base_label=""
if [ -n "$baseline" ]; then
  if [ -f "$baseline" ] && [ -x "$baseline" ]; then
    base_bin=$(realpath "$baseline")
    base_label=$baseline
  elif rev=$(git rev-parse --verify --quiet "$baseline^{commit}"); then
    worktree="$tmp/src"
    base_label="$baseline ($(git rev-parse --short "$rev"))"
    echo "bench: building $base_label in a temporary worktree (Release)..." >&2
    git worktree add --detach --quiet "$worktree" "$rev"
    if [ -n "$patch" ]; then git -C "$worktree" apply "$patch"; fi
    cmake -S "$worktree" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$tmp/build" -j"$(nproc)" --target qcsim >/dev/null
    base_bin="$tmp/build/qcsim"
  else
    echo "bench: --baseline $baseline is neither an executable file nor a git commit or branch" >&2
    exit 2
  fi
fi

# measure BIN WORKLOAD TAG: one run; keeps the best wall time (us) and peak RSS (KiB) in
# best_us[TAG] and best_kb[TAG], and the simulated cycles in cycles[TAG].
declare -A best_us best_kb cycles has_times
for tag in cur base; do has_times[$tag]=0; done
if [ "$phases" = 1 ]; then
  "$cur_bin" run --help 2>/dev/null | grep -q -- '--times' && has_times[cur]=1
  [ -z "$base_bin" ] || { "$base_bin" run --help 2>/dev/null | grep -q -- '--times' && has_times[base]=1; }
fi
# phase_medians TAG: "compile simulate" medians (ms) of the runs' `times:` lines, or "n/a n/a".
phase_medians() {
  python3 - "$tmp/err.$1" <<'PY'
import re, statistics, sys
c, s = [], []
try:
    for line in open(sys.argv[1]):
        m = re.search(r"compile ([0-9.]+) ms, simulate ([0-9.]+) ms", line)
        if m:
            c.append(float(m.group(1))); s.append(float(m.group(2)))
except FileNotFoundError:
    pass
print(f"{statistics.median(c):.2f} {statistics.median(s):.2f}" if c else "n/a n/a")
PY
}
measure() {
  local bin=$1 w=$2 tag=$3 t0 t1 kb us
  local extra=()
  if [ "$phases" = 1 ] && [ "${has_times[$tag]}" = 1 ]; then extra=(--times); fi
  t0=$(date +%s%N)
  if [[ "$w" == sweep:* ]]; then
    rm -rf "$tmp/sweep.$tag"
    /usr/bin/time -f '%M' -o "$tmp/time.$tag" "$bin" sweep "${w#sweep:}" --out "$tmp/sweep.$tag" \
      2>>"$tmp/err.$tag" >/dev/null
    python3 -c 'import sys; n = sum(1 for _ in open(sys.argv[1])) - 1
print("{\"summary\": {\"cycles\": %d}}" % n)' "$tmp/sweep.$tag/results.csv" > "$tmp/r.$tag.json"
  elif [[ "$w" == scenario:* ]]; then
    /usr/bin/time -f '%M' -o "$tmp/time.$tag" "$bin" scenario "${w#scenario:}" --quiet \
      --json "$tmp/r.$tag.json" 2>>"$tmp/err.$tag"
  else
    /usr/bin/time -f '%M' -o "$tmp/time.$tag" "$bin" run --quiet --workload "$w" \
      --json "$tmp/r.$tag.json" "${extra[@]}" 2>>"$tmp/err.$tag"
  fi
  t1=$(date +%s%N)
  read -r kb < "$tmp/time.$tag"
  us=$(( (t1 - t0) / 1000 ))
  if [ -z "${best_us[$tag]:-}" ] || [ "$us" -lt "${best_us[$tag]}" ]; then best_us[$tag]=$us; fi
  if [ -z "${best_kb[$tag]:-}" ] || [ "$kb" -lt "${best_kb[$tag]}" ]; then best_kb[$tag]=$kb; fi
  cycles[$tag]=$(python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
s = j.get("scenario")
print(round((s["duration_s"] + s["warmup_s"]) * 1e6) if s else j["summary"]["cycles"])' "$tmp/r.$tag.json" 2>/dev/null ||
                 grep -m1 '"cycles"' "$tmp/r.$tag.json" | tr -dc '0-9')
}

if [ -z "$base_bin" ]; then
  printf '%-34s %10s %10s %12s %14s\n' workload "wall ms" "peak MiB" "sim cycles" "Mcycles/s"
else
  printf '%-34s %12s %12s %8s %12s %12s\n' workload "current ms" "baseline ms" ratio \
    "cycles" "base cycles"
fi
for w in "${workloads[@]}"; do
  best_us=(); best_kb=(); cycles=()
  rm -f "$tmp/err.cur" "$tmp/err.base"
  for _ in $(seq "$runs"); do
    measure "$cur_bin" "$w" cur
    # Alternating the two binaries spreads the machine's drift over both.
    [ -z "$base_bin" ] || measure "$base_bin" "$w" base
  done
  if [ -z "$base_bin" ]; then
    awk -v w="$w" -v us="${best_us[cur]}" -v kb="${best_kb[cur]}" -v c="${cycles[cur]}" 'BEGIN {
      ms = int(us / 1000); s = (ms > 0 ? ms : 1) / 1000.0;
      printf "%-34s %10d %10.1f %12d %14.1f\n", w, ms, kb / 1024.0, c, c / s / 1e6 }'
    # A scenario's figure of merit: wall time per simulated second (warm-up included).
    [[ "$w" != scenario:* ]] || awk -v us="${best_us[cur]}" -v c="${cycles[cur]}" 'BEGIN {
      printf "  %.2f s of wall time per simulated second (%.1f simulated s)\n", us / c, c / 1e6 }'
  else
    awk -v w="$w" -v a="${best_us[cur]}" -v b="${best_us[base]}" -v ca="${cycles[cur]}" \
        -v cb="${cycles[base]}" 'BEGIN {
      printf "%-34s %12.1f %12.1f %8.3f %12d %12d%s\n", w, a / 1000.0, b / 1000.0, a / b, ca, cb,
             (ca == cb ? "" : "  (simulated cycles differ)") }'
  fi
  if [ "$phases" = 1 ]; then
    read -r cc cs < <(phase_medians cur)
    line="  phases (median ms): current compile $cc, simulate $cs"
    if [ -n "$base_bin" ]; then
      read -r bc bs < <(phase_medians base)
      line="$line; baseline compile $bc, simulate $bs"
      if [ "$bc" != n/a ] && [ "$cc" != n/a ]; then
        line="$line; compile+simulate ratio $(awk -v a="$cc" -v b="$cs" -v c="$bc" -v d="$bs" \
          'BEGIN { printf "%.3f", (a + b) / (c + d) }')"
      fi
    fi
    echo "$line"
  fi
done
echo "(best of $runs runs, whole process incl. start-up, compile and report; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
[ -z "$base_bin" ] || echo "(ratio = current / baseline wall time: below 1 is faster; baseline: $base_label)"
