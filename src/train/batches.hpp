// Assembles training and validation batches from dataset windows: inputs (B, T_in, C, H, W), targets and
// their observed-pixel mask (B, T_out, C, H, W), all normalised to [0, 1], and for the advection-conditioned
// model the extrapolation nowcast of every lead (B, T_out, C, H, W), normalised. Buffers are allocated once.
//
// The extrapolation of a window depends on its input frames alone (motion/extrapolation.hpp), so it is
// computed the first time the window is loaded and kept, up to kExtrapolationCacheBytes; later epochs read
// it back. A cached copy is bit-identical to a fresh computation, so exact resume does not depend on what
// the cache held.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "data/windows.hpp"
#include "motion/extrapolation.hpp"
#include "nn/model_spec.hpp"
#include "tensor/tensor.hpp"

namespace convlstm::train {

struct Batch {
  Tensor inputs;           // (B, T_in, C, H, W)
  Tensor targets;          // (B, T_out, C, H, W)
  Tensor mask;             // (B, T_out, C, H, W): 1 observed, 0 nodata or padding
  std::int64_t valid = 0;  // sequences that are real (the rest pad a short final validation batch)
  Tensor extrapolation;    // (B, T_out, C, H, W), normalised; empty unless the loader extrapolates
};

// The extrapolator a model of `spec` needs (nullptr when it reads none), for windows of t_in + t_out frames
// of `quantity` normalised by `norm`; flow_method is model.flow_method (dis | farneback).
std::unique_ptr<motion::Extrapolator> make_extrapolator(const nn::ModelSpec& spec, std::int64_t t_in,
                                                        std::int64_t t_out, const data::Normalizer& norm,
                                                        const std::string& quantity,
                                                        const std::string& flow_method);

constexpr std::int64_t kExtrapolationCacheBytes = std::int64_t{1} << 30;

class BatchLoader {
 public:
  // extrapolator: given, every batch carries the extrapolation of its windows.
  BatchLoader(const data::WindowReader& reader, std::int64_t batch, std::int64_t t_in, std::int64_t t_out,
              std::unique_ptr<motion::Extrapolator> extrapolator = nullptr);

  // Fills the batch from the windows starting at starts[0..n) (n <= B; missing sequences are masked padding).
  Batch& load(const std::int64_t* starts, std::int64_t n);

  // Wall time spent computing extrapolations (motion and advection) so far, and how many were computed and
  // how many read from the cache.
  double extrapolation_seconds() const { return extrapolation_s_; }
  std::int64_t extrapolations_computed() const { return computed_; }
  std::int64_t extrapolations_cached() const { return reused_; }

 private:
  const float* extrapolation_of(std::int64_t start);

  const data::WindowReader& reader_;
  std::int64_t b_, t_in_, t_out_;
  Batch batch_;
  std::vector<float> frames_, frame_mask_;  // one window, (T_in + T_out, C, H, W)
  std::unique_ptr<motion::Extrapolator> extrapolator_;
  std::unordered_map<std::int64_t, std::vector<float>> cache_;  // window start -> its extrapolation
  std::vector<float> scratch_;                                  // one extrapolation, when the cache is full
  double extrapolation_s_ = 0.0;
  std::int64_t computed_ = 0, reused_ = 0;
};

}  // namespace convlstm::train
