#!/usr/bin/env python3
"""Plots of a qcsim sweep's results (docs/sweep.md "Plots").

    scripts/plot_sweep.py DIR [--out PLOTDIR] [--workload SPEC] [--pair A,B]

Reads DIR/results.jsonl and DIR/pareto.csv (written by `qcsim sweep` or `qcsim sweep merge`)
and writes three PNGs into PLOTDIR (default DIR/plots):

  pareto_<A>_<B>.png    every ok run of the workload, objective A against B, its Pareto front
                        (pareto.csv) highlighted and joined;
  sensitivity.png       one-parameter sensitivity: a row per objective, a column per swept
                        path; each line moves one path with every other path held at the best
                        run of the first objective (the other runs as grey dots);
  type_cycles.png       the front's runs (of A and B), their cycles stacked per operator type
                        (the rows' type_cycles), in order of A.

A and B default to the first two objectives, the workload to the first one. Needs matplotlib
(Debian python3-matplotlib: `scripts/setup.sh --plots`); with Debian's python run it as
`/usr/bin/python3 scripts/plot_sweep.py DIR` if another python3 comes first on PATH. The PNGs
are the same bytes for the same results (no timestamp or version in them).
"""

import argparse
import csv
import json
import os
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.stderr.write(
        "plot_sweep.py: needs matplotlib, not found for %s: install Debian's python3-matplotlib "
        "(scripts/setup.sh --plots) and run it with Debian's python3 (/usr/bin/python3)\n"
        % sys.executable
    )
    sys.exit(2)

# Deterministic PNG bytes: no software version or date in the metadata, a fixed hash salt.
SAVE = {"dpi": 90, "metadata": {"Software": None}, "bbox_inches": "tight"}
matplotlib.rcParams["svg.hashsalt"] = "qcsim"
matplotlib.rcParams["font.size"] = 8


def fail(msg):
    sys.stderr.write("plot_sweep.py: error: %s\n" % msg)
    sys.exit(2)


def read_rows(d):
    path = os.path.join(d, "results.jsonl")
    if not os.path.isfile(path):
        fail("%s: no such file (run qcsim sweep SPEC --out %s first)" % (path, d))
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.endswith("\n"):
                break  # a line being written or cut by a kill, as qcsim sweep reads it
            try:
                r = json.loads(line)
            except ValueError:
                fail("%s: line %d: expected a result line of qcsim sweep" % (path, n))
            if not isinstance(r, dict) or "id" not in r or "point" not in r:
                fail("%s: line %d: expected a result line of qcsim sweep" % (path, n))
            rows.append(r)
    rows.sort(key=lambda r: r.get("index", 0))
    return rows


def read_front(d, workload, a, b):
    path = os.path.join(d, "pareto.csv")
    if not os.path.isfile(path):
        fail("%s: no such file (qcsim sweep writes it at the end of a sweep)" % path)
    with open(path, encoding="utf-8", newline="") as f:
        return [
            r["id"]
            for r in csv.DictReader(f)
            if r["workload"] == workload and r["objective_a"] == a and r["objective_b"] == b
        ]


def numeric(values):
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def safe(name):
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def pareto_plot(ok, front_ids, a, b, workload, out):
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    front = sorted((r for r in ok if r["id"] in front_ids), key=lambda r: r["objectives"][a])
    rest = [r for r in ok if r["id"] not in front_ids]
    ax.scatter([r["objectives"][a] for r in rest], [r["objectives"][b] for r in rest],
               s=14, color="0.65", label="dominated (%d)" % len(rest))
    ax.plot([r["objectives"][a] for r in front], [r["objectives"][b] for r in front],
            "o-", color="tab:red", ms=5, lw=1.2, label="Pareto front (%d)" % len(front))
    for r in front:
        ax.annotate(r["id"].split("-")[0], (r["objectives"][a], r["objectives"][b]),
                    textcoords="offset points", xytext=(4, 3), fontsize=6, color="tab:red")
    ax.set_xlabel(a + " (lower is better)")
    ax.set_ylabel(b + " (lower is better)")
    ax.set_title("%s: %s vs %s" % (workload, a, b))
    ax.grid(True, lw=0.3)
    ax.legend(loc="best", fontsize=7)
    fig.tight_layout()
    fig.savefig(out, **SAVE)
    plt.close(fig)


