// The ConvLSTM gate math (Shi et al. 2015, eq. 3), fused into one vectorised pass per time step:
//
//   i = σ(a_i + w_ci ∘ c_prev)      f = σ(a_f + w_cf ∘ c_prev)      g = tanh(a_g)
//   c = f ∘ c_prev + i ∘ g
//   o = σ(a_o + w_co ∘ c)           h = o ∘ tanh(c)
//
// where a = W_x * x + W_h * h_prev + b are the gate pre-activations, in gate order i, f, g, o along 4F
// channels.
//
// All tensors are in one activation Layout (see layout.hpp), so element e of sample n's chunk of every
// F-channel tensor and of each gate's chunk is the same (channel, pixel). Peephole weights are passed
// "expanded": one value per element of a sample's chunk, [3][F*H*W] for i, f, o (expand_peepholes), so the
// loops are flat.
#pragma once

#include <cstdint>

#include "ops/layout.hpp"

namespace convlstm::ops {

enum class Peephole { none, channel, pixel };

struct GateGeometry {
  std::int64_t n = 1;   // samples
  std::int64_t f = 1;   // hidden channels F
  std::int64_t hw = 1;  // pixels H*W
  Layout layout = Layout::nchw;

  std::int64_t chunk() const { return f * hw; }  // elements of one sample of an F-channel tensor
};

// gates (N, 4F, H, W): pre-activations in, post-activation i, f, g, o out (kept on the tape).
// c_prev, c, h: (N, F, H, W). peep: expanded [3][F*H*W] or nullptr for Peephole::none.
void lstm_gates_forward(const GateGeometry& g, const float* peep, float* gates, const float* c_prev, float* c,
                        float* h);

// Backward of lstm_gates_forward for one step. Inputs: the forward's gates/c_prev/c (tanh c is recomputed),
// dh = ∂L/∂h (total), dc = ∂L/∂c arriving from later steps (not through h). Outputs: dgates (N, 4F, H, W) =
// ∂L/∂a, ASSIGNED, and may be `gates` itself (the BPTT tape overwrites each step's gates with their
// gradients); dc_prev += ∂L/∂c_prev; dpeep += ∂L/∂peep (expanded, summed over samples; ignored when peep is
// nullptr).
void lstm_gates_backward(const GateGeometry& g, const float* peep, const float* gates, const float* c_prev,
                         const float* c, const float* dh, const float* dc, float* dgates, float* dc_prev,
                         float* dpeep);

// Number of peephole weights per gate: F (channel), F*H*W (pixel), 0 (none).
std::int64_t peephole_size(Peephole mode, std::int64_t f, std::int64_t hw);

// w_c ([3, F] or [3, F, H, W], NCHW order) -> expanded [3][F*H*W] in the layout's chunk order.
void expand_peepholes(Peephole mode, const float* w_c, std::int64_t f, std::int64_t hw, Layout layout,
                      float* expanded);
// The adjoint: dw_c += reduce(d_expanded).
void reduce_peephole_grads(Peephole mode, const float* d_expanded, std::int64_t f, std::int64_t hw,
                           Layout layout, float* dw_c);

}  // namespace convlstm::ops
