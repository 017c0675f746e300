// Plain stochastic gradient descent, θ ← θ - lr · g, over a whole parameter arena.
#pragma once

#include "tensor/tensor.hpp"

namespace convlstm::train {

void sgd_step(const TensorView& params, const TensorView& grads, float lr);

}  // namespace convlstm::train
