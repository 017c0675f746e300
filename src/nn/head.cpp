#include "nn/head.hpp"

#include <cmath>

namespace convlstm::nn {

OutputHead::OutputHead(std::int64_t n, std::int64_t hidden_sum, std::int64_t out_channels, std::int64_t h,
                       std::int64_t w, ops::Layout hcat_layout, ops::Layout y_layout,
                       OutputActivation activation, ops::Precision precision)
    : activation_(activation),
      conv_({n, hidden_sum, out_channels, h, w, 1}, hcat_layout, y_layout,
            ops::Conv2dOptions{/*bias=*/true, /*accumulate=*/false, /*backward_data=*/true,
                               /*backward_weights=*/true, precision}),
      da_(Shape{n, ops::padded_channels(y_layout, out_channels), h, w}) {}

void OutputHead::set_params(const float* w, const float* b) {
  conv_.set_weights(w);
  bias_ = b;
}

void OutputHead::forward(const float* hcat, float* y) {
  conv_.forward(hcat, bias_, y);
  if (activation_ == OutputActivation::sigmoid) {
    const std::int64_t n = da_.numel();
#pragma omp parallel for simd
    for (std::int64_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-y[i]));
  }
}

void OutputHead::backward(const float* hcat, const float* y, const float* dy, float* dw, float* db,
                          float* dhcat) {
  const std::int64_t n = da_.numel();
  float* da = da_.data();
  if (activation_ == OutputActivation::sigmoid) {
#pragma omp parallel for simd
    for (std::int64_t i = 0; i < n; ++i) da[i] = dy[i] * y[i] * (1.0f - y[i]);  // σ' = y (1 - y)
  } else {
#pragma omp parallel for simd
    for (std::int64_t i = 0; i < n; ++i) da[i] = dy[i];
  }
  conv_.backward_weights(hcat, da, dw, db);
  conv_.backward_data(da, dhcat);
}

}  // namespace convlstm::nn
