#!/usr/bin/python3
"""A trained model's forecast of a smooth field: its patch-periodic component and its rain far from the field.

    /usr/bin/python3 scripts/experiments/smooth_field_check.py RUN/best.h5 [--patch 2] [--size 64] [--peak 5] [--radius 8]

The field of the test "a trained model forecasts a smooth field without a patch-periodic component", on the
grid the model trained on: a broad static rain cell, PEAK (1 - r²/RADIUS²)² mm/h, centred, in every input
frame. By its symmetry the field itself has no patch-periodic component. Writes it as a dataset into a
temporary folder, has `convlstm predict` forecast it, and prints per lead the patch-periodic component under
the cell (as scripts/experiments/veil_check.py measures it, over the patch x patch blocks that hold rain in the input)
and the largest forecast more than 16 pixels from the cell. Needs Debian's python3-h5py and python3-numpy.
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from veil_check import far_from, patch_periodic  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("--patch", type=int, default=2)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--peak", type=float, default=5.0)
    ap.add_argument("--radius", type=float, default=8.0)
    ap.add_argument("--frames", type=int, default=5, help="input frames (the model's t_in or more)")
    ap.add_argument("--convlstm", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "..", "..", "build", "convlstm"))
    a = ap.parse_args()
    try:
        import h5py
        import numpy as np
    except ImportError as e:
        sys.exit(f"smooth_field_check.py: {e} (apt-get install python3-h5py python3-numpy)")
    n = a.size
    c = (n - 1) / 2.0
    y, x = np.mgrid[0:n, 0:n]
    r2 = ((y - c) ** 2 + (x - c) ** 2) / a.radius ** 2
    field = np.where(r2 < 1.0, a.peak * (1.0 - r2) ** 2, 0.0).astype(np.float32)
    wet = field > 0.0
    with tempfile.TemporaryDirectory() as tmp:
        data, pred = os.path.join(tmp, "smooth.h5"), os.path.join(tmp, "pred.h5")
        with h5py.File(data, "w") as f:
            d = f.create_dataset("frames", data=np.repeat(field[None], a.frames, axis=0))
            d.attrs.update({"quantity": "rain_rate", "units": "mm/h", "gain": 1.0, "offset": 0.0})
            f.attrs.update({"format": "convlstm-dataset", "version": 1, "source": "smooth_field_check.py",
                            "timestep_s": 300.0})
        run = subprocess.run([a.convlstm, "predict", "--checkpoint", a.checkpoint, "--input", data,
                              "--output", pred], capture_output=True, text=True)
        if run.returncode != 0:
            sys.stderr.write(run.stderr)
            return run.returncode
        with h5py.File(pred, "r") as f:
            fc = f["pred"][()][0]  # [N, T, (C,) H, W]: the one forecast, channel 0
    if fc.ndim == 4:
        fc = fc[:, 0]
    far = far_from(wet, 16)
    print(f"smooth field: {a.peak} mm/h peak, radius {a.radius} px, {n}x{n}; forecast by {a.checkpoint}")
    print("lead  patch-periodic (mm/h)  largest forecast far from the cell (mm/h)")
    for t in range(fc.shape[0]):
        print(f"{t + 1:>4}  {patch_periodic(fc[t:t + 1], wet[None], a.patch):>21.5f}  {fc[t][far].max():>10.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
