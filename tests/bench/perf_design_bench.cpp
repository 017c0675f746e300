// The performance design (docs/architecture.md, docs/performance.md), step by step: each step measured
// against the plain alternative it replaces, on the shapes of configs/bench/mnist_paper.yaml (batch 16, 10 +
// 10 steps, 64x64 frames in 4x4 patches = a 16x16 grid of 16 channels, 2 layers of 64 filters, 5x5 kernels),
// and scaled to what it saves per training step. A measuring tool, not a test: `convlstm_perf_design_bench
// [--threads N] [--reps N]`.
//
// The alternatives are what a straightforward implementation does: create the convolution for each call,
// keep activations in plain NCHW, run the gate math as one pass per operation, convolve the input and reduce
// the weight gradients step by step, compute the convolutions nobody needs, and allocate the tape per step.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "nn/model_spec.hpp"
#include "ops/conv2d.hpp"
#include "ops/gates.hpp"
#include "ops/threads.hpp"
#include "train/bptt.hpp"

namespace {

using convlstm::ops::Conv2d;
using convlstm::ops::Conv2dGeometry;
using convlstm::ops::Conv2dOptions;
using convlstm::ops::Layout;

// The mnist_paper shapes.
constexpr std::int64_t kB = 16, kT = 10, kF = 64, kHW = 16, kK = 5, kCp = 16, kLayers = 2;

int g_reps = 7;

// Median seconds of fn over g_reps runs after one warm-up run.
double time_it(const std::function<void()>& fn) {
  fn();
  std::vector<double> t;
  for (int i = 0; i < g_reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

std::vector<float> random(std::int64_t n, convlstm::Rng& rng, float lo = -1.0f, float hi = 1.0f) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = rng.uniform(lo, hi);
  return v;
}

// t_design 0: the design does no work at all there.
void row(const char* step, const char* plain, double t_design, double t_plain, double calls_per_step) {
  char ratio[16] = "      -";
  if (t_design > 0) std::snprintf(ratio, sizeof ratio, "%7.2fx", t_plain / t_design);
  std::printf("%-34s %10.3f ms %10.3f ms %s %9.1f ms  (%s)\n", step, t_design * 1e3, t_plain * 1e3, ratio,
              (t_plain - t_design) * calls_per_step * 1e3, plain);
}

// --- gate math as a framework runs it: one pass over memory per operation -------------------------------

float sigm(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

void unfused_forward(std::int64_t n, std::int64_t chunk, const float* peep, float* gates, const float* c_prev,
                     float* c, float* tanh_c, float* h, float* tmp) {
  for (std::int64_t s = 0; s < n; ++s) {
    float* ai = gates + s * 4 * chunk;
    float *af = ai + chunk, *ag = af + chunk, *ao = ag + chunk;
    const float* cp = c_prev + s * chunk;
    float *cs = c + s * chunk, *tc = tanh_c + s * chunk, *hs = h + s * chunk;
    for (std::int64_t e = 0; e < chunk; ++e) tmp[e] = peep[e] * cp[e];
    for (std::int64_t e = 0; e < chunk; ++e) ai[e] += tmp[e];
    for (std::int64_t e = 0; e < chunk; ++e) ai[e] = sigm(ai[e]);
    for (std::int64_t e = 0; e < chunk; ++e) tmp[e] = peep[chunk + e] * cp[e];
    for (std::int64_t e = 0; e < chunk; ++e) af[e] += tmp[e];
    for (std::int64_t e = 0; e < chunk; ++e) af[e] = sigm(af[e]);
    for (std::int64_t e = 0; e < chunk; ++e) ag[e] = std::tanh(ag[e]);
    for (std::int64_t e = 0; e < chunk; ++e) cs[e] = af[e] * cp[e];
    for (std::int64_t e = 0; e < chunk; ++e) tmp[e] = ai[e] * ag[e];
    for (std::int64_t e = 0; e < chunk; ++e) cs[e] += tmp[e];
    for (std::int64_t e = 0; e < chunk; ++e) tmp[e] = peep[2 * chunk + e] * cs[e];
    for (std::int64_t e = 0; e < chunk; ++e) ao[e] += tmp[e];
    for (std::int64_t e = 0; e < chunk; ++e) ao[e] = sigm(ao[e]);
    for (std::int64_t e = 0; e < chunk; ++e) tc[e] = std::tanh(cs[e]);
    for (std::int64_t e = 0; e < chunk; ++e) hs[e] = ao[e] * tc[e];
  }
}

void unfused_backward(std::int64_t n, std::int64_t chunk, const float* peep, const float* gates,
                      const float* c_prev, const float* tanh_c, const float* dh, const float* dc,
                      float* dgates, float* dc_prev, float* dpeep, float* dct, float* tmp) {
  for (std::int64_t s = 0; s < n; ++s) {
    const float* i = gates + s * 4 * chunk;
    const float *f = i + chunk, *g = f + chunk, *o = g + chunk;
    float* di = dgates + s * 4 * chunk;
    float *df = di + chunk, *dg = df + chunk, *dout = dg + chunk;
    const float *cp = c_prev + s * chunk, *tc = tanh_c + s * chunk, *dhs = dh + s * chunk,
                *dcs = dc + s * chunk;
    float* dcp = dc_prev + s * chunk;
    for (std::int64_t e = 0; e < chunk; ++e) dout[e] = dhs[e] * tc[e];                 // ∂o
    for (std::int64_t e = 0; e < chunk; ++e) dout[e] *= o[e] * (1.0f - o[e]);          // through σ
    for (std::int64_t e = 0; e < chunk; ++e) dct[e] = dhs[e] * o[e];                   // ∂tanh c
    for (std::int64_t e = 0; e < chunk; ++e) dct[e] *= 1.0f - tc[e] * tc[e];           // through tanh
    for (std::int64_t e = 0; e < chunk; ++e) dct[e] += dcs[e];                         // from step t+1
    for (std::int64_t e = 0; e < chunk; ++e) dct[e] += dout[e] * peep[2 * chunk + e];  // peephole of o
    for (std::int64_t e = 0; e < chunk; ++e) dpeep[2 * chunk + e] += dout[e] * tc[e];
    for (std::int64_t e = 0; e < chunk; ++e) di[e] = dct[e] * g[e];
    for (std::int64_t e = 0; e < chunk; ++e) di[e] *= i[e] * (1.0f - i[e]);
    for (std::int64_t e = 0; e < chunk; ++e) dg[e] = dct[e] * i[e];
    for (std::int64_t e = 0; e < chunk; ++e) dg[e] *= 1.0f - g[e] * g[e];
    for (std::int64_t e = 0; e < chunk; ++e) df[e] = dct[e] * cp[e];
    for (std::int64_t e = 0; e < chunk; ++e) df[e] *= f[e] * (1.0f - f[e]);
    for (std::int64_t e = 0; e < chunk; ++e) tmp[e] = dct[e] * f[e];
    for (std::int64_t e = 0; e < chunk; ++e) tmp[e] += di[e] * peep[e];
    for (std::int64_t e = 0; e < chunk; ++e) tmp[e] += df[e] * peep[chunk + e];
    for (std::int64_t e = 0; e < chunk; ++e) dcp[e] += tmp[e];
    for (std::int64_t e = 0; e < chunk; ++e) dpeep[e] += di[e] * cp[e];
    for (std::int64_t e = 0; e < chunk; ++e) dpeep[chunk + e] += df[e] * cp[e];
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace convlstm;
  int threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--threads")
      threads = std::atoi(argv[i + 1]);
    else if (a == "--reps")
      g_reps = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "usage: convlstm_perf_design_bench [--threads N] [--reps N]\n");
      return 2;
    }
  }
  ops::set_threads(threads);
  Rng rng(7);
  const std::int64_t hw = kHW * kHW, state = kB * kF * hw;
  const Conv2dGeometry wh{kB, kF, 4 * kF, kHW, kHW, kK};  // one step's W_h * H
  const auto w = random(4 * kF * kF * kK * kK, rng, -0.05f, 0.05f);
  const auto h_in = random(kT * state, rng);
  const auto dgates = random(kT * 4 * state, rng);
  std::vector<float> gates(kT * 4 * state), grad_w(w.size());

  // Calls per training step of mnist_paper (2 encoder + 2 forecaster layers, 10 steps each).
  const double wh_fwd_calls = kLayers * (kT - 1) + kLayers * kT;  // the encoder skips W_h * 0 at step 0
  const double wh_bwd_calls = 2.0 * kLayers * kT;
  const double gate_calls = 2.0 * kLayers * kT;
  const double batched_x_convs = 2 * kLayers - 1;  // every layer but forecaster layer 0 has W_x

  std::printf(
      "mnist_paper shapes, %d threads, median of %d; per-step saving = (plain - design) x calls per "
      "training step\n",
      ops::max_threads(), g_reps);
  std::printf("%-34s %13s %13s %8s %12s\n", "design step", "design", "plain", "ratio", "saved/step");

  // 1. Primitives made once and reused (the wrapper binds memory once, only set_data_handle per call).
  {
    Conv2dOptions o{false, true, true, false};
    Conv2d reused(wh, Layout::nChw16c, Layout::nChw16c, o);
    reused.set_weights(w.data());
    const double t_reuse = time_it([&] { reused.forward(h_in.data(), nullptr, gates.data()); });
    const double t_create = time_it([&] {
      Conv2d fresh(wh, Layout::nChw16c, Layout::nChw16c, o);
      fresh.set_weights(w.data());
      fresh.forward(h_in.data(), nullptr, gates.data());
    });
    row("1. primitives created once", "create per call", t_reuse, t_create, wh_fwd_calls + wh_bwd_calls);
  }
  // 2. One blocked layout through the time loop.
  {
    Conv2dOptions o{false, true, false, false};
    Conv2d blocked(wh, Layout::nChw16c, Layout::nChw16c, o), plain(wh, Layout::nchw, Layout::nchw, o);
    blocked.set_weights(w.data());
    plain.set_weights(w.data());
    const double tb = time_it([&] { blocked.forward(h_in.data(), nullptr, gates.data()); });
    const double tp = time_it([&] { plain.forward(h_in.data(), nullptr, gates.data()); });
    row("2. nChw16c activations (W_h fwd)", "plain NCHW", tb, tp, wh_fwd_calls);
  }
  // 3. Fused gate math, forward and backward of one step.
  {
    const ops::GateGeometry g{kB, kF, hw, Layout::nChw16c};
    auto peep = random(3 * kF * hw, rng, -0.1f, 0.1f);
    auto pre = random(4 * state, rng);
    auto c_prev = random(state, rng);
    std::vector<float> a(4 * state), c(state), tc(state), h(state), tmp(kF * hw), dct(kF * hw);
    std::vector<float> dg(4 * state), dcp(state), dpeep(3 * kF * hw);
    const auto dh = random(state, rng), dc = random(state, rng);
    const double tf = time_it([&] {
      std::copy(pre.begin(), pre.end(), a.begin());
      ops::lstm_gates_forward(g, peep.data(), a.data(), c_prev.data(), c.data(), h.data());
    });
    const double tu = time_it([&] {
      std::copy(pre.begin(), pre.end(), a.begin());
      unfused_forward(kB, kF * hw, peep.data(), a.data(), c_prev.data(), c.data(), tc.data(), h.data(),
                      tmp.data());
    });
    row("3a. fused gate math, forward", "one pass per op", tf, tu, gate_calls / 2);
    const double tbf = time_it([&] {
      ops::lstm_gates_backward(g, peep.data(), a.data(), c_prev.data(), c.data(), dh.data(), dc.data(),
                               dg.data(), dcp.data(), dpeep.data());
    });
    const double tbu = time_it([&] {
      unfused_backward(kB, kF * hw, peep.data(), a.data(), c_prev.data(), tc.data(), dh.data(), dc.data(),
                       dg.data(), dcp.data(), dpeep.data(), dct.data(), tmp.data());
    });
    row("3b. fused gate math, backward", "one pass per op", tbf, tbu, gate_calls / 2);
  }
  // 4. The input convolution over all steps at once (N = T*B) rather than per step.
  {
    const Conv2dGeometry all{kT * kB, kF, 4 * kF, kHW, kHW, kK};
    Conv2dOptions o{true, false, false, false};
    Conv2d batched(all, Layout::nChw16c, Layout::nChw16c, o),
        per_step(wh, Layout::nChw16c, Layout::nChw16c, o);
    batched.set_weights(w.data());
    per_step.set_weights(w.data());
    const auto bias = random(4 * kF, rng);
    const double tb = time_it([&] { batched.forward(h_in.data(), bias.data(), gates.data()); });
    const double tp = time_it([&] {
      for (std::int64_t t = 0; t < kT; ++t)
        per_step.forward(h_in.data() + t * state, bias.data(), gates.data() + t * 4 * state);
    });
    row("4. W_x over all steps at once", "10 calls of N=16", tb, tp, batched_x_convs);
  }
  // 5. Weight gradients over the stacked steps: one backward-weights call instead of T.
  {
    const Conv2dGeometry all{kT * kB, kF, 4 * kF, kHW, kHW, kK};
    Conv2dOptions o{false, false, false, true};
    Conv2d batched(all, Layout::nChw16c, Layout::nChw16c, o),
        per_step(wh, Layout::nChw16c, Layout::nChw16c, o);
    const double tb =
        time_it([&] { batched.backward_weights(h_in.data(), dgates.data(), grad_w.data(), nullptr); });
    const double tp = time_it([&] {
      for (std::int64_t t = 0; t < kT; ++t)
        per_step.backward_weights(h_in.data() + t * state, dgates.data() + t * 4 * state, grad_w.data(),
                                  nullptr);
    });
    row("5. dW over the stacked steps", "10 calls of N=16", tb, tp, 2.0 * kLayers + batched_x_convs);
  }
  // 6. Work nobody needs: forecaster layer 0 has no input convolution (forward, dW, dX of an N=T*B, 16 -> 256
  // channel convolution), the frames get no data gradient, and the encoder skips W_h * 0 at step 0.
  {
    const Conv2dGeometry x0{kT * kB, kCp, 4 * kF, kHW, kHW, kK};
    Conv2d conv(x0, Layout::nChw16c, Layout::nChw16c, {true, false, true, true});
    Conv2d step0(wh, Layout::nChw16c, Layout::nChw16c, {false, true, false, false});
    const auto wx = random(4 * kF * kCp * kK * kK, rng, -0.05f, 0.05f);
    conv.set_weights(wx.data());
    step0.set_weights(w.data());
    std::vector<float> grad_wx(wx.size()), bias(4 * kF), dbias(4 * kF), dx(kT * kB * kCp * hw);
    const double t_fc0 = time_it([&] {
      conv.forward(h_in.data(), bias.data(), gates.data());
      conv.backward_weights(h_in.data(), dgates.data(), grad_wx.data(), dbias.data());
      conv.backward_data(dgates.data(), dx.data());
    });
    const double t_dframes = time_it([&] { conv.backward_data(dgates.data(), dx.data()); });
    const double t_h0 = time_it([&] { step0.forward(h_in.data(), nullptr, gates.data()); });
    row("6a. no input conv, forecaster 0", "zero input convolved", 0.0, t_fc0, 1);
    row("6b. no data gradient for frames", "computed, unused", 0.0, t_dframes, 1);
    row("6c. no W_h * 0 at encoder step 0", "convolve zeros", 0.0, t_h0, kLayers);
  }
  // 7. One arena for the tape, allocated once: the alternative allocates (and first-touches) every buffer
  // of the tape each training step.
  {
    nn::ModelSpec spec;
    spec.height = spec.width = 64;
    spec.patch = 4;
    spec.layers = {{kF, kK, kK}, {kF, kK, kK}};
    train::Bptt net(spec, kB, kT, kT);
    const std::int64_t floats = net.tape_floats();
    const int buffers = 6 * 2 * kLayers + 3;  // LayerTape's 6 per layer and direction, plus x, y and dy
    const double t_alloc = time_it([&] {
      std::vector<std::unique_ptr<float[]>> parts;
      for (int i = 0; i < buffers; ++i) {
        const std::int64_t n = floats / buffers;
        parts.emplace_back(new float[static_cast<std::size_t>(n)]);
        for (std::int64_t e = 0; e < n; e += 1024) parts.back()[e] = 0.0f;  // first touch: page faults
      }
    });
    row("7. one tape arena, made once", "allocate per step", 0.0, t_alloc, 1);
    std::printf("   (tape of this shape: %.0f MiB in one allocation instead of %d per step)\n",
                floats * 4.0 / (1 << 20), buffers);
  }
  return 0;
}
