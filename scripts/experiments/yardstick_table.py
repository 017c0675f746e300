#!/usr/bin/env python3
"""The model against each baseline, per lead, from a `convlstm evaluate --json --bootstrap N` file: a markdown
table per score (model, each baseline, and model - baseline with its 90% interval), as docs/experiments.md
shows them.

    scripts/experiments/yardstick_table.py EVAL.json [--score csi@1 --score mse ...] [--baseline sprog ...]
"""
import argparse
import json
import math
import sys


def fmt(v, sign=False):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:+.3f}" if sign else f"{v:.3f}"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("json")
    p.add_argument("--score", action="append", help="figure name (default csi@1, mse, fss@1/9px, crps)")
    p.add_argument("--baseline", action="append", help="baselines to show (default all but persistence)")
    a = p.parse_args()
    try:
        with open(a.json) as f:
            e = json.load(f)
    except (OSError, json.JSONDecodeError) as err:
        print(f"yardstick_table.py: {a.json}: {err}", file=sys.stderr)
        sys.exit(1)
    scores = a.score or ["csi@1", "mse", "fss@1/9px", "crps"]
    sources = e["sources"]
    baselines = a.baseline or [s for s in sources if s not in ("model", "persistence")]
    leads = [f"{int(t // 60)} min" for t in e.get("lead_times_s", [])]
    diffs = e.get("differences", {})
    for score in scores:
        print(f"\n{score}\n")
        head = ["lead", "model"] + baselines + [f"model − {b} [90%]" for b in baselines]
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        n = len(sources["model"]["per_lead"])
        for t in list(range(n)) + [-1]:
            name = "mean" if t < 0 else (leads[t] if leads else f"+{t + 1}")
            pick = (lambda s: s["mean"][score]) if t < 0 else (lambda s: s["per_lead"][t][score])
            row = [name, fmt(pick(sources["model"]))] + [fmt(pick(sources[b])) for b in baselines]
            for b in baselines:
                d = diffs.get(f"model-{b}")
                if not d:
                    row.append("–")
                    continue
                point = d["mean"][score] if t < 0 else d["per_lead"][t][score]
                iv = d["mean_interval"][score] if t < 0 else d["per_lead_interval"][t][score]
                row.append(f"{fmt(point, True)} [{fmt(iv[0], True)}, {fmt(iv[1], True)}]")
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
