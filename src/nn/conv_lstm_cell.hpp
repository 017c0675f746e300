// One ConvLSTM layer (Shi et al. 2015, eq. 3) run over T steps of a batch of B:
//
//   a_t = W_x * X_t + W_h * H_{t-1} + b                (4F channels, gate order i, f, g, o)
//   i_t = σ(a_i + w_ci ∘ C_{t-1})    f_t = σ(a_f + w_cf ∘ C_{t-1})    g_t = tanh(a_g)
//   C_t = f_t ∘ C_{t-1} + i_t ∘ g_t
//   o_t = σ(a_o + w_co ∘ C_t)        H_t = o_t ∘ tanh(C_t)
//
// The cell owns the convolution plans for its shapes, made once: W_x over all T steps at once (N = T*B), W_h
// per step (N = B), and the weight gradients of both over the stacked steps (N = T*B), one call each. It
// holds no per-step state: the caller's tape passes every buffer in. Activations are in the cell's Layouts
// (ops/layout.hpp); parameters are the dense views of nn/parameters.hpp.
//
// Backward contract: dgates_t and dx are assigned (tape buffers); every other gradient output is accumulated
// (+=).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nn/model_spec.hpp"
#include "nn/parameters.hpp"
#include "ops/conv2d.hpp"
#include "ops/gates.hpp"
#include "tensor/tensor.hpp"

namespace convlstm::nn {

struct CellShape {
  std::int64_t b = 1;  // batch B
  std::int64_t c = 0;  // input channels C; 0: no input (forecaster layer 0)
  std::int64_t f = 1;  // hidden channels F
  std::int64_t h = 1;  // H' (patched grid)
  std::int64_t w = 1;  // W'
  std::int64_t k_x = 3;
  std::int64_t k_h = 3;
  Peephole peephole = Peephole::channel;
  ops::Precision precision = ops::Precision::fp32;  // of the convolutions (gate math is always fp32)
  ops::ConvAlgorithm algorithm = ops::ConvAlgorithm::direct;

  bool has_input() const { return c > 0; }
};

// The shape of encoder (or forecaster) layer k of `spec` for a batch of `batch`.
CellShape cell_shape(const ModelSpec& spec, std::size_t k, bool forecaster, std::int64_t batch,
                     ops::Precision precision, ops::ConvAlgorithm algorithm);

class ConvLstmCell {
 public:
  // `steps` is T; x_layout is the input's layout, state_layout that of H, C and the gates. A cell that is not
  // trainable runs forward only (inference): no backward passes or weight-gradient plans are made.
  ConvLstmCell(const CellShape& shape, std::int64_t steps, ops::Layout x_layout, ops::Layout state_layout,
               bool trainable = true);

  const CellShape& shape() const { return s_; }
  ops::GateGeometry gate_geometry() const { return {s_.b, s_.f, s_.h * s_.w, state_layout_}; }
  std::int64_t peephole_expanded_size() const;
  // The oneDNN kernels behind W_x and W_h, for logs and benchmarks.
  std::string kernels() const;  // floats of the dpeep buffer backward_step accumulates into

  // Takes the parameters for the next forward/backward: reorders weights, expands peepholes. Once per update.
  void set_params(const CellParams& p);

  // a_t = W_x * X_t + b for all steps at once: x (T*B, C, H', W'), gates (T*B, 4F, H', W'). No-op without
  // input.
  void forward_input(const float* x, float* gates);
  // One step: a_t += W_h * H_{t-1} (skipped when h_prev_zero), then the gate math. gates_t holds a_t on entry
  // and the post-activation i, f, g, o on exit. h_prev, c_prev, c, h: (B, F, H', W').
  void forward_step(const float* h_prev, bool h_prev_zero, const float* c_prev, float* gates_t, float* c,
                    float* h);

  // One step back, reading the forward's tape. dh = ∂L/∂H_t (total), dc = ∂L/∂C_t from later steps.
  // dgates_t = ∂L/∂a_t (assigned; may be gates_t itself, which the BPTT tape does to save memory);
  // dc_prev += ∂L/∂C_{t-1}; dh_prev += W_hᵀ * dgates_t unless nullptr; dpeep += expanded peephole gradient
  // (nullptr with peephole none). In Precision::bf16, dgates_t_bf16 (optional) receives dgates_t rounded to
  // bf16, which the step's own backward-data reads and backward_params can reuse.
  void backward_step(const float* gates_t, const float* c_prev, const float* c, const float* dh,
                     const float* dc, float* dgates_t, float* dh_prev, float* dc_prev, float* dpeep,
                     std::uint16_t* dgates_t_bf16 = nullptr);
  // After all steps: grads.{w_x, w_h, b, w_c} += from the stacked steps (x (T*B, C, ...), h_prevs (T*B, F,
  // ...) = H_{t-1} stacked, dgates (T*B, 4F, ...), dpeep expanded); dx = W_xᵀ * dgates unless nullptr
  // (ASSIGNED, not accumulated: the caller adds other contributions to dx afterwards). dgates_bf16: the
  // bf16 copies backward_step wrote (Precision::bf16), or nullptr.
  void backward_params(const float* x, const float* h_prevs, const float* dgates, const float* dpeep,
                       CellParams& grads, float* dx, const std::uint16_t* dgates_bf16 = nullptr);

 private:
  CellShape s_;
  std::int64_t steps_;
  ops::Layout state_layout_;
  ops::Conv2d conv_h_;                      // W_h * H_{t-1}, N = B: forward, backward-data
  std::optional<ops::Conv2d> conv_h_grad_;  // dW_h over the stacked steps, N = T*B (trainable cells)
  std::optional<ops::Conv2d> conv_x_;       // W_x * X over the stacked steps, N = T*B; absent without input
  Tensor peep_;                             // expanded peepholes [3][F*H'*W']
  const float* bias_ = nullptr;             // b (4F), from set_params
};

// The cells of an encoder-forecaster, layer by layer: encoder cells of enc_steps steps and forecaster cells
// of fc_steps (layer 0 reads x_layout, the others the state layout), after checking the shapes. Shared by the
// training tape (train/bptt.hpp) and the inference pass (nn/inference.hpp).
void make_cells(const ModelSpec& spec, std::int64_t batch, std::int64_t enc_steps, std::int64_t fc_steps,
                ops::Layout x_layout, ops::Layout state_layout, ops::Precision precision,
                ops::ConvAlgorithm algorithm, bool trainable, std::vector<ConvLstmCell>& encoder,
                std::vector<ConvLstmCell>& forecaster);

}  // namespace convlstm::nn
