// The encoder-forecaster's forward pass without the training tape (docs/architecture.md): what predict,
// evaluate and bench's inference figure run. It computes exactly what train/bptt.hpp's forward computes
// (the same cells, head, patching, held biases, tent and residual; a test requires the forecasts to be
// equal), but step by step in time, all layers at each step, so that it holds one step's gates and two
// states per layer instead of every step's: its memory follows one frame, not T_in + T_out of them.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/conv_lstm_cell.hpp"
#include "nn/head.hpp"
#include "nn/held_biases.hpp"
#include "nn/model_spec.hpp"
#include "nn/parameters.hpp"
#include "tensor/tensor.hpp"

namespace convlstm::nn {

class Inference {
 public:
  // The convolutions run in `precision` with `algorithm` (ops/conv2d.hpp); forecasts use fp32.
  Inference(const ModelSpec& spec, std::int64_t batch, std::int64_t t_in, std::int64_t t_out,
            ops::ConvAlgorithm algorithm = ops::ConvAlgorithm::direct,
            ops::Precision precision = ops::Precision::fp32);
  Inference(const Inference&) = delete;
  Inference& operator=(const Inference&) = delete;

  // inputs (B, T_in, C, H, W) -> pred (B, T_out, C, H, W), normalised; extrapolation and gaps as for
  // train::Bptt::forward (required when the spec needs them), and noise (B, K, H, W) for a stochastic model.
  void forward(const ModelParams& params, const float* inputs, float* pred,
               const float* extrapolation = nullptr, const float* gaps = nullptr,
               const float* noise = nullptr);

  const ModelSpec& spec() const { return spec_; }
  // The floats of its working buffers (states, one step's gates and frames).
  std::int64_t scratch_floats() const { return arena_.numel(); }

 private:
  // One layer's states: H and C of the previous and the current step (they swap), and one step's gates.
  struct LayerState {
    float* h[2] = {nullptr, nullptr};
    float* c[2] = {nullptr, nullptr};
    float* gates = nullptr;
    int cur = 0;  // h[cur], c[cur]: the latest state
  };

  void set_params(const ModelParams& params);
  // One step of layer k's cell from its latest state (zero_state: the initial state is zero, skip W_h * H).
  void step(ConvLstmCell& cell, LayerState& s, const float* x, bool zero_state);
  // Frame t of every sequence of a (B, T, C', H, W) tensor, patched into `dst` (C' = c channels).
  void patch_step(const float* frames, std::int64_t t, std::int64_t steps, std::int64_t c, float* dst);

  ModelSpec spec_;
  std::int64_t b_, t_in_, t_out_;
  ops::Layout state_layout_, x_layout_;
  std::vector<ConvLstmCell> enc_cells_, fc_cells_;
  OutputHead head_;
  HeldBiases held_;
  std::vector<LayerState> states_;
  Tensor arena_;                     // every buffer below and in states_
  float* x_ = nullptr;               // one step's patched input (B, C p², H', W')
  float* xe_ = nullptr;              // one step's patched forecaster input (extrapolation, with its gaps)
  float* y_ = nullptr;               // one step's head output
  std::vector<float> frame_, corr_;  // one step's frames (B, C' , H, W) and the unfiltered correction
};

// Nominal FLOPs of one forward pass (convolutions only, in-image taps) of a batch of `batch`.
double forward_flops(const ModelSpec& spec, std::int64_t batch, std::int64_t t_in, std::int64_t t_out);

}  // namespace convlstm::nn
