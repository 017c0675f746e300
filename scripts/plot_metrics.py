#!/usr/bin/env python3
"""Plots of a convlstm evaluation and of a training run (matplotlib, Debian's python3-matplotlib).

    scripts/plot_metrics.py --eval RUN/evaluation.json [--out RUN/skill.png] [--threshold 0.5 ...]
                            [--prob-out RUN/probabilistic.png]
    scripts/plot_metrics.py --train RUN/metrics.csv [--out RUN/training.png]

--eval takes the JSON or the CSV that `convlstm evaluate --json/--csv` writes: CSI and FSS (9 pixels, or the
middle neighbourhood scored) at each threshold (one panel each), MSE and CRPS against lead time, for the
model and every baseline, with the bootstrap intervals as shaded bands when the evaluation has them
(`--bootstrap N`). From the JSON it also draws the probabilistic figure (--prob-out, default
probabilistic.png beside the skill plot): the reliability diagram per threshold for every source, and the
rank histogram of each ensemble. --train takes metrics.csv: the training loss
(and a running mean), the validation loss and persistence's validation loss against the step, on a log
scale. Both can be given at once (two files). Exit status 2 for bad arguments, 1 for unreadable input.
"""
import argparse
import csv
import json
import math
import os
import sys


def fail(msg, status=1):
    print(f"plot_metrics.py: {msg}", file=sys.stderr)
    sys.exit(status)


def number(v):
    if v is None or v == "" or v == "nan":
        return math.nan
    return float(v)


def read_evaluation(path):
    """-> {source: {"lead": [minutes or steps], fig: [values], fig + "_lo"/"_hi": [...]}}, lead label."""
    sources = {}
    if path.endswith(".json"):
        with open(path) as f:
            e = json.load(f)
        leads = [t / 60 for t in e.get("lead_times_s", [])]
        intervals = e.get("intervals", {})
        for name, s in e["sources"].items():
            per = s["per_lead"]
            d = {"lead": leads or list(range(1, len(per) + 1))}
            for fig in per[0]:
                d[fig] = [number(p.get(fig)) for p in per]
            if name in intervals:
                for fig in per[0]:
                    ivs = [iv.get(fig, [None, None]) for iv in intervals[name]["per_lead_interval"]]
                    d[fig + "_lo"] = [number(i[0]) for i in ivs]
                    d[fig + "_hi"] = [number(i[1]) for i in ivs]
            sources[name] = d
        return sources, "lead time (min)" if leads else "lead (steps)", e.get("units", "")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "source" not in rows[0]:
        raise ValueError("not an evaluation CSV (no 'source' column)")
    minutes = all(r["lead_time_s"] for r in rows if r["lead"] != "mean")
    for r in rows:
        if r["lead"] == "mean" or "-" in r["source"] and r["source"].startswith("model-"):
            continue
        d = sources.setdefault(r["source"], {"lead": []})
        d["lead"].append(number(r["lead_time_s"]) / 60 if minutes else int(r["lead"]))
        for k, v in r.items():
            if k not in ("source", "lead", "lead_time_s"):
                d.setdefault(k, []).append(number(v))
    return sources, "lead time (min)" if minutes else "lead (steps)", ""


