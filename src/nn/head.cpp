#include "nn/head.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace convlstm::nn {

OutputHead::OutputHead(std::int64_t n, std::int64_t batch, const std::vector<std::int64_t>& filters,
                       std::int64_t out_channels, std::int64_t h, std::int64_t w, ops::Layout h_layout,
                       ops::Layout y_layout, OutputActivation activation, ops::Precision precision)
    : activation_(activation),
      out_channels_(out_channels),
      filters_(filters),
      da_(Shape{n, ops::padded_channels(y_layout, out_channels), h, w}) {
  CONVLSTM_CHECK(!filters.empty(), "a head needs at least one layer");
  std::int64_t offset = 0;
  for (std::size_t k = 0; k < filters.size(); ++k) {
    ops::Conv2dOptions o;
    o.bias = k == 0;       // layer 0's convolution writes y with the bias,
    o.accumulate = k > 0;  // the others add onto it
    o.backward_data = true;
    o.backward_weights = true;
    o.precision = precision;
    o.max_batch = batch;  // backward-data adds through a scratch of one step, not of all T_out steps
    convs_.emplace_back(ops::Conv2dGeometry{n, filters[k], out_channels, h, w, 1}, h_layout, y_layout, o);
    offsets_.push_back(offset);
    offset += filters[k];
    w_.emplace_back(static_cast<std::size_t>(out_channels * filters[k]));
    dw_.emplace_back(static_cast<std::size_t>(out_channels * filters[k]));
  }
}

void OutputHead::set_params(const float* w, const float* b) {
  const std::int64_t sum_f = offsets_.back() + filters_.back();
  for (std::size_t k = 0; k < convs_.size(); ++k) {
    for (std::int64_t o = 0; o < out_channels_; ++o)
      std::copy_n(w + o * sum_f + offsets_[k], filters_[k], w_[k].data() + o * filters_[k]);
    convs_[k].set_weights(w_[k].data());
  }
  bias_ = b;
}

void OutputHead::forward(const std::vector<const float*>& hs, float* y) {
  CONVLSTM_CHECK(hs.size() == convs_.size(),
                 "head: " << hs.size() << " layers given, " << convs_.size() << " expected");
  da_ready_ = false;
  for (std::size_t k = 0; k < convs_.size(); ++k) convs_[k].forward(hs[k], k == 0 ? bias_ : nullptr, y);
  if (activation_ == OutputActivation::sigmoid) {
    const std::int64_t n = da_.numel();
#pragma omp parallel for simd
    for (std::int64_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-y[i]));
  }
}

void OutputHead::backward_params(const std::vector<const float*>& hs, const float* y, const float* dy,
                                 float* dw, float* db) {
  const std::int64_t n = da_.numel();
  float* da = da_.data();
  if (activation_ == OutputActivation::sigmoid) {
#pragma omp parallel for simd
    for (std::int64_t i = 0; i < n; ++i) da[i] = dy[i] * y[i] * (1.0f - y[i]);  // σ' = y (1 - y)
  } else {
#pragma omp parallel for simd
    for (std::int64_t i = 0; i < n; ++i) da[i] = dy[i];
  }
  const std::int64_t sum_f = offsets_.back() + filters_.back();
  for (std::size_t k = 0; k < convs_.size(); ++k) {
    std::fill(dw_[k].begin(), dw_[k].end(), 0.0f);
    convs_[k].backward_weights(hs[k], da, dw_[k].data(), k == 0 ? db : nullptr);
    for (std::int64_t o = 0; o < out_channels_; ++o)
      for (std::int64_t i = 0; i < filters_[k]; ++i)
        dw[o * sum_f + offsets_[k] + i] += dw_[k][static_cast<std::size_t>(o * filters_[k] + i)];
  }
  da_ready_ = true;
}

void OutputHead::backward_data(std::size_t k, float* dh_k) {
  CONVLSTM_CHECK(da_ready_, "head backward_data before backward_params of the last forward");
  convs_.at(k).backward_data(da_.data(), dh_k);
}

}  // namespace convlstm::nn
