// Compiled with -ffast-math so that GCC vectorises exp() (see CMakeLists.txt). Arguments are clamped before
// exp, so no infinities arise inside these loops.
#include "ops/gates.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace convlstm::ops {

namespace {

constexpr std::int64_t kBlock = 1024;  // elements per parallel work item

inline float sigmoid(float x) {
  x = std::min(std::max(x, -80.0f), 80.0f);
  return 1.0f / (1.0f + std::exp(-x));
}
// tanh through the sigmoid, but near zero (where 2 sigmoid(2x) - 1 cancels, and where a vectorised exp(0)
// that is not exactly 1, as on AVX-512, would make tanh(0) a rounding error instead of 0) by its odd
// series x - x³/3 + 2x⁵/15, whose relative error below |x| = 1/16 is under 4e-9: tanh(0) = 0 exactly, so a
// zero pre-activation leaves a zero cell and a dry input stays dry.
inline float tanh_fast(float x) {
  const float x2 = x * x;
  const float series = x * (1.0f + x2 * (-1.0f / 3.0f + x2 * (2.0f / 15.0f)));
  return x2 < 1.0f / 256.0f ? series : 2.0f * sigmoid(2.0f * x) - 1.0f;
}

template <bool kPeep>
void forward_span(std::int64_t len, const float* pi, const float* pf, const float* po, float* gi, float* gf,
                  float* gg, float* go, const float* cp, float* c, float* h) {
#pragma omp simd
  for (std::int64_t e = 0; e < len; ++e) {
    const float i = sigmoid(kPeep ? gi[e] + pi[e] * cp[e] : gi[e]);
    const float f = sigmoid(kPeep ? gf[e] + pf[e] * cp[e] : gf[e]);
    const float gv = tanh_fast(gg[e]);
    const float cv = f * cp[e] + i * gv;
    const float o = sigmoid(kPeep ? go[e] + po[e] * cv : go[e]);
    const float t = tanh_fast(cv);
    gi[e] = i;
    gf[e] = f;
    gg[e] = gv;
    go[e] = o;
    c[e] = cv;
    h[e] = o * t;
  }
}

// Derivatives, with a_* the pre-activations:
// (tanh c is recomputed here rather than kept on the tape; every gate is read before its gradient is written,
// element by element, so dgates may be the gates buffer itself)
//   do = dh ∘ tanh c                  da_o = do ∘ o(1-o)
//   dc_t = dc + dh ∘ o ∘ (1 - tanh² c) + da_o ∘ w_co
//   da_i = dc_t ∘ g ∘ i(1-i)          da_f = dc_t ∘ c_prev ∘ f(1-f)          da_g = dc_t ∘ i ∘ (1-g²)
//   dc_prev += dc_t ∘ f + da_i ∘ w_ci + da_f ∘ w_cf
//   dw_ci += da_i ∘ c_prev            dw_cf += da_f ∘ c_prev                 dw_co += da_o ∘ c
template <bool kPeep>
void backward_span(std::int64_t len, const float* pi, const float* pf, const float* po, const float* gi,
                   const float* gf, const float* gg, const float* go, const float* cp, const float* c,
                   const float* dh, const float* dc, float* dai, float* daf, float* dag, float* dao,
                   float* dcp, float* dpi, float* dpf, float* dpo) {
#pragma omp simd
  for (std::int64_t e = 0; e < len; ++e) {
    const float i = gi[e], f = gf[e], gv = gg[e], o = go[e], t = tanh_fast(c[e]);
    const float da_o = dh[e] * t * o * (1.0f - o);
    float dct = dc[e] + dh[e] * o * (1.0f - t * t);
    if (kPeep) dct += da_o * po[e];
    const float da_i = dct * gv * i * (1.0f - i);
    const float da_f = dct * cp[e] * f * (1.0f - f);
    const float da_g = dct * i * (1.0f - gv * gv);
    dai[e] = da_i;
    daf[e] = da_f;
    dag[e] = da_g;
    dao[e] = da_o;
    float dprev = dct * f;
    if (kPeep) {
      dprev += da_i * pi[e] + da_f * pf[e];
      dpi[e] += da_i * cp[e];
      dpf[e] += da_f * cp[e];
      dpo[e] += da_o * c[e];
    }
    dcp[e] += dprev;
  }
}

}  // namespace

