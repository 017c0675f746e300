#!/usr/bin/python3
"""Rain a forecast invents where there is none: the drizzle veil and its patch pattern.

    convlstm predict --checkpoint RUN/best.h5 --input TEST.h5 --all-windows --output PRED.h5
    /usr/bin/python3 scripts/experiments/veil_check.py PRED.h5 [--patch 2] [--distance 12] [--dry 0.1]

Needs Debian's python3-h5py and python3-numpy. For every window of PRED.h5 (/pred, /target, /input_last), the
pixels farther than --distance pixels from any rain (>= --dry) in the last input frame are "far from rain";
no echo there can be advected in within a lead or two. Printed per lead: the share of far pixels the forecast
makes wet and the share the truth makes wet, the wet fractions of forecast and truth over all pixels, and the
mean forecast on far pixels at each of the patch x patch positions (a patch-periodic pattern shows as unequal
values), and the patch-periodic component of forecast and truth in rain (the largest mean deviation, over the
patch x patch blocks that hold rain in forecast or truth, of one position from its block's mean: a pattern that repeats
with the patch keeps its sign across blocks and survives the mean; the structure of real rain does not). Exit
status 1 when the file lacks those datasets.
"""
import argparse
import sys


def far_from(wet, distance):
    """Boolean (H, W): pixels whose (2 distance + 1)² square holds no wet pixel (a Chebyshev distance)."""
    import numpy as np

    h, w = wet.shape
    pad = np.pad(wet, distance)
    near = np.zeros_like(wet)
    # Separable max filter: rows, then columns.
    rows = np.zeros((h + 2 * distance, w), dtype=bool)
    for dx in range(2 * distance + 1):
        rows |= pad[:, dx:dx + w]
    for dy in range(2 * distance + 1):
        near |= rows[dy:dy + h]
    return ~near


def patch_periodic(frames, wet, p):
    """The largest |mean over rainy p x p blocks of (value at one position - block mean)|, frames (N, H, W)."""
    import numpy as np

    n, h, w = frames.shape
    hb, wb = h // p, w // p
    blocks = frames[:, :hb * p, :wb * p].reshape(n, hb, p, wb, p).transpose(0, 1, 3, 2, 4)
    rainy = wet[:, :hb * p, :wb * p].reshape(n, hb, p, wb, p).any(axis=(2, 4))
    if not rainy.any():
        return 0.0
    dev = blocks - blocks.mean(axis=(3, 4), keepdims=True)
    return float(np.abs(dev[rainy].mean(axis=0)).max())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pred", help="predict --all-windows output")
    ap.add_argument("--patch", type=int, default=2)
    ap.add_argument("--distance", type=int, default=12)
    ap.add_argument("--dry", type=float, default=0.1, help="rain threshold, physical units")
    a = ap.parse_args()
    try:
        import h5py
        import numpy as np
    except ImportError as e:
        sys.exit(f"veil_check.py: {e} (apt-get install python3-h5py python3-numpy)")
    try:
        with h5py.File(a.pred, "r") as f:
            pred, target, last = f["pred"][()], f["target"][()], f["input_last"][()]
    except (OSError, KeyError) as e:
        print(f"veil_check.py: {a.pred}: {e} (expected /pred, /target, /input_last of predict --all-windows)",
              file=sys.stderr)
        return 1
    if pred.ndim == 5:  # (N, T, C, H, W): channel 0
        pred, target, last = pred[:, :, 0], target[:, :, 0], last[:, 0] if last.ndim == 4 else last
    far = np.stack([far_from(l >= a.dry, a.distance) for l in last])
    print(f"{pred.shape[0]} windows; {far.mean():.1%} of the pixels are farther than {a.distance} px from rain "
          f"in the last input; {int((last.max(axis=(1, 2)) < a.dry).sum())} windows have a dry last input")
    print("lead  far: forecast wet  truth wet   all: forecast wet  truth wet   periodic: forecast  truth"
          "   far-pixel mean by patch position")
    p = a.patch
    for t in range(pred.shape[1]):
        fp, tp = pred[:, t], target[:, t]
        rain = (fp >= a.dry) | (tp >= a.dry)
        pos = [fp[:, dy::p, dx::p][far[:, dy::p, dx::p]].mean() for dy in range(p) for dx in range(p)]
        print(f"{t + 1:>4}  {(fp[far] >= a.dry).mean():>16.4f} {(tp[far] >= a.dry).mean():>10.4f}"
              f"   {(fp >= a.dry).mean():>16.4f} {(tp >= a.dry).mean():>10.4f}"
              f"   {patch_periodic(fp, rain, p):>17.4f} {patch_periodic(tp, rain, p):>6.4f}   "
              + " ".join(f"{v:.4f}" for v in pos))
    return 0


if __name__ == "__main__":
    sys.exit(main())
