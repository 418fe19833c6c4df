#!/usr/bin/env bash
# Renders a qcsim timeline (--timeline FILE, docs/timeline.md) to a PNG with the project's own
# static viewer (scripts/timeline_viewer.html, no network) in Debian's headless Chromium.
#   scripts/screenshot_timeline.sh [--trace FILE] [--out PNG] [--from US] [--to US] [--width PX]
# Without --trace it runs `build/qcsim run -w mobilenext --timeline` (MobileNeXt-1.0 on the
# reference chip) and, without --out, writes README's pictures: docs/img/mobilenext-timeline.png
# (the whole run) and docs/img/mobilenext-timeline-zoom.png (its first 60 µs, with the
# load -> compute arrows). Chromium is large (about 300 MB with its libraries), so setup.sh does
# not install it: this script installs Debian's `chromium` package when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
trace="" out="" from="" to="" width=1600
while [ $# -gt 0 ]; do
  case "$1" in
    --trace) trace=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --from) from=$2; shift 2 ;;
    --to) to=$2; shift 2 ;;
    --width) width=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "screenshot_timeline: unknown argument $1" >&2; exit 2 ;;
  esac
done

if ! command -v chromium >/dev/null; then
  echo "screenshot_timeline: installing Debian's chromium (about 300 MB with its libraries; not" \
       "part of scripts/setup.sh because only this script needs it)" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

shots=()
if [ -z "$trace" ]; then
  [ -x build/qcsim ] || scripts/setup.sh
  trace=$tmp/mobilenext.trace.json
  build/qcsim run -q -w mobilenext --timeline "$trace"
  if [ -z "$out" ]; then
    shots+=("docs/img/mobilenext-timeline.png||")
    shots+=("docs/img/mobilenext-timeline-zoom.png|0|60")
  fi
fi
if [ ${#shots[@]} -eq 0 ]; then
  [ -n "$out" ] || out="${trace%.json}.png"
  shots+=("$out|$from|$to")
fi

# The viewer with the trace embedded (a file:// page may not fetch another file). "</" is
# escaped so that no operator name can close the script element.
html=$tmp/timeline.html
python3 - "$trace" scripts/timeline_viewer.html "$html" <<'EOF'
import json, sys
trace, viewer, out = sys.argv[1:4]
data = open(trace).read()
json.loads(data)  # a clear error here rather than a blank picture
page = open(viewer).read().replace(
    "<!-- QCSIM_TRACE_DATA -->",
    "<script>window.QCSIM_TRACE = " + data.replace("</", "<\\/") + ";</script>")
open(out, "w").write(page)
EOF
# Page height from the trace: the bar, the axis, a row per track, a plot per counter.
height=$(python3 - "$trace" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
rows = sum(1 for e in t["traceEvents"] if e["ph"] == "M" and e["name"] == "thread_name")
counters = len({e["name"] for e in t["traceEvents"] if e["ph"] == "C"})
print(80 + 22 + 16 * rows + 34 * counters + 20)
EOF
)

for s in "${shots[@]}"; do
  IFS='|' read -r png f t <<<"$s"
  hash=""
  [ -n "$f" ] && hash="from=$f"
  [ -n "$t" ] && hash="${hash:+$hash&}to=$t"
  mkdir -p "$(dirname "$png")"
  profile=$(mktemp -d "$tmp/profile.XXXX")
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$profile" --screenshot="$png" \
    --window-size="$width,$height" "file://$html${hash:+#$hash}" >/dev/null 2>"$tmp/chromium.log" ||
    { cat "$tmp/chromium.log" >&2; exit 1; }
  [ -s "$png" ] || { echo "screenshot_timeline: chromium wrote no $png" >&2; exit 1; }
  echo "screenshot_timeline: wrote $png"
done
