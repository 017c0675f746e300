#include "train/sgd.hpp"

#include "core/error.hpp"

namespace convlstm::train {

void sgd_step(const TensorView& params, const TensorView& grads, float lr) {
  CONVLSTM_CHECK(params.numel() == grads.numel(), "params " << params.shape << " vs grads " << grads.shape);
  const std::int64_t n = params.numel();
  float* p = params.data;
  const float* g = grads.data;
#pragma omp parallel for simd
  for (std::int64_t i = 0; i < n; ++i) p[i] -= lr * g[i];
}

}  // namespace convlstm::train