def plot_evaluation(path, out, thresholds):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sources, xlabel, units = read_evaluation(path)
    if not sources:
        raise ValueError("no sources")
    first = next(iter(sources.values()))
    available = [k[4:] for k in first if k.startswith("csi@") and not k.endswith(("_lo", "_hi"))]
    chosen = [t for t in (thresholds or available) if t in available]
    if thresholds and len(chosen) < len(thresholds):
        missing = sorted(set(thresholds) - set(chosen))
        raise ValueError(f"thresholds {', '.join(missing)} are not in the evaluation (it has {', '.join(available)})")
    fss = sorted({k.split("/")[1] for k in first if k.startswith("fss@") and not k.endswith(("_lo", "_hi"))},
                 key=lambda n: int(n[:-2]))
    scale = "9px" if "9px" in fss else (fss[len(fss) // 2] if fss else None)
    rows = [[f"csi@{t}" for t in chosen] + ["mse"]]
    if scale and "crps" in first:
        rows.append([f"fss@{t}/{scale}" for t in chosen] + ["crps"])
    cols = max(len(r) for r in rows)
    fig, axes = plt.subplots(len(rows), cols, figsize=(4.2 * cols, 3.6 * len(rows)), squeeze=False)
    colors = {"model": "C3", "persistence": "C7", "optical-flow": "C0", "sprog": "C2", "steps": "C4"}

    def title(name):
        if name.startswith("csi@"):
            return f"CSI at {name[4:]} mm/h"
        if name.startswith("fss@"):
            t, n = name[4:].split("/")
            return f"FSS at {t} mm/h, {n[:-2]} px"
        if name == "crps":
            return f"CRPS ({units or 'physical units'})"
        return f"MSE ({units or 'physical units'})²"

    for r, figs in enumerate(rows):
        for ax, name in zip(axes[r], figs):
            for k, (src, d) in enumerate(sources.items()):
                if name not in d:
                    continue
                c = colors.get(src, f"C{k + 5}")
                ax.plot(d["lead"], d[name], marker="o", ms=3, color=c, label=src)
                if name + "_lo" in d:
                    ax.fill_between(d["lead"], d[name + "_lo"], d[name + "_hi"], color=c, alpha=0.2, lw=0)
            ax.set_title(title(name))
            ax.set_xlabel(xlabel)
            ax.grid(alpha=0.3)
        for ax in axes[r][len(figs):]:
            ax.axis("off")
    figs = [n for row in rows for n in row]
    axes[0][0].legend()
    banded = any(n + "_lo" in first for n in figs)
    fig.suptitle(os.path.basename(path) + (" (shaded: 90% bootstrap intervals)" if banded else ""), fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_probabilistic(path, out):
    """Reliability diagrams (one panel per threshold, every source) and the rank histograms of ensembles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(path) as f:
        e = json.load(f)
    sources = {n: s for n, s in e["sources"].items() if s.get("reliability")}
    if not sources:
        raise ValueError("no reliability tables (an evaluation of rain by convlstm evaluate --json)")
    thresholds = [r["threshold"] for r in next(iter(sources.values()))["reliability"]]
    ensembles = {n: s["rank_histogram"] for n, s in sources.items() if len(s.get("rank_histogram", [])) > 2}
    cols = len(thresholds) + len(ensembles)
    fig, axes = plt.subplots(1, cols, figsize=(3.8 * cols, 3.6), squeeze=False)
    colors = {"model": "C3", "persistence": "C7", "optical-flow": "C0", "sprog": "C2", "steps": "C4"}
    for i, t in enumerate(thresholds):
        ax = axes[0][i]
        ax.plot([0, 1], [0, 1], color="k", lw=0.8, ls=":")
        for k, (name, s) in enumerate(sources.items()):
            r = s["reliability"][i]
            pts = [(p, o) for p, o, c in zip(r["forecast"], r["observed"], r["count"])
                   if c and p is not None and o is not None]
            if pts:
                ax.plot(*zip(*pts), marker="o", ms=3, color=colors.get(name, f"C{k + 5}"), label=name)
        ax.set_title(f"reliability at {t:g} mm/h", fontsize=10)
        ax.set_xlabel("forecast probability")
        ax.set_ylabel("observed frequency")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    for j, (name, ranks) in enumerate(ensembles.items()):
        ax = axes[0][len(thresholds) + j]
        ax.bar(range(len(ranks)), ranks, color=colors.get(name, "C4"))
        ax.axhline(1 / len(ranks), color="k", lw=0.8, ls=":")
        ax.set_title(f"rank histogram: {name}", fontsize=10)
        ax.set_xlabel("rank of the observation among the members")
        ax.set_ylabel("fraction")
    fig.suptitle(os.path.basename(path) + " (pooled over lead times and windows)", fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_training(path, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "train_loss" not in rows[0]:
        raise ValueError("not a convlstm metrics.csv (no train_loss column)")
    step = [int(r["step"]) for r in rows]
    train = [number(r["train_loss"]) for r in rows]
    window = max(1, len(train) // 30)
    running = [sum(train[max(0, i - window + 1): i + 1]) / len(train[max(0, i - window + 1): i + 1]) for i in range(len(train))]
    val = [(int(r["step"]), number(r["val_loss"])) for r in rows if r["val_loss"]]
    pers = [(int(r["step"]), number(r["persistence_val_loss"])) for r in rows if r.get("persistence_val_loss")]
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.plot(step, train, color="C3", alpha=0.25, lw=0.8, label="training loss")
    ax.plot(step, running, color="C3", lw=1.5, label=f"training loss, mean of {window}")
    if val:
        ax.plot(*zip(*val), color="C0", marker="o", label="validation loss")
    if pers:
        ax.plot(*zip(*pers), color="C7", ls="--", marker="s", ms=3, label="persistence, validation")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (normalised space)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    ax.set_title(os.path.basename(os.path.dirname(os.path.abspath(path))) + "/metrics.csv", fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--eval", help="evaluation JSON or CSV (convlstm evaluate --json/--csv)")
    p.add_argument("--train", help="metrics.csv of a training run")
    p.add_argument("--out", help="output PNG (with one input; default next to it)")
    p.add_argument("--eval-out", help="output PNG for --eval when both are given")
    p.add_argument("--train-out", help="output PNG for --train when both are given")
    p.add_argument("--threshold", action="append", help="CSI threshold to plot (repeatable; default all)")
    p.add_argument("--prob-out", help="output PNG of the reliability diagrams and rank histograms (JSON input; "
                   "default probabilistic.png beside the skill plot)")
    a = p.parse_args()
    if not a.eval and not a.train:
        p.print_usage(sys.stderr)
        fail("give --eval FILE and/or --train FILE", 2)
    if a.out and a.eval and a.train:
        fail("--out takes one input; use --eval-out and --train-out with both", 2)
    jobs = []
    if a.eval:
        skill = a.eval_out or a.out or os.path.join(os.path.dirname(a.eval) or ".", "skill.png")
        jobs.append((plot_evaluation, a.eval, skill))
        if a.eval.endswith(".json"):
            jobs.append((plot_probabilistic, a.eval, a.prob_out or os.path.join(os.path.dirname(skill) or ".", "probabilistic.png")))
    if a.train:
        jobs.append((plot_training, a.train, a.train_out or a.out or os.path.join(os.path.dirname(a.train) or ".", "training.png")))
    for fn, src, out in jobs:
        tmp = out + ".partial.png"
        try:
            if fn is plot_evaluation:
                fn(src, tmp, a.threshold)
            elif fn is plot_probabilistic:
                fn(src, tmp)
            else:
                fn(src, tmp)
            os.replace(tmp, out)
        except (OSError, ValueError, KeyError, json.JSONDecodeError, IndexError) as e:
            if os.path.exists(tmp):
                os.remove(tmp)
            fail(f"{src}: {e.strerror if isinstance(e, OSError) and e.strerror else e}")
        print(f"plot_metrics.py: wrote {out}")


if __name__ == "__main__":
    main()
