#!/usr/bin/env bash
# Smoke test of scripts/plot_sweep.py (docs/sweep.md "Plots"): a four-point sweep, then the
# script on its directory must write its three PNGs (PNG files, not empty), the same bytes on a
# second run, and refuse a directory without results (exit 2). Skipped (exit 77, ctest's
# SKIP_RETURN_CODE) with the reason when no python3 with matplotlib is installed
# (scripts/setup.sh --plots installs Debian's python3-matplotlib).
#
#   tests/plot/run_plot_sweep_test.sh QCSIM_BIN SOURCE_DIR
set -uo pipefail
qcsim=${1:?usage: run_plot_sweep_test.sh QCSIM_BIN SOURCE_DIR}
src=${2:?usage: run_plot_sweep_test.sh QCSIM_BIN SOURCE_DIR}

py=""
# Debian's python3 first: python3-matplotlib installs there, and another python3 (pyenv, a
# virtualenv) may come first on PATH.
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null && "$p" -c "import matplotlib" 2>/dev/null; then
    py=$p
    break
  fi
done
[ -n "$py" ] || { echo "plot-test: SKIP: no python3 with matplotlib (scripts/setup.sh --plots installs python3-matplotlib)"; exit 77; }

tmp=$(mktemp -d /tmp/qcsim-plot.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "plot-test: FAIL: $*"; exit 1; }

cat >"$tmp/spec.json" <<'SPEC'
{"schema": "qcsim.sweep/1", "name": "plot-test",
 "workloads": [{"spec": "mobilenext:resolution=64"}],
 "parameters": [{"path": "dram.channels", "values": [1, 2]},
                {"path": "vector_unit.lanes", "values": [32, 64]}],
 "objectives": ["cycles", "energy_uj", "area_mm2"]}
SPEC
"$qcsim" sweep "$tmp/spec.json" --out "$tmp/sweep" --jobs 2 >/dev/null 2>&1 || fail "the sweep failed"
"$py" "$src/scripts/plot_sweep.py" "$tmp/sweep" --out "$tmp/a" || fail "plot_sweep.py failed"
"$py" "$src/scripts/plot_sweep.py" "$tmp/sweep" --out "$tmp/b" --pair cycles,energy_uj >/dev/null ||
  fail "plot_sweep.py --pair failed"
for f in pareto_cycles_energy_uj.png sensitivity.png type_cycles.png; do
  [ -s "$tmp/a/$f" ] || fail "$f not written"
  [ "$(head -c 8 "$tmp/a/$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$f is not a PNG"
  cmp -s "$tmp/a/$f" "$tmp/b/$f" || fail "$f differs between two runs"
done
"$py" "$src/scripts/plot_sweep.py" "$tmp/none" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || fail "a directory without results: exit $rc, expected 2"
echo "plot-test: PASS ($py: three PNGs, the same bytes twice)"