void lstm_gates_forward(const GateGeometry& g, const float* peep, float* gates, const float* c_prev, float* c,
                        float* h) {
  const std::int64_t chunk = g.chunk();
  const std::int64_t blocks = (chunk + kBlock - 1) / kBlock;
  const float* pi = peep;
  const float* pf = peep ? peep + chunk : nullptr;
  const float* po = peep ? peep + 2 * chunk : nullptr;
#pragma omp parallel for collapse(2) schedule(static)
  for (std::int64_t n = 0; n < g.n; ++n) {
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::int64_t e0 = b * kBlock, len = std::min(kBlock, chunk - e0);
      float* base = gates + n * 4 * chunk + e0;
      const std::int64_t s = n * chunk + e0;
      if (peep) {
        forward_span<true>(len, pi + e0, pf + e0, po + e0, base, base + chunk, base + 2 * chunk,
                           base + 3 * chunk, c_prev + s, c + s, h + s);
      } else {
        forward_span<false>(len, nullptr, nullptr, nullptr, base, base + chunk, base + 2 * chunk,
                            base + 3 * chunk, c_prev + s, c + s, h + s);
      }
    }
  }
}

void lstm_gates_backward(const GateGeometry& g, const float* peep, const float* gates, const float* c_prev,
                         const float* c, const float* dh, const float* dc, float* dgates, float* dc_prev,
                         float* dpeep) {
  const std::int64_t chunk = g.chunk();
  const std::int64_t blocks = (chunk + kBlock - 1) / kBlock;
  const float* pi = peep;
  const float* pf = peep ? peep + chunk : nullptr;
  const float* po = peep ? peep + 2 * chunk : nullptr;
  // Parallel over element blocks, samples inside: each thread owns its slice of dpeep, so no races.
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < blocks; ++b) {
    const std::int64_t e0 = b * kBlock, len = std::min(kBlock, chunk - e0);
    for (std::int64_t n = 0; n < g.n; ++n) {
      const float* base = gates + n * 4 * chunk + e0;
      float* dbase = dgates + n * 4 * chunk + e0;
      const std::int64_t s = n * chunk + e0;
      if (peep) {
        backward_span<true>(len, pi + e0, pf + e0, po + e0, base, base + chunk, base + 2 * chunk,
                            base + 3 * chunk, c_prev + s, c + s, dh + s, dc + s, dbase, dbase + chunk,
                            dbase + 2 * chunk, dbase + 3 * chunk, dc_prev + s, dpeep + e0, dpeep + chunk + e0,
                            dpeep + 2 * chunk + e0);
      } else {
        backward_span<false>(len, nullptr, nullptr, nullptr, base, base + chunk, base + 2 * chunk,
                             base + 3 * chunk, c_prev + s, c + s, dh + s, dc + s, dbase, dbase + chunk,
                             dbase + 2 * chunk, dbase + 3 * chunk, dc_prev + s, nullptr, nullptr, nullptr);
      }
    }
  }
}

std::int64_t peephole_size(Peephole mode, std::int64_t f, std::int64_t hw) {
  switch (mode) {
    case Peephole::none:
      return 0;
    case Peephole::channel:
      return f;
    case Peephole::pixel:
      return f * hw;
  }
  return 0;
}

void expand_peepholes(Peephole mode, const float* w_c, std::int64_t f, std::int64_t hw, Layout layout,
                      float* expanded) {
  CONVLSTM_CHECK(mode != Peephole::none, "no peepholes to expand");
  const std::int64_t chunk = f * hw, per_gate = peephole_size(mode, f, hw);
  for (std::int64_t k = 0; k < 3; ++k) {
    for (std::int64_t e = 0; e < chunk; ++e) {
      const std::int64_t ch = channel_of(layout, hw, e);
      const std::int64_t idx = mode == Peephole::channel ? ch : ch * hw + pixel_of(layout, hw, e);
      expanded[k * chunk + e] = w_c[k * per_gate + idx];
    }
  }
}

void reduce_peephole_grads(Peephole mode, const float* d_expanded, std::int64_t f, std::int64_t hw,
                           Layout layout, float* dw_c) {
  CONVLSTM_CHECK(mode != Peephole::none, "no peepholes to reduce");
  const std::int64_t chunk = f * hw, per_gate = peephole_size(mode, f, hw);
  for (std::int64_t k = 0; k < 3; ++k) {
    for (std::int64_t e = 0; e < chunk; ++e) {
      const std::int64_t ch = channel_of(layout, hw, e);
      const std::int64_t idx = mode == Peephole::channel ? ch : ch * hw + pixel_of(layout, hw, e);
      dw_c[k * per_gate + idx] += d_expanded[k * chunk + e];
    }
  }
}

}  // namespace convlstm::ops
