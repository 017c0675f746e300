// The output head (design 5.2): at every forecaster step, a 1x1 convolution over the channel concatenation of
// all forecaster layers' H, then a sigmoid or identity:
//
//   y = act(W_head * [H^0; H^1; ...; H^{L-1}] + b_head)        (C p² channels)
//
// Run once over all T_out steps stacked (N = T_out*B). Backward accumulates dW, db and dhcat (+=).
#pragma once

#include <cstdint>

#include "nn/model_spec.hpp"
#include "ops/conv2d.hpp"
#include "tensor/tensor.hpp"

namespace convlstm::nn {

class OutputHead {
 public:
  // n = T_out*B samples of [ΣF, H', W'] in hcat_layout -> [C p², H', W'] in y_layout.
  OutputHead(std::int64_t n, std::int64_t hidden_sum, std::int64_t out_channels, std::int64_t h,
             std::int64_t w, ops::Layout hcat_layout, ops::Layout y_layout, OutputActivation activation,
             ops::Precision precision = ops::Precision::fp32);

  void set_params(const float* w, const float* b);
  void forward(const float* hcat, float* y);
  // dy = ∂L/∂y (N, C p², H', W'); dw (C p², ΣF) +=, db (C p²) +=, dhcat (N, ΣF, H', W') +=.
  void backward(const float* hcat, const float* y, const float* dy, float* dw, float* db, float* dhcat);

 private:
  OutputActivation activation_;
  ops::Conv2d conv_;
  Tensor da_;  // ∂L/∂(pre-activation), (N, C p², H', W')
  const float* bias_ = nullptr;
};

}  // namespace convlstm::nn
