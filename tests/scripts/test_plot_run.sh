#!/usr/bin/env bash
# Smoke test of scripts/plot_run.py: on a real report (MobileNeXt-0.5 on the reference chip) it
# writes both PNGs; on a file that is not a report it fails naming the file. Skipped (exit 77,
# ctest SKIP_RETURN_CODE) when no python3 here has matplotlib (Debian's python3-matplotlib is
# optional: scripts/plot_run.py installs it on first use).
#   tests/scripts/test_plot_run.sh QCSIM_BIN SOURCE_DIR
set -euo pipefail
qcsim=$1 src=$2
if ! python3 -c "import matplotlib" 2>/dev/null && ! /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  echo "SKIP: matplotlib is not installed (Debian python3-matplotlib, optional; scripts/plot_run.py installs it)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$qcsim" run -q -w mobilenext:width=0.5 --json "$tmp/r.json"
python3 "$src/scripts/plot_run.py" --no-install "$tmp/r.json" --out "$tmp/p"
for f in "$tmp/p-roofline.png" "$tmp/p-layers.png"; do
  [ -s "$f" ] || { echo "FAIL: $f not written"; exit 1; }
  [ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] ||
    { echo "FAIL: $f is not a PNG"; exit 1; }
done
echo '{"schema": "qcsim.scenario_report/1"}' > "$tmp/bad.json"
if python3 "$src/scripts/plot_run.py" --no-install "$tmp/bad.json" 2>"$tmp/err"; then
  echo "FAIL: a scenario report was accepted"; exit 1
fi
grep -q "bad.json: schema" "$tmp/err" || { echo "FAIL: message:"; cat "$tmp/err"; exit 1; }
echo "PASS"
