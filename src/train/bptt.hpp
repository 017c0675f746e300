// The encoder-forecaster (docs/architecture.md) unrolled over T_in + T_out steps for a fixed batch, with its
// tape and the time loops of forward and backward written out in one place (bptt.cpp).
//
// Forward, layer by layer (every W_x convolution then runs once over all steps of a layer):
//   X = patch(frames)                                    (T_in*B, C p², H', W')
//   encoder layer k = 0..L-1: (H, C)_0 = 0; for t < T_in: (H, C)_{t+1} = cell(X^k_t, H_t, C_t)
//                             X^0 = X, X^{k+1}_t = H^k_{t+1}
//   forecaster layer k:       (H, C)_0 = encoder layer k's (H, C)_{T_in}; X^{k+1} = H^k; for k = 0 no input,
//                             or E = patch(extrapolation) with forecaster_input: extrapolation,
//                             E = patch([extrapolation, gaps]) with extrapolation+gaps
//   y = head([H^0; ...; H^{L-1}] of every forecaster step);  pred = unpatch(y)  (+ extrapolation: residual)
//   residual with output_filter tent: pred = extrapolation + tent(unpatch(y))  (nn::patch_tent)
// Backward is the same read in reverse: head, forecaster layers top-down (each reversed in time), the
// forecaster's initial-state gradients into the encoder's final states, encoder layers top-down.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/conv_lstm_cell.hpp"
#include "nn/head.hpp"
#include "nn/held_biases.hpp"
#include "nn/model_spec.hpp"
#include "nn/parameters.hpp"
#include "tensor/tensor.hpp"

namespace convlstm::train {

// One layer's slice of the tape, all in the state layout. Slot 0 of h, c, dh is the initial state.
// Memory per step and sample is 7F values (gates 4F, C, H, dH) plus two dC slots per layer: backward
// overwrites each step's gates with their gradients once it has read them, tanh C is recomputed rather than
// kept, and ∂L/∂C only ever needs the current and the previous step.
struct LayerTape {
  std::int64_t steps = 0;
  float* gates = nullptr;  // (T*B, 4F, H', W') post-activation i, f, g, o; after backward: ∂L/∂a
  float* c = nullptr;      // ((T+1)*B, F, H', W')
  float* h = nullptr;      // ((T+1)*B, F, H', W')
  float* dh = nullptr;  // ((T+1)*B, F, H', W') ∂L/∂H, accumulated from the head, the layer above, step t+1
  float* dc = nullptr;  // (2*B, F, H', W'): slot 0 ∂L/∂C_T on entry to the layer's backward, ∂L/∂C_0 on exit
  float* dpeep = nullptr;  // expanded peephole gradient, summed over steps
};

class Bptt {
 public:
  // precision and algorithm: of the cells' convolutions (ops/conv2d.hpp); the tape, gate math and gradients
  // stay fp32.
  Bptt(const nn::ModelSpec& spec, std::int64_t batch, std::int64_t t_in, std::int64_t t_out,
       ops::Precision precision = ops::Precision::fp32,
       ops::ConvAlgorithm algorithm = ops::ConvAlgorithm::direct);
  Bptt(const Bptt&) = delete;
  Bptt& operator=(const Bptt&) = delete;

  // inputs (B, T_in, C, H, W) -> pred (B, T_out, C, H, W). Records the tape for backward. extrapolation
  // (B, T_out, C, H, W), normalised like the inputs: the extrapolation nowcast of every lead, required when
  // spec.needs_extrapolation() (and ignored otherwise); gaps (same shape, 0 or 1): where it has no source,
  // required when spec.needs_gaps(); noise (B, K, H, W): each sequence's noise planes (nn/noise.hpp),
  // required when spec.stochastic().
  void forward(const nn::ModelParams& params, const float* inputs, float* pred,
               const float* extrapolation = nullptr, const float* gaps = nullptr,
               const float* noise = nullptr);
  // dpred = ∂L/∂pred (B, T_out, C, H, W) -> grads += ∂L/∂params, for the parameters and inputs of the last
  // forward (the tape and the cells' prepared weights hold them). Consumes the tape: one backward per
  // forward; a second backward without a forward in between throws Error instead of giving wrong gradients.
  void backward(const float* dpred, nn::ModelParams& grads);
  bool tape_recorded() const { return tape_recorded_; }
  // The shape of pred and dpred: (B, T_out, C, H, W).
  Shape output_shape() const { return Shape{b_, t_out_, spec_.channels, spec_.height, spec_.width}; }

  std::int64_t tape_floats() const { return tape_.numel(); }
  // The oneDNN kernels of encoder layer 0 (what a benchmark wants to see first).
  std::string kernels() const { return enc_cells_.front().kernels(); }
  // Nominal FLOPs of one forward and of one backward (convolutions only, in-image taps).
  double forward_flops() const;
  double backward_flops() const;

 private:
  void set_params(const nn::ModelParams& params);
  std::vector<const float*> forecaster_outputs() const;  // each forecaster layer's H_{1..T_out}, stacked
  void run_layer_forward(nn::ConvLstmCell& cell, LayerTape& tape, const float* x, bool zero_initial_state);
  void run_layer_backward(nn::ConvLstmCell& cell, LayerTape& tape, const float* x, nn::CellParams& grads,
                          float* dx, bool initial_state_needs_grad);

  nn::ModelSpec spec_;
  std::int64_t b_, t_in_, t_out_;
  ops::Layout state_layout_, x_layout_, y_layout_;
  std::vector<nn::ConvLstmCell> enc_cells_, fc_cells_;
  nn::OutputHead head_;
  // Residual output: the biases held at zero (the cells and the head read its copies), and a scratch that
  // keeps the held gradients unchanged.
  nn::HeldBiases held_;
  std::vector<float> held_grad_;

  Tensor tape_;  // one arena for everything below
  // Precision::bf16: one layer's gate gradients rounded to bf16 by the steps, read again by the weight
  // gradients (layers run one after another, so one layer's worth serves all).
  std::vector<std::uint16_t> dgates_bf16_;
  std::vector<LayerTape> enc_, fc_;
  float* x_ = nullptr;   // (T_in*B, C p², H', W') patched inputs (channels padded in nChw16c)
  float* xe_ = nullptr;  // (T_out*B, C_f p², H', W') forecaster layer 0's patched input: the extrapolation,
                         // its gaps, the noise (ModelSpec::forecaster_frame_channels)
  std::vector<float> eg_;  // with gaps or noise: the (B, T_out, C_f, H, W) frames patched into xe_
  float* y_ = nullptr;     // (T_out*B, C p², H', W') head output
  float* dy_ = nullptr;    // same
  float* corr_ = nullptr;  // (B, T_out, C, H, W) the unfiltered correction (output_filter tent), or ∂L/∂it
  bool tape_recorded_ = false;  // a forward filled the tape and no backward has consumed it yet
};

}  // namespace convlstm::train
