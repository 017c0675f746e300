// A residual model holds its g-gate biases and its head's bias at zero (nn/model_spec.hpp): the cells and the
// head read copies of the parameters with those parts zeroed. Shared by the training tape (train/bptt.hpp)
// and the inference pass (nn/inference.hpp), so both run exactly the same network.
#pragma once

#include <cstddef>
#include <vector>

#include "nn/model_spec.hpp"
#include "nn/parameters.hpp"

namespace convlstm::nn {

class HeldBiases {
 public:
  explicit HeldBiases(const ModelSpec& spec);

  // False unless the model is residual: then the parameters pass unchanged.
  bool active() const { return !cells_.empty(); }
  // Encoder layer k's parameters as the cell reads them.
  CellParams encoder(const ModelParams& p, std::size_t k) { return held(p.encoder[k], k); }
  // Forecaster layer k's.
  CellParams forecaster(const ModelParams& p, std::size_t k) { return held(p.forecaster[k], layers_ + k); }
  // The head's bias as the head reads it.
  const float* head_bias(const ModelParams& p) const { return active() ? head_.data() : p.head_b.data; }

 private:
  CellParams held(CellParams cp, std::size_t slot);

  std::size_t layers_ = 0;
  std::vector<std::int64_t> filters_;
  std::vector<std::vector<float>> cells_;  // 2L copies of 4F biases: encoder layers, then forecaster layers
  std::vector<float> head_;                // zeros
};

}  // namespace convlstm::nn
