#!/usr/bin/env python3
"""Plots of one qcsim run, from its JSON report (qcsim run --json FILE, schema qcsim.report/1):

  PREFIX-roofline.png  a roofline per operator: operational intensity (MACs per DRAM byte, read +
                       written) against achieved TOPS (2 x MACs over the operator's cycles at the
                       chip's clock), under the chip's compute roof (chip.peak_tops) and DRAM roof
                       (chip.dram_peak_gb_per_s x intensity x 2 ops per MAC). Points are coloured by
                       the operator's limited_by and sized by its share of the run. Operators with
                       no MACs (vector-unit only) are not drawn (they are counted in the title);
                       operators that moved no DRAM byte are drawn at the right edge (triangles).
  PREFIX-layers.png    stacked cycles per layer (by_layer order): each operator's exclusive_cycles
                       (they partition the run) stacked by its limited_by.

usage: scripts/plot_run.py REPORT.json [--out PREFIX] [--title TEXT]
  PREFIX defaults to REPORT without .json. Needs Debian's python3-matplotlib (about 155 MB with
  its dependencies, so not installed by setup.sh): when it is missing the script says so and
  installs it with apt-get (as root, or through sudo); --no-install only prints the command.
README "Plots of a run" shows both plots for MobileNeXt-1.0 and BERT-base.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

DEBIAN_PYTHON = "/usr/bin/python3"
COLOURS = {
    "mac_array": "#1f77b4",
    "vector_unit": "#2ca02c",
    "dma": "#9467bd",
    "dram": "#d62728",
    "interconnect": "#8c564b",
    "latency": "#7f7f7f",
    "none": "#cccccc",
}


def need_matplotlib(install):
    """Imports matplotlib (Agg), from Debian's python3 if this interpreter lacks it, installing
    python3-matplotlib when asked to."""
    try:
        import matplotlib  # noqa: F401
        return
    except ImportError:
        pass
    # Debian's package is for Debian's interpreter: another python3 (a venv, pyenv) re-runs us
    # there when that one has it.
    if os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON) and os.path.exists(
            DEBIAN_PYTHON):
        if subprocess.call([DEBIAN_PYTHON, "-c", "import matplotlib"],
                           stderr=subprocess.DEVNULL) == 0:
            os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", "python3-matplotlib"]
    if os.geteuid() != 0:
        cmd = ["sudo"] + cmd
    msg = ("plot_run: matplotlib is missing. It comes from Debian's python3-matplotlib (about "
           "155 MB with its dependencies, so scripts/setup.sh does not install it).")
    if not install or not shutil.which(cmd[0]):
        sys.exit(msg + "\nInstall it with: " + " ".join(cmd))
    print(msg + "\nplot_run: installing it now: " + " ".join(cmd), file=sys.stderr)
    if subprocess.call(cmd, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive")) != 0:
        sys.exit("plot_run: the install failed; run it yourself: " + " ".join(cmd))
    os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)


def load_report(path):
    try:
        with open(path) as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"plot_run: {path}: $: expected a qcsim JSON report ({e})")
    if r.get("schema") != "qcsim.report/1":
        sys.exit(f"plot_run: {path}: schema: expected \"qcsim.report/1\", found "
                 f"{json.dumps(r.get('schema'))}")
    return r


def roofline(r, out, title):
    import matplotlib.pyplot as plt
    chip = r["chip"]
    hz = chip["clock_mhz"] * 1e6
    peak = chip["peak_tops"]
    bw = chip["dram_peak_gb_per_s"]  # GB/s
    pts, no_macs = [], 0
    for o in r["ops"]:
        if o["macs"] == 0 or o["cycles"] == 0:
            no_macs += o["macs"] == 0
            continue
        dram = o["dram_bytes_read"] + o["dram_bytes_written"]
        tops = 2.0 * o["macs"] / (o["cycles"] / hz) / 1e12
        pts.append((o["macs"] / dram if dram else None, tops, o["limited_by"], o["share"]))
    finite = [p[0] for p in pts if p[0] is not None]
    ridge = peak * 1e12 / (2.0 * bw * 1e9)  # MACs per byte where the roofs meet
    lo = min(finite + [ridge]) / 4 if finite else ridge / 100
    hi = max(finite + [ridge]) * 4 if finite else ridge * 100
    fig, ax = plt.subplots(figsize=(8, 5.2), dpi=110)
    xs = [lo, ridge, hi]
    ax.plot(xs, [min(peak, 2 * x * bw / 1e3) for x in xs], color="black", lw=1.5)
    ax.text(hi, peak * 1.06, f"compute {peak:.2f} TOPS", ha="right", va="bottom", fontsize=8)
    ax.text(lo * 1.1, 2 * lo * 1.1 * bw / 1e3 * 1.15, f"DRAM {bw:.1f} GB/s", rotation=0,
            ha="left", va="bottom", fontsize=8)
    seen = []
    for x, y, lim, share in pts:
        edge = x is None
        if lim not in seen:
            seen.append(lim)
        ax.scatter(hi / 1.3 if edge else x, y, s=12 + 900 * share, marker=">" if edge else "o",
                   color=COLOURS.get(lim, "#17becf"), alpha=0.75, edgecolors="white",
                   linewidths=0.5)
    # Legend entries of one size (the points' sizes are their shares of the run).
    for lim in seen:
        ax.scatter([], [], s=40, color=COLOURS.get(lim, "#17becf"), alpha=0.75, label=lim)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ys = [p[1] for p in pts] or [peak]
    ax.set_ylim(min(ys) / 3, peak * 2)
    ax.set_xlabel("operational intensity (MACs per DRAM byte)")
    ax.set_ylabel("achieved TOPS (2 ops per MAC)")
    ax.set_title(f"{title}: roofline per operator"
                 + (f" ({no_macs} vector-only operators not shown)" if no_macs else ""),
                 fontsize=10)
    ax.grid(True, which="both", lw=0.3, alpha=0.5)
    ax.legend(title="limited by (size: share of the run)", fontsize=8, title_fontsize=8,
              loc="lower right")
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def layers(r, out, title):
    import matplotlib.pyplot as plt
    order = [g["layer"] for g in r["by_layer"]]
    kinds = [k for k in COLOURS if any(o["limited_by"] == k for o in r["ops"])]
    kinds += sorted({o["limited_by"] for o in r["ops"]} - set(kinds))
    cyc = {(l, k): 0 for l in order for k in kinds}
    for o in r["ops"]:
        cyc[(o["layer"], o["limited_by"])] += o["exclusive_cycles"]
    fig, ax = plt.subplots(figsize=(max(8, 0.32 * len(order) + 2), 5.2), dpi=110)
    bottom = [0] * len(order)
    for k in kinds:
        v = [cyc[(l, k)] for l in order]
        ax.bar(range(len(order)), v, bottom=bottom, color=COLOURS.get(k, "#17becf"), label=k,
               width=0.8)
        bottom = [b + x for b, x in zip(bottom, v)]
    ax.set_xticks(range(len(order)))
    ax.set_xticklabels(order, rotation=90, fontsize=7)
    ax.set_ylabel("cycles (exclusive, NN-core clock)")
    ax.set_title(f"{title}: cycles per layer by limiting resource "
                 f"({r['summary']['cycles']:,} cycles in all)", fontsize=10)
    ax.legend(title="limited by", fontsize=8, title_fontsize=8)
    ax.grid(True, axis="y", lw=0.3, alpha=0.5)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report")
    ap.add_argument("--out", help="output prefix (default: REPORT without .json)")
    ap.add_argument("--title", help="plot title (default: workload on chip)")
    ap.add_argument("--no-install", action="store_true",
                    help="do not install python3-matplotlib when it is missing")
    a = ap.parse_args()
    r = load_report(a.report)
    need_matplotlib(not a.no_install)
    import matplotlib
    matplotlib.use("Agg")
    prefix = a.out or (a.report[:-5] if a.report.endswith(".json") else a.report)
    title = a.title or f"{r['workload']['name']} on {r['chip']['name']}"
    roofline(r, prefix + "-roofline.png", title)
    layers(r, prefix + "-layers.png", title)
    print(f"plot_run: wrote {prefix}-roofline.png and {prefix}-layers.png")


if __name__ == "__main__":
    main()
