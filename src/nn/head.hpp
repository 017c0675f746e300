// The output head (docs/architecture.md): at every forecaster step, a 1x1 convolution over the channel
// concatenation of all forecaster layers' H, then a sigmoid or identity:
//
//   y = act(W_head * [H^0; H^1; ...; H^{L-1}] + b_head)        (C p² channels)
//
// computed without building the concatenation: W_head splits by input channels into W^k (C p² x F_k), and
// y = act(Σ_k W^k * H^k + b_head), one 1x1 convolution per layer reading that layer's H where the tape holds
// it. Each runs once over all T_out steps stacked (N = T_out*B). The backward comes in two parts so the BPTT
// can add each layer's share of dH when it wants it: backward_params (dW, db +=, keeps ∂L/∂a) and
// backward_data (dH^k +=).
#pragma once

#include <cstdint>
#include <vector>

#include "nn/model_spec.hpp"
#include "ops/conv2d.hpp"
#include "tensor/tensor.hpp"

namespace convlstm::nn {

class OutputHead {
 public:
  // n = T_out*B samples; layer k's H is [n, filters[k], H', W'] in h_layout; y [n, C p², H', W'] in
  // y_layout. `batch` (B) bounds the samples per backward-data call (its scratch is one step's worth).
  OutputHead(std::int64_t n, std::int64_t batch, const std::vector<std::int64_t>& filters,
             std::int64_t out_channels, std::int64_t h, std::int64_t w, ops::Layout h_layout,
             ops::Layout y_layout, OutputActivation activation,
             ops::Precision precision = ops::Precision::fp32);

  // w (C p², ΣF) as in the parameter table, b (C p²). Once per update.
  void set_params(const float* w, const float* b);
  // hs[k] = layer k's H over the stacked steps -> y.
  void forward(const std::vector<const float*>& hs, float* y);
  // dy = ∂L/∂y -> dw (C p², ΣF) +=, db (C p²) +=; keeps ∂L/∂(pre-activation) for backward_data.
  void backward_params(const std::vector<const float*>& hs, const float* y, const float* dy, float* dw,
                       float* db);
  // dh_k (n, F_k, H', W') += W^kᵀ * ∂L/∂a, after backward_params (which keeps ∂L/∂a until the next forward;
  // called before it, this throws Error).
  void backward_data(std::size_t k, float* dh_k);

 private:
  OutputActivation activation_;
  std::int64_t out_channels_;
  std::vector<std::int64_t> filters_, offsets_;  // F_k and the first column of W^k in W_head
  std::vector<ops::Conv2d> convs_;
  std::vector<std::vector<float>> w_, dw_;  // dense W^k and scratch for dW^k, (C p², F_k)
  Tensor da_;                               // ∂L/∂(pre-activation), (n, C p², H', W')
  bool da_ready_ = false;                   // backward_params filled da_ for the last forward
  const float* bias_ = nullptr;
};

}  // namespace convlstm::nn
