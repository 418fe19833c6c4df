#!/usr/bin/env python3
"""Prints README's policy table (MobileNeXt-1.0 on the reference chip under each compiler policy
and timing model) and the SCALE-Sim migration table, from qcsim's JSON reports.

    scripts/readme_tables.py [policies|scalesim|fidelity|nvdla|surveillance]
                                                    (QCSIM_BUILD=DIR picks the build)

Every number comes from `qcsim run --json`; the SCALE-Sim column is SCALE-Sim v2's formula
(folds x per-fold cycles - 1 per layer), derived here from the topology CSV.
"""
import json
import math
import os
import pathlib
import subprocess
import sys
import tempfile

root = pathlib.Path(__file__).resolve().parent.parent
qcsim = root / os.environ.get("QCSIM_BUILD", "build") / "qcsim"


def run(args):
    with tempfile.TemporaryDirectory() as d:
        out = pathlib.Path(d) / "r.json"
        subprocess.run([str(qcsim), "run", "--quiet", "--json", str(out)] + args, check=True,
                       cwd=root)
        return json.loads(out.read_text())


def policies():
    rows = [
        ("MobileNeXt-1.0 (default)", []),
        ("`--set mac_array.timing=scalesim`", ["--set", "mac_array.timing=scalesim"]),
        ("`--set mac_array.double_buffer=false`", ["--set", "mac_array.double_buffer=false"]),
        ("`--set mac_array.conv_lowering=per_tap`", ["--set", "mac_array.conv_lowering=per_tap"]),
        ("`--set compiler.loop_order=weights_outer`", ["--set", "compiler.loop_order=weights_outer"]),
        ("`--set compiler.depthwise=mac_array`", ["--set", "compiler.depthwise=mac_array"]),
        ("`--set compiler.residual=vector`", ["--set", "compiler.residual=vector"]),
        ("`--workload mobilenext:identity_div=2 --set compiler.residual=vector`",
         ["--workload", "mobilenext:identity_div=2", "--set", "compiler.residual=vector"]),
        ("`--set compiler.core_split=rows`", ["--set", "compiler.core_split=rows"]),
        ("`--set compiler.keep_on_chip=false`", ["--set", "compiler.keep_on_chip=false"]),
        ("`--set compiler.barriers=every_op`", ["--set", "compiler.barriers=every_op"]),
        ("`--set interconnect.multicast_kib=64`", ["--set", "interconnect.multicast_kib=64"]),
        ("`--set dram.model=simple` (no row buffers)", ["--set", "dram.model=simple"]),
        ("`--set dram.bank_map=linear` (no bank hashing)", ["--set", "dram.bank_map=linear"]),
        ("`--workload mobilenetv2`", ["--workload", "mobilenetv2"]),
    ]
    print("| run | cycles | latency ms | effective TOPS | MAC util. | DRAM MB | energy µJ |")
    print("|---|---|---|---|---|---|---|")
    for name, args in rows:
        s = run(args)["summary"]
        print("| %s | %s | %.3f | %.2f | %.1f %% | %.2f | %.0f |" % (
            name, format(s["cycles"], ","), s["latency_ms"], s["effective_tops"],
            100 * s["mac_utilisation"], (s["dram_bytes_read"] + s["dram_bytes_written"]) / 1e6,
            s["energy_uj"]))


def scalesim_layers(csv):
    rows = []
    lines = (root / csv).read_text().splitlines()[1:]
    for line in lines:
        f = [x.strip() for x in line.split("#")[0].split(",") if x.strip()]
        if len(f) >= 8:
            rows.append((f[0],) + tuple(int(x) for x in f[1:8]))
    return rows


def scalesim_cycles(row, df, R=32, C=32):
    _, h, w, fh, fw, c, n, s = row
    oh, ow = math.ceil((h - fh + s) / s), math.ceil((w - fw + s) / s)
    win, px = fh * fw * c, oh * ow
    sr, sc, t = {"ws": (win, n, px), "os": (px, n, win), "is": (win, px, n)}[df]
    folds = math.ceil(sr / R) * math.ceil(sc / C)
    return folds * ((R if df == "os" else 2 * R) + C + t - 2) - 1


