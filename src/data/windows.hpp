// Training and validation windows over a dataset, and reading one window as network input.
//
// A window is t_in + t_out consecutive frames starting at `start`; windows start every `stride` frames inside
// a run of consecutive frames (a segment, further cut at gaps in time), and never cross a run's end. Without
// a separate validation file, the last val_fraction of each run (rounded up, at least one window long) is
// validation, time-blocked: no training window touches those frames.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "data/dataset.hpp"
#include "data/normalize.hpp"

namespace convlstm::data {

struct WindowSplit {
  std::vector<std::int64_t> train;  // window start frames
  std::vector<std::int64_t> val;
};

// All windows of the file in run order (for a separate validation file, or evaluation).
std::vector<std::int64_t> all_windows(const DatasetMeta& meta, std::int64_t window, std::int64_t stride);
// Train windows and the held-out tail of each run as validation windows.
WindowSplit split_windows(const DatasetMeta& meta, std::int64_t window, std::int64_t stride,
                          double val_fraction);

// The order of training windows in `epoch`: a permutation of [0, n) determined by (seed, epoch) alone, so a
// resumed run replays exactly the same order.
std::vector<std::int64_t> epoch_order(std::int64_t n, std::uint64_t seed, std::int64_t epoch);

// A window of one of several datasets (data.train's files, in order).
struct WindowRef {
  std::int64_t source = 0;  // which dataset
  std::int64_t start = 0;   // its first frame
  bool operator==(const WindowRef& o) const { return source == o.source && start == o.start; }
};

// The training windows of epoch `epoch`, drawn from several datasets' windows (`windows[s]`, those of dataset
// s), determined by (seed, epoch) alone. Without weights: every window once, in epoch_order over all of them
// (for one dataset, the same order as epoch_order). With weights (one per dataset, positive): as many draws
// as there are windows in all, dataset s getting the share weights[s] / Σ weights (largest remainders
// rounding); each dataset's draws walk through its own (seed, epoch, s) permutation, starting over when its
// windows run out; the draws are then shuffled together.
std::vector<WindowRef> epoch_windows(const std::vector<std::vector<std::int64_t>>& windows,
                                     const std::vector<double>& weights, std::uint64_t seed,
                                     std::int64_t epoch);

struct Crop {
  std::int64_t y0 = 0, x0 = 0, height = 0, width = 0;
};

// Block mean over k x k blocks of `n` planes of h x w, ignoring unobserved pixels (mask 0); a block with none
// observed stays unobserved. out and out_mask hold n planes of (h/k) x (w/k).
void block_mean(const float* in, const float* in_mask, std::int64_t n, std::int64_t h, std::int64_t w,
                std::int64_t k, float* out, float* out_mask);

// Reads windows from a dataset: crop, block-mean downsample, normalise (or, without a Normalizer, keep
// physical units). Frames come out (T, C, H, W) with a mask of observed pixels; unobserved values are 0.
class WindowReader {
 public:
  WindowReader(const DatasetReader& reader, std::optional<Crop> crop, std::int64_t downsample,
               std::optional<Normalizer> norm);

  std::int64_t channels() const { return c_; }
  std::int64_t height() const { return h_; }  // after crop and downsample
  std::int64_t width() const { return w_; }
  std::int64_t frame_size() const { return c_ * h_ * w_; }

  // Frames [start, start + n) -> values, mask: (n, C, H, W).
  void read(std::int64_t start, std::int64_t n, float* values, float* mask) const;

 private:
  const DatasetReader& reader_;
  Crop crop_;
  std::int64_t down_, c_, h_, w_;
  std::optional<Normalizer> norm_;
  mutable std::vector<float> raw_, raw_mask_;
};

}  // namespace convlstm::data
