#!/usr/bin/python3
"""convlstm against PyTorch on the same CPU: the same model, the same weights, the same threads.

Set-up (Debian 12, as root; not part of scripts/setup.sh because the comparison is optional):

    apt-get install -y python3-torch python3-h5py python3-yaml
    cmake --build build -j2            # or bash scripts/setup.sh
    /usr/bin/python3 scripts/bench_vs_pytorch.py configs/bench/*.yaml --threads 2

(or pass --install to let the script run that apt-get line). Debian's python3-torch is PyTorch 1.13, which runs
its convolutions on oneDNN 2.6 as convlstm does.

For every config:
  1. `convlstm bench --dump DIR` writes the initial weights as a checkpoint and the first step's batch, loss
     and gradients. The PyTorch model is built from the checkpoint's own config and weights, and must give the
     same loss and every gradient within fp32 tolerance: a second, independent proof of convlstm's
     hand-written backpropagation through time (exit status 1 if it does not).
  2. Both are timed alternately, A B A B ..., each in its own process (so peak RSS is each one's own), with
     the same OMP_NUM_THREADS. The table gives medians over the rounds of each process's median step time.
With --bf16, bf16 is compared with bf16: convlstm --precision bf16 against PyTorch under
torch.autocast("cpu", dtype=torch.bfloat16), as a user after speed runs it; first the two bf16 first steps
are checked against each other (loss and every gradient within --bf16-tolerance of each tensor's largest
value: the two round differently, so the bound is loose, but a wrong gradient is off by its own size).

With --infer-shape H W the model of each config runs on one sequence of H x W frames (a whole composite,
padded to the patch: what `convlstm predict` runs after training on crops): the check of step 1 is made at
that shape, then only inference is compared (one timed forward per round and process; PyTorch under
torch.no_grad), with each process's peak RSS.

The PyTorch model is a plain autograd re-implementation, written the way users write one: per time step one
convolution over the concatenation [X_t, H_{t-1}] (W_x and W_h side by side along the input channels, which
is the same arithmetic as two convolutions), the gates from torch.sigmoid/tanh, the head as a 1x1 convolution.
"""
import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def need_torch(install):
    try:
        import torch  # noqa: F401
        import h5py  # noqa: F401
        import yaml  # noqa: F401
    except ImportError as e:
        cmd = ["apt-get", "install", "-y", "python3-torch", "python3-h5py", "python3-yaml"]
        if not install:
            sys.exit(f"bench_vs_pytorch: {e}; install with: {' '.join(cmd)} (or pass --install)")
        subprocess.run(cmd, check=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


# ---------------------------------------------------------------------------------------------------------
# The model in PyTorch, from a convlstm checkpoint (docs/architecture.md: gate order i, f, g, o; peepholes [3, F] or
# [3, F, H', W'] for i, f, o; encoder-forecaster whose forecaster layer 0 reads nothing or, with
# model.forecaster_input extrapolation (or sprog), the base nowcast's frames; 1x1 head, added to the base with
# model.output residual, whose g-gate and head biases are held at zero; patching in pixel_unshuffle order).


def build_model(ckpt_path, threads):
    import h5py
    import torch
    import torch.nn.functional as F
    import yaml

    torch.set_num_threads(threads)
    with h5py.File(ckpt_path, "r") as f:
        cfg_text = f.attrs["config"]
        cfg = yaml.safe_load(cfg_text.decode() if isinstance(cfg_text, bytes) else cfg_text)
        frame = (int(f.attrs["frame_channels"]), int(f.attrs["frame_height"]), int(f.attrs["frame_width"]))
        weights = {}

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                weights[name] = torch.tensor(obj[()], dtype=torch.float32)

        f["model"].visititems(visit)
    m, d, t = cfg["model"], cfg["data"], cfg["train"]
    p = int(m["patch"])
    layers = [(int(l["filters"]), int(l["k_x"]), int(l["k_h"])) for l in m["layers"]]
    peephole = m["peephole"]
    sigmoid_out = m["output"] == "sigmoid"
    residual = m["output"] == "residual"
    # The base nowcast (the extrapolation, or S-PROG with forecaster_input sprog) comes in the dump as a given
    # input frame: the network's arithmetic on it is the same whichever it is.
    extrap_in = m.get("forecaster_input", "none") in ("extrapolation", "extrapolation+gaps", "sprog",
                                                      "sprog+gaps")
    gaps_in = m.get("forecaster_input", "none") in ("extrapolation+gaps", "sprog+gaps")
    # A stochastic model (model.noise): K noise planes per row, the same at every lead, read by forecaster
    # layer 0 after the base and its gaps; the dump holds the rows' draws (/noise).
    noise_k = int((m.get("noise") or {}).get("channels", 0))
    tent = m.get("output_filter", "none") == "tent"
    # The patch tent (nn/patch.hpp): k (x) k / p^2, k = [1/2, 1, ..., 1, 1/2] for an even patch, [1, ..., 1]
    # for an odd one, zero outside the frame.
    k1 = torch.ones(2 * (p // 2) + 1)
    if p % 2 == 0:
        k1[0] = k1[-1] = 0.5
    tent_kernel = (torch.outer(k1, k1) / (p * p)).view(1, 1, len(k1), len(k1))

    def patch_tent(y):
        b, c, hh, ww = y.shape
        return F.conv2d(y.reshape(b * c, 1, hh, ww), tent_kernel, padding=p // 2).reshape(b, c, hh, ww)

    class Cell:
        def __init__(self, prefix, has_input):
            self.w_h = weights[prefix + "/w_h"].requires_grad_()
            self.b = weights[prefix + "/b"].requires_grad_()
            self.w_x = weights[prefix + "/w_x"].requires_grad_() if has_input else None
            self.w_c = weights[prefix + "/w_c"].requires_grad_() if peephole != "none" else None
            self.k_x = self.w_x.shape[-1] if has_input else 0
            self.k_h = self.w_h.shape[-1]
            self.f = self.w_h.shape[1]

        def params(self):
            return [v for v in (self.w_x, self.w_h, self.b, self.w_c) if v is not None]

        def peep(self, k):
            w = self.w_c[k]
            return w.view(1, -1, 1, 1) if w.dim() == 1 else w.unsqueeze(0)

        def bias(self):
            if not residual:
                return self.b
            keep = torch.ones_like(self.b)
            keep[2 * self.f:3 * self.f] = 0.0  # the g gate's bias is held at zero
            return self.b * keep

        def step(self, x, h, c):
            b = self.bias()
            if x is None:
                a = F.conv2d(h, self.w_h, b, padding=self.k_h // 2)
            elif self.k_x == self.k_h:
                a = F.conv2d(torch.cat([x, h], 1), torch.cat([self.w_x, self.w_h], 1), b,
                             padding=self.k_h // 2)
            else:
                a = (F.conv2d(x, self.w_x, b, padding=self.k_x // 2) +
                     F.conv2d(h, self.w_h, padding=self.k_h // 2))
            ai, af, ag, ao = a.chunk(4, 1)
            if self.w_c is not None:
                ai = ai + self.peep(0) * c
                af = af + self.peep(1) * c
            i, f_, g = torch.sigmoid(ai), torch.sigmoid(af), torch.tanh(ag)
            c2 = f_ * c + i * g
            o = torch.sigmoid(ao + self.peep(2) * c2 if self.w_c is not None else ao)
            return o * torch.tanh(c2), c2

    L = len(layers)
    enc = [Cell(f"encoder/layer{k}", True) for k in range(L)]
    fc = [Cell(f"forecaster/layer{k}", k > 0 or extrap_in or noise_k > 0) for k in range(L)]
    head_w = weights["head/w"].requires_grad_()
    head_b = weights["head/b"].requires_grad_()
    params = {}
    for k in range(L):
        for prefix, cell in ((f"encoder/layer{k}", enc[k]), (f"forecaster/layer{k}", fc[k])):
            for name in ("w_x", "w_h", "b", "w_c"):
                if getattr(cell, name) is not None:
                    params[f"{prefix}/{name}"] = getattr(cell, name)
    params["head/w"], params["head/b"] = head_w, head_b

    def forward(frames, t_out, extrapolation=None, gaps=None, noise=None):
        # frames (B, T_in, C, H, W), extrapolation and its gaps (B, T_out, C, H, W), noise (B, K, H, W) ->
        # (B, T_out, C, H, W)
        B, T_in, C, H, W = frames.shape
        x = F.pixel_unshuffle(frames.reshape(B * T_in, C, H, W), p).reshape(B, T_in, C * p * p, H // p, W // p)
        reads = noise_k > 0 or extrap_in
        if reads:
            # forecaster layer 0 reads the extrapolation's channels, then (extrapolation+gaps) its gaps', then
            # the noise planes
            parts = ([extrapolation] if extrap_in else []) + ([gaps] if gaps_in else [])
            if noise_k > 0:
                parts.append(noise.unsqueeze(1).expand(B, t_out, *noise.shape[1:]))
            read = torch.cat(parts, 2)
            cr = read.shape[2]
            e = F.pixel_unshuffle(read.reshape(B * t_out, cr, H, W), p).reshape(
                B, t_out, cr * p * p, H // p, W // p)
        hs, cs = [], []
        inputs = [x[:, s] for s in range(T_in)]
        for k in range(L):
            h = torch.zeros(B, layers[k][0], H // p, W // p)
            c = torch.zeros_like(h)
            outs = []
            for s in range(T_in):
                h, c = enc[k].step(inputs[s], h, c)
                outs.append(h)
            inputs = outs
            hs.append(h)
            cs.append(c)
        frames_out = []
        state = list(zip(hs, cs))
        for s in range(t_out):
            below = e[:, s] if reads else None
            tops = []
            for k in range(L):
                h, c = fc[k].step(below, *state[k])
                state[k] = (h, c)
                below = h
                tops.append(h)
            y = F.conv2d(torch.cat(tops, 1), head_w, None if residual else head_b)
            if sigmoid_out:
                y = torch.sigmoid(y)
            y = F.pixel_shuffle(y, p)
            if residual:
                y = (patch_tent(y) if tent else y) + extrapolation[:, s]
            frames_out.append(y)
        return torch.stack(frames_out, 1)

    # The objective of train/loss.hpp: the terms of train.loss, the HKO-7 weights of the observed rate (or of
    # the larger of the observed and forecast rates with train.balance max, held fixed for the gradient), and
    # the lead weights T / (t H_T) with train.lead_weights inverse. The bench's batch is fully observed.
    norm = d.get("normalize", {})
    n_kind, n_min, n_max = norm.get("kind", "linear"), float(norm.get("min", 0.0)), float(norm.get("max", 1.0))
    zr_a, zr_b = float(norm.get("zr_a", 200.0)), float(norm.get("zr_b", 1.6))

    def rate(x):
        v = x.detach().double().clamp(0.0, 1.0)
        if n_kind == "linear":
            r = n_min + v * (n_max - n_min)
        elif n_kind == "log":
            r = n_min + torch.expm1(v * math.log1p(n_max - n_min))
        else:  # dbz
            r = torch.where(v <= 0, torch.zeros_like(v),
                            ((10.0 ** ((n_min + v * (n_max - n_min)) / 10.0)) / zr_a) ** (1.0 / zr_b))
        return r.float()

    def hko7(r):
        w = torch.ones_like(r)
        for edge, weight in ((2.0, 2.0), (5.0, 5.0), (10.0, 10.0), (30.0, 30.0)):
            w = torch.where(r >= edge, torch.full_like(r, weight), w)
        return w

    members = int(t.get("members", 1))

    def loss_fn(pred, target):
        kind = t["loss"]
        balanced = kind in ("bmse", "bmae", "bmse+bmae", "bcrps")
        terms = {"bmse": ["mse"], "bmae": ["mae"], "bmse+bmae": ["mse", "mae"], "bcrps": ["crps"]}.get(kind, [kind])
        if any(k not in ("mse", "mae", "bce", "crps") for k in terms):
            sys.exit(f"bench_vs_pytorch: loss {kind} is not reproduced here")
        w = torch.ones_like(target)
        if balanced:
            r = rate(target)
            if t.get("balance", "observed") == "max":
                r = torch.maximum(r, rate(pred))
            w = hko7(r)
        if t.get("lead_weights", "uniform") == "inverse":
            leads = target.shape[1]
            harmonic = sum(1.0 / s for s in range(1, leads + 1))
            lw = torch.tensor([leads / (s * harmonic) for s in range(1, leads + 1)], dtype=torch.float32)
            w = w * lw.view(1, leads, *([1] * (target.dim() - 2)))
        total = 0.0
        for k in terms:
            if k == "bce":
                q = pred.clamp(1e-7, 1 - 1e-7)
                total = total - (w * (target * torch.log(q) + (1 - target) * torch.log(1 - q))).sum() / pred.shape[0]
            elif k == "crps":
                # The fair ensemble CRPS over the M members of each sequence (rows s M .. s M + M - 1),
                # weighted by member 0's weights, per pixel of one member.
                M = members
                x = pred.reshape(-1, M, *pred.shape[1:])
                y = target.reshape(-1, M, *target.shape[1:])[:, 0]
                w0 = w.reshape(-1, M, *w.shape[1:])[:, 0]
                skill = (x - y.unsqueeze(1)).abs().mean(1)
                spread = (x.unsqueeze(1) - x.unsqueeze(2)).abs().sum((1, 2)) / (2.0 * M * (M - 1))
                total = total + (w0 * (skill - spread)).sum() / y.numel()
            elif k == "mse":
                total = total + (w * (pred - target) ** 2).sum() / target.numel()
            else:
                total = total + (w * (pred - target).abs()).sum() / target.numel()
        return total

    return cfg, frame, params, forward, loss_fn


def worker(args):
    """One process: check gradients against case.h5, or time training steps and inference."""
    import h5py
    import numpy as np
    import torch

    import contextlib

    cfg, frame, params, forward_fp32, loss_fn = build_model(os.path.join(args.case, "checkpoint.h5"), args.threads)
    t_out = int(cfg["data"]["t_out"])

    def forward(*a):  # under torch.autocast with --autocast: bf16 convolutions, as a user after speed runs it
        ctx = torch.autocast("cpu", dtype=torch.bfloat16) if args.autocast else contextlib.nullcontext()
        with ctx:
            return forward_fp32(*a).float()
    with h5py.File(os.path.join(args.case, "case.h5"), "r") as f:
        inputs = torch.tensor(f["inputs"][()])
        targets = torch.tensor(f["targets"][()])
        extrap = torch.tensor(f["extrapolation"][()]) if "extrapolation" in f else None
        gaps = torch.tensor(f["gaps"][()]) if "gaps" in f else None
        noise = torch.tensor(f["noise"][()]) if "noise" in f else None
        if args.check:
            pred = forward(inputs, t_out, extrap, gaps, noise)
            loss = loss_fn(pred, targets)
            loss.backward()
            want_loss = float(f.attrs["loss"])
            out = {"loss": float(loss), "convlstm_loss": want_loss,
                   "loss_rel": abs(float(loss) - want_loss) / max(abs(want_loss), 1e-30),
                   "pred_max_abs": float((pred.detach() - torch.tensor(f["pred"][()])).abs().max()),
                   "grads": {}}
            for name, v in params.items():
                ref = np.asarray(f["grad/" + name][()], dtype=np.float64)
                got = v.grad.numpy().astype(np.float64) if v.grad is not None else np.zeros_like(ref)
                # Relative to the tensor's scale: max |diff| / max |ref|, and the norm of the difference.
                scale = max(np.abs(ref).max(), 1e-30)
                out["grads"][name] = {
                    "max_rel": float(np.abs(got - ref).max() / scale),
                    "norm_rel": float(np.linalg.norm(got - ref) / max(np.linalg.norm(ref), 1e-30)),
                }
            print(json.dumps(out))
            return
    def median_inference():  # one untimed pass first, then args.steps timed ones, without autograd
        infer = []
        with torch.no_grad():
            for i in range(args.steps + 1):
                t0 = time.perf_counter()
                forward(inputs, t_out, extrap, gaps, noise)
                if i > 0:
                    infer.append(time.perf_counter() - t0)
        return statistics.median(infer)

    if args.infer_only:
        print(json.dumps({"infer_s": median_inference(),
                          "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                          "threads": torch.get_num_threads()}))
        return
    opt_cfg = cfg["train"]["optimizer"]
    opt = torch.optim.RMSprop(list(params.values()), lr=float(opt_cfg["lr"]), alpha=float(opt_cfg["decay"]),
                              eps=float(opt_cfg["eps"]))
    times, fwd_t, bwd_t = [], [], []
    for i in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        pred = forward(inputs, t_out, extrap, gaps, noise)
        loss = loss_fn(pred, targets)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        if i >= args.warmup:
            times.append(t3 - t0)
            fwd_t.append(t1 - t0)
            bwd_t.append(t2 - t1)
    print(json.dumps({
        "train_step_s": statistics.median(times), "forward_s": statistics.median(fwd_t),
        "backward_s": statistics.median(bwd_t), "infer_s": median_inference(),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "threads": torch.get_num_threads()}))


# ---------------------------------------------------------------------------------------------------------
# The driver.


def run_json(cmd, env):
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"bench_vs_pytorch: {' '.join(cmd)} failed ({r.returncode}):\n{r.stderr.strip()[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("configs", nargs="*", help="config files, e.g. configs/bench/*.yaml")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3, help="A B rounds per config")
    ap.add_argument("--steps", type=int, default=5, help="timed steps per process")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--bf16", action="store_true",
                    help="also time convlstm with --precision bf16 against PyTorch under torch.autocast(bfloat16), "
                         "after an equivalence check of the two at --bf16-tolerance")
    ap.add_argument("--bf16-tolerance", type=float, default=0.15,
                    help="max relative gradient error allowed between the bf16 runs (different roundings)")
    ap.add_argument("--check-only", action="store_true", help="only compare losses and gradients")
    ap.add_argument("--tolerance", type=float, default=1e-4, help="max relative gradient error allowed")
    ap.add_argument("--convlstm", default=os.path.join(ROOT, "build", "convlstm"))
    ap.add_argument("--json", help="also write every measurement to this file")
    ap.add_argument("--install", action="store_true", help="apt-get install the Python packages if missing")
    # internal: the PyTorch worker process
    ap.add_argument("--infer-shape", type=int, nargs=2, metavar=("H", "W"),
                    help="compare inference only, of one sequence of H x W frames (e.g. 768 700)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a config key for both sides (e.g. train.loss=mse: the PyTorch side "
                         "reproduces mse, mae and bce)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--infer-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--autocast", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    need_torch(args.install)
    if args.worker:
        return worker(args)
    if not args.configs:
        ap.error("name at least one config, e.g. configs/bench/*.yaml")
    if not os.access(args.convlstm, os.X_OK):
        sys.exit(f"bench_vs_pytorch: {args.convlstm} not found; build first (cmake --build build -j2)")
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    me = [sys.executable, os.path.abspath(__file__), "--worker", "--threads", str(args.threads),
          "--steps", str(args.steps), "--warmup", str(args.warmup)]
    results = []
    failed = False
    tmp = tempfile.mkdtemp(prefix="bench_vs_pytorch.")
    try:
        for cfg in args.configs:
            name = os.path.splitext(os.path.basename(cfg))[0]
            case = os.path.join(tmp, name)
            base = [args.convlstm, "--log-level", "warn", "bench", "--config", cfg, "--threads", str(args.threads),
                    "--json"]
            for kv in args.set:
                base += ["--set", kv]
            if args.infer_shape:
                # One sequence at the given shape; a random crop would shrink it back to the training crop.
                base += ["--set", f"bench.frame=[1, {args.infer_shape[0]}, {args.infer_shape[1]}]",
                         "--set", "train.batch_size=1", "--set", "data.random_crop=null"]
            run_json(base + ["--steps", "1", "--warmup", "0", "--precision", "fp32", "--dump", case], env)
            chk = run_json(me + ["--case", case, "--check"], env)
            worst = max(g["max_rel"] for g in chk["grads"].values())
            ok = worst < args.tolerance and chk["loss_rel"] < args.tolerance
            failed |= not ok
            print(f"{name}: loss {chk['convlstm_loss']:.6f} (convlstm) vs {chk['loss']:.6f} (PyTorch), "
                  f"relative {chk['loss_rel']:.1e}; largest gradient difference {worst:.1e} of the tensor's "
                  f"largest value over {len(chk['grads'])} tensors -> {'agree' if ok else 'DISAGREE'}",
                  flush=True)
            row = {"config": name, "check": chk, "convlstm": [], "pytorch": [], "convlstm_bf16": [],
                   "pytorch_bf16": []}
            if args.bf16:  # the same first step in bf16 on both sides: convlstm's bf16 dump against autocast
                case16 = os.path.join(tmp, name + "_bf16")
                run_json(base + ["--steps", "1", "--warmup", "0", "--precision", "bf16", "--dump", case16], env)
                chk16 = run_json(me + ["--case", case16, "--check", "--autocast"], env)
                worst16 = max(g["max_rel"] for g in chk16["grads"].values())
                ok16 = worst16 < args.bf16_tolerance and chk16["loss_rel"] < args.bf16_tolerance
                failed |= not ok16
                row["check_bf16"] = chk16
                print(f"{name} bf16: loss {chk16['convlstm_loss']:.6f} (convlstm bf16) vs {chk16['loss']:.6f} "
                      f"(PyTorch autocast), relative {chk16['loss_rel']:.1e}; largest gradient difference "
                      f"{worst16:.1e} -> {'agree' if ok16 else 'DISAGREE'} at {args.bf16_tolerance}", flush=True)
            if not args.check_only:
                for _ in range(args.rounds):
                    if args.infer_shape:  # inference alone: its time and the memory of a forecast
                        a = run_json(base + ["--steps", "1", "--warmup", "0", "--precision", "fp32",
                                             "--infer-only"], env)
                        b = run_json(me + ["--case", case, "--infer-only", "--steps", "1"], env)
                        row["convlstm"].append(a)
                        row["pytorch"].append(b)
                        print(f"  round: inference convlstm {a['infer_s']:.3f} s, PyTorch {b['infer_s']:.3f} s",
                              flush=True)
                        continue
                    a = run_json(base + ["--steps", str(args.steps), "--warmup", str(args.warmup),
                                         "--precision", "fp32"], env)
                    row["convlstm"].append(a)
                    b = run_json(me + ["--case", case], env)
                    row["pytorch"].append(b)
                    if args.bf16:
                        row["convlstm_bf16"].append(run_json(
                            base + ["--steps", str(args.steps), "--warmup", str(args.warmup),
                                    "--precision", "bf16"], env))
                        row["pytorch_bf16"].append(run_json(me + ["--case", case, "--autocast"], env))
                    print(f"  round: convlstm {a['train_step_s']:.3f} s, PyTorch {b['train_step_s']:.3f} s"
                          + (f", convlstm bf16 {row['convlstm_bf16'][-1]['train_step_s']:.3f} s, PyTorch autocast "
                             f"{row['pytorch_bf16'][-1]['train_step_s']:.3f} s" if args.bf16 else ""), flush=True)
            results.append(row)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if not args.check_only and args.infer_shape:
        med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
        print(f"\n{args.threads} threads, {args.rounds} alternating rounds, one {args.infer_shape[0]}x"
              f"{args.infer_shape[1]} sequence; medians; ratio = PyTorch / convlstm (higher is better for convlstm)")
        print(f"{'config':<20} {'infer convlstm':>14} {'PyTorch':>8} {'ratio':>6} {'RSS MiB':>8} {'PyTorch':>8}")
        for row in results:
            a, b = row["convlstm"], row["pytorch"]
            ia, ib = med(a, "infer_s"), med(b, "infer_s")
            print(f"{row['config']:<20} {ia:>12.3f} s {ib:>6.3f} s {ib / ia:>6.2f} "
                  f"{max(r['peak_rss_mib'] for r in a):>8.0f} {max(r['peak_rss_mib'] for r in b):>8.0f}")
    elif not args.check_only:
        med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
        print(f"\n{args.threads} threads, {args.rounds} alternating rounds of {args.steps} steps; medians; "
              "ratio = PyTorch / convlstm (higher is better for convlstm)")
        head = (f"{'config':<16} {'step convlstm':>13} {'PyTorch':>8} {'ratio':>6} {'% peak':>7}"
                f" {'infer ratio':>11} {'RSS MiB':>8} {'PyTorch':>8} {'RSS ratio':>9}")
        if args.bf16:
            head += f" {'bf16 step':>9} {'autocast':>9} {'ratio':>6}"
        print(head)
        for row in results:
            a, b = row["convlstm"], row["pytorch"]
            sa, sb = med(a, "train_step_s"), med(b, "train_step_s")
            line = (f"{row['config']:<16} {sa:>11.3f} s {sb:>6.3f} s {sb / sa:>6.2f} "
                    f"{100 * med(a, 'peak_fraction'):>6.0f}% {med(b, 'infer_s') / med(a, 'infer_s'):>11.2f} "
                    f"{max(r['peak_rss_mib'] for r in a):>8.0f} {max(r['peak_rss_mib'] for r in b):>8.0f} "
                    f"{max(r['peak_rss_mib'] for r in a) / max(r['peak_rss_mib'] for r in b):>9.2f}")
            if args.bf16:  # bf16 against bf16: PyTorch under autocast / convlstm --precision bf16
                sc, sd = med(row["convlstm_bf16"], "train_step_s"), med(row["pytorch_bf16"], "train_step_s")
                line += f" {sc:>7.3f} s {sd:>7.3f} s {sd / sc:>6.2f}"
            print(line)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    if failed:
        print("bench_vs_pytorch: convlstm and PyTorch disagree (see above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