def scalesim():
    csv = "tests/data/scalesim/mobilenet.csv"
    layers = scalesim_layers(csv)
    chip = ["--chip", "configs/scalesim-32x32-ws.json", "--workload", "scalesim:" + csv]
    print("| dataflow | SCALE-Sim v2 (formula) | qcsim `scalesim`, unlimited SRAM | "
          "qcsim `scalesim`, 192 KiB | qcsim `pipelined`, 192 KiB | layers matching |")
    print("|---|---|---|---|---|---|")
    for df in ("ws", "os", "is"):
        ref = [scalesim_cycles(r, df) for r in layers]
        big = run(chip + ["--set", "mac_array.dataflow=" + df,
                          "--set", "scratchpad.bank_bytes=67108864"])
        std = run(chip + ["--set", "mac_array.dataflow=" + df])
        pip = run(chip + ["--set", "mac_array.dataflow=" + df,
                          "--set", "mac_array.timing=pipelined"])
        busy = lambda r: sum(o["mac_busy_cycles"] for o in r["ops"])
        match = sum(1 for o, c in zip(big["ops"], ref) if o["mac_busy_cycles"] == c + 1)
        b, s_, p = busy(big), busy(std), busy(pip)
        print("| %s | %s | %s | %s (%+.1f %%) | %s (%+.1f %%) | %d of %d (+1 cycle each) |" % (
            df.upper(), format(sum(ref), ","), format(b, ","), format(s_, ","),
            100 * (s_ / b - 1), format(p, ","), 100 * (p / b - 1), match, len(layers)))


GEMMINI = {
    # name: (FireSim cycles with DOSA's tiling, with Gemmini's auto tiling)
    "attn.proj_768x768": (304571, 368984), "attn.scores_64x128": (6597, 6854),
    "attn.context_128x64": (7269, 7472), "ffn.in_768x3072": (1311174, 1565908),
    "ffn.out_3072x768": (1265335, 1577878),
    "conv1_7x7_s2": (2510892, 2577642), "res2_1x1_64to64": (81473, 226179),
    "res2_3x3_64": (474867, 538764), "res2_1x1_64to256": (317705, 653902),
    "res2_1x1_256to64": (237325, 909964), "res5_3x3_512": (612986, 805890),
    "fc_2048to1000": (300642, 511246),
}


def fidelity():
    chip = ["--chip", "configs/fidelity/gemmini-16x16-ws.json"]
    sets = [("tests/data/fidelity/gemmini_bert_gemms.csv", []),
            ("tests/data/fidelity/gemmini_resnet50_convs.csv",
             ["--set", "scratchpad.bank_bytes=72704", "--set", "mac_array.accumulator_kib=224"])]
    print("| layer (Gemmini 16x16 WS) | ideal | qcsim | FireSim, DOSA tiling | error | "
          "FireSim, auto tiling | error | qcsim limited by |")
    print("|---|---|---|---|---|---|---|---|")
    for csv, extra in sets:
        r = run(chip + extra + ["--workload", "scalesim:" + csv])
        tq = tm = ta = 0
        for o in r["ops"]:
            m, a = GEMMINI[o["name"]]
            q = o["exclusive_cycles"]
            tq, tm, ta = tq + q, tm + m, ta + a
            print("| %s | %s | %s | %s | %+.1f %% | %s | %+.1f %% | %s |" % (
                o["name"], format(round(o["macs"] / 256), ","), format(q, ","), format(m, ","),
                100 * (q / m - 1), format(a, ","), 100 * (q / a - 1), o["limited_by"]))
        print("| **total** | | %s | %s | %+.1f %% | %s | %+.1f %% | |" % (
            format(tq, ","), format(tm, ","), 100 * (tq / tm - 1), format(ta, ","),
            100 * (tq / ta - 1)))


NVDLA = [  # MACs, rows, cols, CBUF KB, SDRAM GB/s, estimator fps (nvdla/doc primer.rst)
    (2048, 64, 32, 512, 20, 269), (1024, 32, 32, 256, 15, 153), (512, 32, 16, 256, 10, 93),
    (256, 16, 16, 256, 5, 46), (128, 16, 8, 256, 2, 20), (64, 8, 8, 128, 1, 7.3),
    (32, 8, 4, 128, 0.5, 3.6)]


