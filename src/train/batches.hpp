// Assembles training and validation batches from dataset windows: inputs (B, T_in, C, H, W), targets and
// their observed-pixel mask (B, T_out, C, H, W), all normalised to [0, 1]. Buffers are allocated once.
#pragma once

#include <cstdint>
#include <vector>

#include "data/windows.hpp"
#include "tensor/tensor.hpp"

namespace convlstm::train {

struct Batch {
  Tensor inputs;           // (B, T_in, C, H, W)
  Tensor targets;          // (B, T_out, C, H, W)
  Tensor mask;             // (B, T_out, C, H, W): 1 observed, 0 nodata or padding
  std::int64_t valid = 0;  // sequences that are real (the rest pad a short final validation batch)
};

class BatchLoader {
 public:
  BatchLoader(const data::WindowReader& reader, std::int64_t batch, std::int64_t t_in, std::int64_t t_out);

  // Fills the batch from the windows starting at starts[0..n) (n <= B; missing sequences are masked padding).
  Batch& load(const std::int64_t* starts, std::int64_t n);

 private:
  const data::WindowReader& reader_;
  std::int64_t b_, t_in_, t_out_;
  Batch batch_;
  std::vector<float> frames_, frame_mask_;  // one window, (T_in + T_out, C, H, W)
};

}  // namespace convlstm::train
