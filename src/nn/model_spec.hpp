// The shape of an encoder-forecaster (design 5.2): plain data, filled from the config's `model:` section.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/gates.hpp"

namespace convlstm::nn {

using ops::Peephole;

struct LayerSpec {
  std::int64_t filters = 64;  // F
  std::int64_t k_x = 3;       // input-to-state kernel
  std::int64_t k_h = 3;       // state-to-state kernel
};

enum class OutputActivation { sigmoid, identity };

struct ModelSpec {
  std::int64_t channels = 1;                              // C of a frame
  std::int64_t height = 64;                               // H of a frame, before patching
  std::int64_t width = 64;                                // W of a frame, before patching
  std::int64_t patch = 2;                                 // p: space-to-depth factor
  std::vector<LayerSpec> layers{{64, 3, 3}, {64, 3, 3}};  // encoder bottom-up; the forecaster mirrors it
  Peephole peephole = Peephole::channel;
  float forget_bias = 1.0f;
  OutputActivation output = OutputActivation::sigmoid;

  std::int64_t patched_channels() const { return channels * patch * patch; }  // C p²
  std::int64_t grid_h() const { return height / patch; }                      // H' = H / p
  std::int64_t grid_w() const { return width / patch; }                       // W' = W / p
  std::int64_t hidden_sum() const;  // ΣF over layers: the head's input channels
  // Activations run in nChw16c when every layer's F is a multiple of 16 (see ops/layout.hpp).
  bool blocked_layout() const;
  // Throws ConfigError naming the offending `model.*` key.
  void validate() const;
  std::string str() const;  // "(5x5)-5x5-128-5x5-64, patch 4, 64x64x1"
};

std::string to_string(Peephole p);
std::string to_string(OutputActivation a);

}  // namespace convlstm::nn