def nvdla():
    print("| MACs (array) | CBUF KB | SDRAM GB/s | NVDLA estimator fps | qcsim fps | error | "
          "qcsim MAC util. | qcsim DRAM GB/s |")
    print("|---|---|---|---|---|---|---|---|")
    for macs, rows, cols, kb, gbs, fps in NVDLA:
        # one channel: 64-bit from 10 GB/s up, else 16-bit; MT/s = GB/s / bytes per transfer
        bits = 64 if gbs >= 15 else (32 if gbs >= 10 else 16)
        mts = round(gbs * 1000 / (bits // 8))
        r = run(["--chip", "configs/fidelity/nvdla-2048.json",
                 "--set", "mac_array.rows=%d" % rows, "--set", "mac_array.cols=%d" % cols,
                 "--set", "scratchpad.bank_bytes=%d" % (kb * 1024 // 16),
                 "--set", "dram.mt_per_s=%d" % mts, "--set", "dram.bus_bits=%d" % bits,
                 "--workload", "scalesim:tests/data/fidelity/resnet50_v1.csv"])
        s = r["summary"]
        q = 1e3 / s["latency_ms"]
        print("| %d (%dx%d) | %d | %g | %g | %.1f | %+.1f %% | %.1f %% | %.1f |" % (
            macs, rows, cols, kb, gbs, fps, q, 100 * (q / fps - 1), 100 * s["mac_utilisation"],
            s["dram_gb_per_s"]))


def limiting(rep):
    """The resource that limited most of the run: `limited_by` of each operator (its kind, not
    its percentage) weighted by its exclusive cycles, with that share."""
    total = {}
    for o in rep["ops"]:
        k = o["limited_by"].split()[0]
        total[k] = total.get(k, 0) + o["exclusive_cycles"]
    k = max(sorted(total), key=lambda n: total[n])
    return "%s %.0f %%" % (k, 100 * total[k] / rep["summary"]["cycles"])


def surveillance():
    rows = [
        ("SSDLite-MobileNeXt, VOC", "ssdlite"),
        ("SSDLite-MobileNeXt, COCO", "ssdlite:config=coco"),
        ("SSDLite-MobileNetV2, VOC", "ssdlite:backbone=mobilenetv2"),
        ("Re-ID ResNet-50, last stride 1", "reid"),
        ("Re-ID ResNet-50, last stride 2", "reid:last_stride=2"),
        ("MobileFaceNet", "mobilefacenet"),
        ("MBF (MobileFaceNet, scale 2)", "mobilefacenet:scale=2"),
        ("ResNet-50, ImageNet 224", "resnet50"),
    ]
    print("| network | `--workload` | MACs | cycles | latency ms | eff. TOPS | MAC util. | "
          "DRAM MB | energy µJ | mostly limited by |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, spec in rows:
        r = run(["--workload", spec])
        s = r["summary"]
        print("| %s | `%s` | %.1fM | %s | %.3f | %.2f | %.1f %% | %.2f | %.0f | %s |" % (
            name, spec, s["macs"] / 1e6, format(s["cycles"], ","), s["latency_ms"],
            s["effective_tops"], 100 * s["mac_utilisation"],
            (s["dram_bytes_read"] + s["dram_bytes_written"]) / 1e6, s["energy_uj"], limiting(r)))
    print()
    print("| vector lanes | backbone | cycles | DRAM MB | energy µJ | depthwise ops | "
          "depthwise vector-unit cycles (Σ cores) |")
    print("|---|---|---|---|---|---|---|")
    for lanes in (64, 128, 256):
        for bb in ("mobilenext", "mobilenetv2"):
            r = run(["--workload", "ssdlite:backbone=" + bb, "--set",
                     "vector_unit.lanes=%d" % lanes])
            s = r["summary"]
            dw = [o for o in r["ops"] if "depthwise" in o["type"]]
            print("| %d | %s | %s | %.2f | %.0f | %d | %s |" % (
                lanes, bb, format(s["cycles"], ","),
                (s["dram_bytes_read"] + s["dram_bytes_written"]) / 1e6, s["energy_uj"], len(dw),
                format(sum(o["vector_busy_cycles"] for o in dw), ",")))


what = sys.argv[1] if len(sys.argv) > 1 else "policies"
{"policies": policies, "scalesim": scalesim, "fidelity": fidelity, "nvdla": nvdla,
 "surveillance": surveillance}[what]()
