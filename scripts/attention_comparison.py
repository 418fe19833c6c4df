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

print()
print("Head ratio γ (`convbert:seq=512,head_ratio=G`):")
print()
print("| γ | MACs | cycles | DRAM | energy µJ | Q·Kᵀ + P·V + softmax | dynamic conv |")
print("|---|---|---|---|---|---|---|")
for g in (1, 2, 3, 4, 6):
    r = run("convbert:preset=base,seq=512,head_ratio=%d" % g)
    s = r["summary"]
    share = {t["type"]: t["share"] for t in r["by_type"]}
    attn = share.get("batch_matmul", 0) + share.get("softmax", 0)
    print("| %d%s | %.2fG | %s | %s | %s | %.1f %% | %.1f %% |" % (
        g, " (published)" if g == 2 else "", s["macs"] / 1e9, format(s["cycles"], ","),
        mb(s["dram_bytes_read"] + s["dram_bytes_written"]), format(round(s["energy_uj"]), ","),
        100 * attn, 100 * share.get("dynamic_conv1d", 0)))

print()
print("Fused attention (`--set compiler.attention=fused`):")
print()
print("| workload | attention | cycles | eff. TOPS | DRAM | energy µJ |")
print("|---|---|---|---|---|---|")
for net, seq in (("bert", 128), ("bert", 512), ("convbert", 512)):
    for pol in ("separate", "fused"):
        global_chip = chip
        with tempfile.TemporaryDirectory() as d:
            out = pathlib.Path(d) / "r.json"
            cmd = [str(qcsim), "run", "--quiet", "--workload", "%s:preset=base,seq=%d" % (net, seq),
                   "--set", "compiler.attention=" + pol, "--json", str(out)]
            if chip:
                cmd += ["--chip", chip]
            subprocess.run(cmd, check=True)
            s = json.loads(out.read_text())["summary"]
        print("| %s-base, T = %d | %s | %s | %.2f | %s | %s |" % (
            "ConvBERT" if net == "convbert" else "BERT", seq, pol, format(s["cycles"], ","),
            s["effective_tops"], mb(s["dram_bytes_read"] + s["dram_bytes_written"]),
            format(round(s["energy_uj"]), ",")))
