#!/usr/bin/env python3
"""A stochastic model's ensemble against STEPS and the deterministic model, per lead, from a `convlstm evaluate
--members N --forecast deterministic=... --bootstrap R --json` file: per score a markdown table (ensemble, STEPS,
the deterministic model, S-PROG, and ensemble - STEPS and ensemble - deterministic with their 90% intervals),
then the rank histograms, as docs/experiments.md shows them. A deterministic forecast's CRPS is its MAE.

    scripts/experiments/ensemble_table.py EVAL.json [--score crps --score brier@1 ...]
"""
import argparse
import json
import sys

import yardstick_table


def fmt(v, sign=False, digits=3):
    if digits == 3:
        return yardstick_table.fmt(v, sign)
    if v is None or v != v:
        return "–"
    return f"{v:+.{digits}f}" if sign else f"{v:.{digits}f}"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("json")
    p.add_argument("--score", action="append", help="figure name (default crps, brier@1, spread_skill)")
    a = p.parse_args()
    try:
        with open(a.json) as f:
            e = json.load(f)
    except (OSError, json.JSONDecodeError) as err:
        print(f"ensemble_table.py: {a.json}: {err}", file=sys.stderr)
        sys.exit(1)
    sources = e["sources"]
    others = [s for s in ("steps", "deterministic", "sprog") if s in sources]
    compared = [s for s in ("steps", "deterministic") if s in sources]
    leads = [f"{int(t // 60)} min" for t in e.get("lead_times_s", [])]
    diffs = e.get("differences", {})
    n = len(sources["model"]["per_lead"])
    for score in a.score or ["crps", "brier@1", "spread_skill"]:
        digits = 4 if score.startswith("brier") else 3  # Brier scores of rare events are thousandths
        print(f"\n{score}\n")
        head = ["lead", "ensemble"] + others + [f"ensemble − {b} [90%]" for b in compared]
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for t in list(range(n)) + [-1]:
            name = "mean" if t < 0 else (leads[t] if leads else f"+{t + 1}")
            pick = (lambda s: s["mean"].get(score)) if t < 0 else (lambda s: s["per_lead"][t].get(score))
            row = [name, fmt(pick(sources["model"]), False, digits)] + [fmt(pick(sources[b]), False, digits)
                                                                         for b in others]
            for b in compared:
                d = diffs.get(f"model-{b}")
                if not d or score not in d["mean"]:
                    row.append("–")
                    continue
                point = d["mean"][score] if t < 0 else d["per_lead"][t][score]
                iv = d["mean_interval"][score] if t < 0 else d["per_lead_interval"][t][score]
                row.append(f"{fmt(point, True, digits)} [{fmt(iv[0], True, digits)}, {fmt(iv[1], True, digits)}]")
            print("| " + " | ".join(row) + " |")
    print("\nrank histograms (fraction of the observations in each rank among the members)\n")
    for s in ("model", "steps"):
        h = sources.get(s, {}).get("rank_histogram")
        if h:
            peak = max(h) * len(h)
            print(f"- {'ensemble' if s == 'model' else s}: " + " ".join(f"{v:.3f}" for v in h) +
                  f" (fullest bin {peak:.2f} x the mean)")


if __name__ == "__main__":
    main()
