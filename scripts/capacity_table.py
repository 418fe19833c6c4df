#!/usr/bin/env python3
"""README's "Video analytics" capacity table: `qcsim scenario --find-capacity` on the bundled
scenarios, and how the answer moves with one knob at a time. Every row is one search (a few
minutes each on 2 cores); prints a Markdown table.

    scripts/capacity_table.py [--build DIR] [--jobs N] [--duration S] [--only SUBSTRING]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITY = "configs/scenarios/city-50x1080p.json"
EDGE = "configs/scenarios/edge-box-4x1080p.json"

# (label, scenario, scenario --set, chip --chip-set)
ROWS = [
    ("reference chip (3 decoder engines)", CITY, [], []),
    ("8 decoder engines", CITY, [], ["video_decoder.engines=8"]),
    ("8 engines, reference-cache hit rate 0 (no cache)", CITY, [],
     ["video_decoder.engines=8", "video_decoder.cache_hit_rate=0"]),
    ("8 engines, reference-cache hit rate 0.8", CITY, [],
     ["video_decoder.engines=8", "video_decoder.cache_hit_rate=0.8"]),
    ("8 engines, detector MobileNeXt identity_div=2", CITY,
     ["pipeline[0].network=ssdlite:identity_div=2"], ["video_decoder.engines=8"]),
    ("8 engines, detector on MobileNetV2", CITY,
     ["pipeline[0].network=ssdlite:backbone=mobilenetv2"], ["video_decoder.engines=8"]),
    ("8 engines, LPDDR4-3200 (dram.mt_per_s=3200)", CITY, [],
     ["video_decoder.engines=8", "dram.mt_per_s=3200"]),
    ("8 engines, LPDDR5-6400 (dram.mt_per_s=6400)", CITY, [],
     ["video_decoder.engines=8", "dram.mt_per_s=6400"]),
    ("8 engines, Re-ID last stride 2", CITY, ["pipeline[2].network=reid:last_stride=2"],
     ["video_decoder.engines=8"]),
    ("8 engines, batches of up to 4 jobs (5 ms timeout)", CITY, ["runtime.max_batch=4"],
     ["video_decoder.engines=8"]),
    ("edge chip, edge-box scenario", EDGE, [], []),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("QCSIM_BUILD", "build"))
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--duration", default="0.5", help="simulated seconds per probe")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    qcsim = str(ROOT / a.build / "qcsim")
    print("| chip and change | scenario | capacity (streams) | saturates first (busy at capacity) "
          "| next classes at capacity | failure at +1 stream | W per stream at capacity |")
    print("|---|---|---|---|---|---|---|")
    for label, scen, sets, chip_sets in ROWS:
        if a.only and a.only not in label:
            continue
        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / "cap.json"
            cmd = [qcsim, "scenario", scen, "--find-capacity", "--jobs", a.jobs, "-q",
                   "--json", str(out), "--set", "duration_s=" + a.duration]
            for s in sets:
                cmd += ["--set", s]
            for s in chip_sets:
                cmd += ["--chip-set", s]
            subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            c = json.loads(out.read_text())
        sat = c.get("saturates_first", {})
        at = c.get("at_capacity", {})
        classes = sorted(at.get("block_classes", []), key=lambda b: -b["busy_pct_avg"])
        nxt = ", ".join(f'{b["class"]} {b["busy_pct_avg"]:.0f} %' for b in classes[1:3])
        wps = at.get("summary", {}).get("w_per_stream", 0)
        print(f'| {label} | `{Path(scen).name}` | {c["capacity_streams"]} | '
              f'{sat.get("block_class", "-")} {sat.get("busy_pct", 0):.0f} % | {nxt} | '
              f'{sat.get("failure_at_next_count", "-")} | {wps:.3f} |')
        sys.stdout.flush()


if __name__ == "__main__":
    main()
