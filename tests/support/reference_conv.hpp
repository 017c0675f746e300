// Naive reference loops for testing: same-padded stride-1 convolution in NCHW / OIHW with double
// accumulation, and small helpers. These define what the oneDNN wrappers must compute.
#pragma once

#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "ops/conv2d.hpp"

namespace convlstm::test {

// dst = W * src + b (b may be nullptr). Assigns.
void ref_conv_forward(const ops::Conv2dGeometry& g, const float* src, const float* w, const float* b,
                      float* dst);
// diff_src = W^T * diff_dst. Assigns.
void ref_conv_backward_data(const ops::Conv2dGeometry& g, const float* diff_dst, const float* w,
                            float* diff_src);
// diff_w = diff_dst ⋆ src, diff_b = Σ diff_dst (diff_b may be nullptr). Assigns.
void ref_conv_backward_weights(const ops::Conv2dGeometry& g, const float* src, const float* diff_dst,
                               float* diff_w, float* diff_b);

std::vector<float> random_vector(std::int64_t n, Rng& rng, float lo = -1.0f, float hi = 1.0f);
// max_i |a_i - b_i| / max(1, |b_i|)
double max_rel_diff(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace convlstm::test