def sensitivity_plot(ok, paths, objectives, workload, out):
    first = objectives[0]
    base = min(ok, key=lambda r: (r["objectives"][first], r.get("index", 0)))
    fig, axes = plt.subplots(len(objectives), len(paths), squeeze=False,
                             figsize=(2.4 * len(paths) + 0.6, 1.9 * len(objectives) + 0.7))
    for c, p in enumerate(paths):
        values = []
        for r in ok:
            if r["point"][p] not in values:
                values.append(r["point"][p])
        is_num = numeric(values)
        if is_num:
            values.sort()
        pos = {json.dumps(v): i for i, v in enumerate(values)}
        xof = (lambda v: v) if is_num else (lambda v: pos[json.dumps(v)])
        line = sorted(
            (r for r in ok if all(r["point"][q] == base["point"][q] for q in paths if q != p)),
            key=lambda r: values.index(r["point"][p]))
        for k, o in enumerate(objectives):
            ax = axes[k][c]
            ax.scatter([xof(r["point"][p]) for r in ok], [r["objectives"][o] for r in ok],
                       s=6, color="0.75")
            ax.plot([xof(r["point"][p]) for r in line], [r["objectives"][o] for r in line],
                    "o-", color="tab:blue", ms=3.5, lw=1.2)
            if is_num and min(values) > 0 and max(values) >= 8 * min(values):
                ax.set_xscale("log", base=2)
            ax.set_xticks([xof(v) for v in values])
            ax.set_xticklabels([str(v) for v in values], fontsize=6,
                               rotation=0 if len(values) <= 6 else 45)
            ax.minorticks_off()
            ax.grid(True, lw=0.3)
            if c == 0:
                ax.set_ylabel(o)
            if k == len(objectives) - 1:
                ax.set_xlabel(p)
    base_text = ", ".join("%s=%s" % (q, base["point"][q]) for q in paths)
    fig.suptitle("%s: one path moved, the others at the best %s run %s\n(%s)"
                 % (workload, first, base["id"], base_text), fontsize=7)
    fig.tight_layout()
    fig.savefig(out, **SAVE)
    plt.close(fig)


def type_cycles_plot(ok, front_ids, a, workload, out):
    front = sorted((r for r in ok if r["id"] in front_ids), key=lambda r: r["objectives"][a])
    totals = {}
    for r in front:
        for t, c in r["type_cycles"].items():
            totals[t] = totals.get(t, 0) + c
    types = sorted(totals, key=lambda t: (-totals[t], t))
    fig, ax = plt.subplots(figsize=(max(4.0, 0.4 * len(front) + 2.0), 3.6))
    labels = [r["id"].split("-")[0] for r in front]
    bottom = [0] * len(front)
    colors = plt.get_cmap("tab10")
    for i, t in enumerate(types):
        h = [r["type_cycles"].get(t, 0) for r in front]
        ax.bar(range(len(front)), h, bottom=bottom, color=colors(i % 10), label=t, width=0.7)
        bottom = [x + y for x, y in zip(bottom, h)]
    ax.set_xticks(range(len(front)))
    ax.set_xticklabels(labels, rotation=45, fontsize=6)
    ax.set_ylabel("cycles")
    ax.set_xlabel("runs on the front, in order of %s" % a)
    ax.set_title("%s: cycles per operator type on the Pareto front" % workload)
    ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(True, axis="y", lw=0.3)
    fig.tight_layout()
    fig.savefig(out, **SAVE)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", help="a qcsim sweep --out directory")
    ap.add_argument("--out", help="directory for the PNGs (default DIR/plots)")
    ap.add_argument("--workload", help="the workload spec to plot (default: the first)")
    ap.add_argument("--pair", help="A,B: the objectives of the Pareto plot (default: the first two)")
    args = ap.parse_args()

    rows = read_rows(args.dir)
    if not rows:
        fail("%s: no results" % os.path.join(args.dir, "results.jsonl"))
    workloads = []
    for r in rows:
        if r["workload"] not in workloads:
            workloads.append(r["workload"])
    workload = args.workload or workloads[0]
    if workload not in workloads:
        fail("--workload: %r is not in the results (they have: %s)" % (workload, ", ".join(workloads)))
    ok = [r for r in rows if r["workload"] == workload and r.get("status") == "ok"]
    if not ok:
        fail("no ok run of %s in the results" % workload)
    objectives = [o for o in ok[0]["objectives"]
                  if all(isinstance(r["objectives"].get(o), (int, float)) for r in ok)]
    if args.pair:
        pair = args.pair.split(",")
        if len(pair) != 2 or any(p not in objectives for p in pair):
            fail("--pair: expected A,B, two numeric objectives of: %s" % ", ".join(objectives))
    else:
        if len(objectives) < 2:
            fail("a Pareto plot needs two numeric objectives, the results have: %s"
                 % ", ".join(objectives))
        pair = objectives[:2]
    a, b = pair
    paths = list(ok[0]["point"].keys())
    out = args.out or os.path.join(args.dir, "plots")
    os.makedirs(out, exist_ok=True)
    front_ids = set(read_front(args.dir, workload, a, b))

    written = []
    f = os.path.join(out, "pareto_%s_%s.png" % (safe(a), safe(b)))
    pareto_plot(ok, front_ids, a, b, workload, f)
    written.append(f)
    f = os.path.join(out, "sensitivity.png")
    sensitivity_plot(ok, paths, objectives, workload, f)
    written.append(f)
    if all("type_cycles" in r for r in ok):
        f = os.path.join(out, "type_cycles.png")
        type_cycles_plot(ok, front_ids, a, workload, f)
        written.append(f)
    else:
        sys.stderr.write("plot_sweep.py: no type_cycles in the results (a sweep of an older "
                         "qcsim): type_cycles.png not written\n")
    skipped = sum(1 for r in rows if r["workload"] == workload and r.get("status") != "ok")
    print("plot_sweep.py: %d runs of %s (%d failed, not plotted): %s"
          % (len(ok) + skipped, workload, skipped, " ".join(written)))


if __name__ == "__main__":
    main()
