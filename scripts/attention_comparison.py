#!/usr/bin/env python3
"""Prints README's ConvBERT-base vs BERT-base comparison (Markdown) from qcsim's JSON reports.

    scripts/attention_comparison.py [--chip FILE]     (QCSIM_BUILD=DIR picks the build, default build/)

Every number comes from `qcsim run --json` on the chip given (default: the reference chip).
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parent.parent
qcsim = root / os.environ.get("QCSIM_BUILD", "build") / "qcsim"
chip = sys.argv[sys.argv.index("--chip") + 1] if "--chip" in sys.argv else ""


def run(workload):
    with tempfile.TemporaryDirectory() as d:
        out = pathlib.Path(d) / "r.json"
        cmd = [str(qcsim), "run", "--quiet", "--workload", workload, "--json", str(out)]
        if chip:
            cmd += ["--chip", chip]
        subprocess.run(cmd, check=True)
        return json.loads(out.read_text())


def mb(b):
    return "%.1f MB" % (b / 1e6)


rows = []
for seq in (128, 512):
    for net in ("bert", "convbert"):
        rows.append((net, seq, run("%s:preset=base,seq=%d" % (net, seq))))

print("| network | T | MACs | cycles | latency | eff. TOPS | MAC util. | DRAM read + written | energy |")
print("|---|---|---|---|---|---|---|---|---|")
for net, seq, r in rows:
    s = r["summary"]
    print("| %s-base | %d | %.2fG | %s | %.2f ms | %.2f | %.1f %% | %s | %.0f µJ |" % (
        "ConvBERT" if net == "convbert" else "BERT", seq, s["macs"] / 1e9,
        format(s["cycles"], ","), s["latency_ms"], s["effective_tops"],
        100 * s["mac_utilisation"], mb(s["dram_bytes_read"] + s["dram_bytes_written"]),
        s["energy_uj"]))
print()
print("Five most expensive operator types (share of cycles, `--group-by type`):")
print()
print("| network | T | 1 | 2 | 3 | 4 | 5 |")
print("|---|---|---|---|---|---|---|")
for net, seq, r in rows:
    top = r["by_type"][:5]
    cells = ["%s %.1f %%" % (g["type"], 100 * g["share"]) for g in top]
    print("| %s-base | %d | %s |" % ("ConvBERT" if net == "convbert" else "BERT", seq,
                                     " | ".join(cells)))
