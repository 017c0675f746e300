#include "nn/held_biases.hpp"

#include <algorithm>

namespace convlstm::nn {

HeldBiases::HeldBiases(const ModelSpec& spec) : layers_(spec.layers.size()) {
  if (spec.output != OutputActivation::residual) return;
  for (const auto& l : spec.layers) filters_.push_back(l.filters);
  cells_.resize(2 * layers_);
  for (std::size_t k = 0; k < 2 * layers_; ++k)
    cells_[k].assign(static_cast<std::size_t>(4 * filters_[k % layers_]), 0.0f);
  head_.assign(static_cast<std::size_t>(spec.patched_channels()), 0.0f);
}

CellParams HeldBiases::held(CellParams cp, std::size_t slot) {
  if (!active()) return cp;
  auto& b = cells_[slot];
  const std::int64_t f = filters_[slot % layers_];
  std::copy_n(cp.b.data, 4 * f, b.data());
  std::fill(b.begin() + 2 * f, b.begin() + 3 * f, 0.0f);  // gate order i, f, g, o
  cp.b.data = b.data();
  return cp;
}

}  // namespace convlstm::nn
