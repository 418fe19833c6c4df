#!/usr/bin/env python3
"""Prints README's sensitivity table: each architecture knob doubled and halved, one at a time,
on MobileNeXt-1.0 and BERT-base (T = 128) on the reference chip and MobileNeXt-1.0 on the edge
chip, with latency (time, not cycles: a faster clock adds cycles of DRAM latency), energy,
average power and area relative to the unchanged chip.

    scripts/sensitivity.py [--markdown]     (QCSIM_BUILD=DIR picks the build, default build/)

Every number comes from `qcsim run --json`.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parent.parent
qcsim = root / os.environ.get("QCSIM_BUILD", "build") / "qcsim"

CASES = [("MobileNeXt-1.0, reference", "", "mobilenext"),
         ("BERT-base T=128, reference", "", "bert:preset=base,seq=128"),
         ("MobileNeXt-1.0, edge", "configs/edge.json", "mobilenext")]


def effective(chip):
    with tempfile.TemporaryDirectory() as d:
        out = pathlib.Path(d) / "c.json"
        cmd = [str(qcsim), "run", "--quiet", "--workload", "mobilenext:resolution=32",
               "--dump-config", str(out)]
        if chip:
            cmd += ["--chip", str(root / chip)]
        subprocess.run(cmd, check=True)
        return json.loads(out.read_text())


def run(chip, workload, sets):
    with tempfile.TemporaryDirectory() as d:
        out = pathlib.Path(d) / "r.json"
        cmd = [str(qcsim), "run", "--quiet", "--workload", workload, "--json", str(out)]
        if chip:
            cmd += ["--chip", str(root / chip)]
        for s in sets:
            cmd += ["--set", s]
        subprocess.run(cmd, check=True)
        return json.loads(out.read_text())


def knobs(cfg):
    """(label, [(key, value) for doubled], [(key, value) for halved])."""
    def get(path):
        v = cfg
        for p in path.split("."):
            v = v[p]
        return v
    out = []
    for key in ("mac_array.rows", "mac_array.cols", "cores", "vector_unit.lanes",
                "scratchpad.banks", "scratchpad.bank_bytes", "dma.engines", "dram.channels",
                "dram.mt_per_s", "clock_mhz"):
        v = get(key)
        half = v / 2 if isinstance(v, float) else v // 2
        if not isinstance(v, float) and half < 1:
            half = None
        out.append((key, [(key, v * 2)], [(key, half)] if half else None))
    return out


def fmt_delta(x, base):
    return "%+.1f %%" % (100.0 * (x / base - 1)) if base else "-"


for title, chip, workload in CASES:
    cfg = effective(chip)
    base = run(chip, workload, [])
    b = base["summary"]
    print("\n**%s**: %.3f ms (%s cycles), %.1f µJ, %.2f W, %.1f mm²\n" % (
        title, b["latency_ms"], format(b["cycles"], ","), b["energy_uj"], b["avg_power_w"],
        base["chip"]["area_mm2"]))
    print("| knob | ×2 latency | ×2 energy | ×2 power | ×2 area | ×½ latency | ×½ energy | "
          "×½ power | ×½ area |")
    print("|---|---|---|---|---|---|---|---|---|")
    for key, dbl, hlf in knobs(cfg):
        cells = []
        for variant in (dbl, hlf):
            if not variant:
                cells += ["n/a"] * 4
                continue
            r = run(chip, workload, ["%s=%s" % (k, v) for k, v in variant])
            s = r["summary"]
            cells += [fmt_delta(s["latency_ms"], b["latency_ms"]),
                      fmt_delta(s["energy_uj"], b["energy_uj"]),
                      fmt_delta(s["avg_power_w"], b["avg_power_w"]),
                      fmt_delta(r["chip"]["area_mm2"], base["chip"]["area_mm2"])]
        print("| `%s` | %s |" % (key, " | ".join(cells)))
