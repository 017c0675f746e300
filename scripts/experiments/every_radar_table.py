#!/usr/bin/env python3
"""The tables of scripts/experiments/every_radar.sh, from its evaluate JSON files under RUNS (default runs):

1. the model trained on every radar (RUNS/radars_all/eval_<series>.json) on each series' test hours, and
2. each series left out of training in turn (RUNS/radars_without_<series>/eval_<series>.json),

each as means over the leads of CSI at 1 and 5 mm/h, MSE, MAE and FSS at 1 mm/h over 17 px, for the model,
S-PROG, the STEPS mean, optical flow and persistence, with the number of leads where the model is ahead of
S-PROG and where it is behind beyond its 90% interval; then, per series, the per-lead model − S-PROG table.

    scripts/experiments/every_radar_table.py [RUNS]
"""
import json
import math
import os
import sys

SERIES = [("knmi", "KNMI 04:40-07:35"), ("fmi", "FMI 2017-05-09"), ("mch", "MeteoSwiss 2016-07-11")]
SCORES = [("csi@1", "CSI 1 mm/h", True), ("csi@5", "CSI 5 mm/h", True), ("mse", "MSE", False),
          ("mae", "MAE", False), ("fss@1/17px", "FSS 1 mm/h, 17 px", True)]
SOURCES = [("model", "convlstm"), ("sprog", "S-PROG"), ("steps", "STEPS mean"),
           ("optical-flow", "optical flow"), ("persistence", "persistence")]


def fmt(v, sign=False):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:+.3f}" if sign else f"{v:.3f}"


def lead_counts(e, score, higher):
    """Leads where the model is ahead of S-PROG, and where it is behind beyond the 90% interval."""
    d = e.get("differences", {}).get("model-sprog")
    if not d:
        return "–"
    ahead = behind = 0
    n = len(d["per_lead"])
    for t in range(n):
        point = d["per_lead"][t][score]
        lo, hi = d["per_lead_interval"][t][score]
        good = point > 0 if higher else point < 0
        ahead += bool(good)
        worse_beyond = hi < 0 if higher else lo > 0
        behind += bool(worse_beyond)
    return f"{ahead}/{n} ahead, {behind} behind beyond"


def summary(title, files):
    print(f"\n### {title}\n")
    head = ["test hours", "forecast"] + [name for _, name, _ in SCORES]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for (key, label), path in files:
        if not os.path.exists(path):
            print(f"| {label} | (missing: {path}) |" + " |" * (len(SCORES)))
            continue
        with open(path) as f:
            e = json.load(f)
        for i, (src, name) in enumerate(SOURCES):
            if src not in e["sources"]:
                continue
            row = [label if i == 0 else "", name]
            row += [fmt(e["sources"][src]["mean"].get(s)) for s, _, _ in SCORES]
            print("| " + " | ".join(row) + " |")
        d = e.get("differences", {}).get("model-sprog")
        if d:
            row = ["", "model − S-PROG, mean [90%]"]
            for s, _, _ in SCORES:
                lo, hi = d["mean_interval"][s]
                row.append(f"{fmt(d['mean'][s], True)} [{fmt(lo, True)}, {fmt(hi, True)}]")
            print("| " + " | ".join(row) + " |")
        row = ["", "model vs S-PROG, leads"] + [lead_counts(e, s, h) for s, _, h in SCORES]
        print("| " + " | ".join(row) + " |")


def per_lead(title, path):
    if not os.path.exists(path):
        return
    with open(path) as f:
        e = json.load(f)
    d = e.get("differences", {}).get("model-sprog")
    if not d:
        return
    print(f"\n#### {title}: per lead, model − S-PROG [90%]\n")
    picks = [s for s in SCORES if s[0] in ("csi@1", "csi@5", "mse")]
    head = ["lead"] + [f"{n}: model / S-PROG / STEPS mean" for _, n, _ in picks] + \
        [f"{n}: model − S-PROG" for _, n, _ in picks]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    leads = [f"{int(t // 60)} min" for t in e.get("lead_times_s", [])]
    src = e["sources"]
    for t in range(len(d["per_lead"])):
        row = [leads[t] if leads else f"+{t + 1}"]
        for s, _, _ in picks:
            vals = [src[k]["per_lead"][t][s] if k in src else None for k in ("model", "sprog", "steps")]
            row.append(" / ".join(fmt(v) for v in vals))
        for s, _, _ in picks:
            lo, hi = d["per_lead_interval"][t][s]
            row.append(f"{fmt(d['per_lead'][t][s], True)} [{fmt(lo, True)}, {fmt(hi, True)}]")
        print("| " + " | ".join(row) + " |")


def main():
    runs = sys.argv[1] if len(sys.argv) > 1 else "runs"
    if len(sys.argv) > 2 or runs.startswith("-"):
        sys.exit("usage: every_radar_table.py [RUNS]")
    summary("Trained on every radar (their training hours), scored on each series' test hours",
            [(s, os.path.join(runs, "radars_all", f"eval_{s[0]}.json")) for s in SERIES])
    summary("Each series left out of training in turn (trained on the others), scored on it",
            [(s, os.path.join(runs, f"radars_without_{s[0]}", f"eval_{s[0]}.json")) for s in SERIES])
    for key, label in SERIES:
        per_lead(f"{label}, trained on every radar", os.path.join(runs, "radars_all", f"eval_{key}.json"))
        per_lead(f"{label}, left out", os.path.join(runs, f"radars_without_{key}", f"eval_{key}.json"))


if __name__ == "__main__":
    main()
