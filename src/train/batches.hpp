// Assembles training and validation batches from dataset windows: inputs (B, T_in, C, H, W), targets and
// their observed-pixel mask (B, T_out, C, H, W), all normalised to [0, 1], and for the advection-conditioned
// model the extrapolation nowcast of every lead (B, T_out, C, H, W), normalised. Buffers are allocated once.
//
// With random crops (data.random_crop) every sequence of a batch is an h x w crop of its window, drawn from
// (seed, epoch, window start) alone, so a resumed run draws the same crops; the extrapolation is computed on
// the whole frame and cropped with it (rain the motion brings in from outside the crop is in it, as it is
// when a model forecasts a whole composite).
//
// The extrapolation of a window depends on its input frames alone (motion/extrapolation.hpp), so it is
// computed the first time the window is loaded and kept, up to kExtrapolationCacheBytes; later epochs read
// it back. A cached copy is bit-identical to a fresh computation, so exact resume does not depend on what
// the cache held.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
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
  Tensor gaps;             // (B, T_out, C, H, W): 1 where the extrapolation has no source; empty unless asked
};

// Random crops of a window (data.random_crop, crop_min_wet, crop_wet_threshold).
struct RandomCrop {
  std::int64_t height = 0, width = 0;
  double min_wet = 0.0;    // wanted share of the window's observed pixels at or above wet_level
  float wet_level = 0.0f;  // crop_wet_threshold in the reader's units (normalised)
  std::uint64_t seed = 0;
};
// Draws per window until one reaches min_wet; else the wettest of them.
constexpr int kCropTries = 10;
// The epoch validation batches pass: every validation sees the same crop of each window.
constexpr std::int64_t kFixedCropEpoch = -1;

struct CropPlace {
  std::int64_t y0 = 0, x0 = 0;
  double wet = 0.0;  // its wet share
};
// The crop of the window starting at `start` in `epoch`: values and mask (n, C, H, W) are the window's
// frames.
CropPlace draw_crop(const RandomCrop& crop, std::int64_t epoch, std::int64_t start, const float* values,
                    const float* mask, std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w);
// Share of observed pixels of the region (y0, x0, ch, cw) of (n, C, H, W) frames at or above `level`.
double wet_share(const float* values, const float* mask, std::int64_t n, std::int64_t c, std::int64_t h,
                 std::int64_t w, std::int64_t y0, std::int64_t x0, std::int64_t ch, std::int64_t cw,
                 float level);

constexpr std::int64_t kExtrapolationCacheBytes = std::int64_t{1} << 30;
// Decoded frames (values and mask) kept by each loader, so that a window's frames are read and decompressed
// once, not once per window and epoch that holds them (a 765x700 frame takes milliseconds to decode). Bit-
// identical to a fresh read; frames beyond the cap are read every time.
constexpr std::int64_t kFrameCacheBytes = std::int64_t{1} << 30;

class BatchLoader {
 public:
  // extrapolator: given, every batch carries the extrapolation of its windows (on the reader's whole frames).
  // crop: given, sequences are random crops of their windows.
  // gaps: every batch also carries the extrapolation's gaps (models with forecaster_input
  // extrapolation+gaps).
  BatchLoader(const data::WindowReader& reader, std::int64_t batch, std::int64_t t_in, std::int64_t t_out,
              std::unique_ptr<motion::Extrapolator> extrapolator = nullptr,
              std::optional<RandomCrop> crop = std::nullopt, bool gaps = false);

  // Fills the batch from the windows starting at starts[0..n) (n <= B; missing sequences are masked padding);
  // epoch: the training epoch the crops are drawn for (kFixedCropEpoch for validation); unused without crops.
  Batch& load(const std::int64_t* starts, std::int64_t n, std::int64_t epoch = kFixedCropEpoch);

  // The batch's frames: the crop's size with random crops, else the reader's.
  std::int64_t height() const { return ch_; }
  std::int64_t width() const { return cw_; }
  std::int64_t frame_size() const { return reader_.channels() * ch_ * cw_; }
  // Random crops: mean wet share of the crops loaded so far and of their whole windows (what crop_min_wet
  // changes).
  double mean_crop_wet() const { return crops_ ? crop_wet_ / crops_ : 0.0; }
  double mean_window_wet() const { return crops_ ? window_wet_ / crops_ : 0.0; }

  // Wall time spent computing extrapolations (motion and advection) so far, and how many were computed and
  // how many read from the cache.
  double extrapolation_seconds() const { return extrapolation_s_; }
  std::int64_t extrapolations_computed() const { return computed_; }
  std::int64_t extrapolations_cached() const { return reused_; }

 private:
  const float* extrapolation_of(std::int64_t start);
  void read_window(std::int64_t start);  // -> frames_, frame_mask_, through frame_cache_

  const data::WindowReader& reader_;
  std::int64_t b_, t_in_, t_out_, ch_, cw_;
  std::optional<RandomCrop> crop_;
  double crop_wet_ = 0.0, window_wet_ = 0.0;
  std::int64_t crops_ = 0;
  Batch batch_;
  std::vector<float> frames_, frame_mask_;  // one window, (T_in + T_out, C, H, W)
  std::unique_ptr<motion::Extrapolator> extrapolator_;
  bool gaps_ = false;
  std::unordered_map<std::int64_t, std::vector<float>>
      cache_;                   // window start -> its extrapolation (and gaps)
  std::vector<float> scratch_;  // one extrapolation, when the cache is full
  std::unordered_map<std::int64_t, std::vector<float>> frame_cache_;  // frame -> values then mask
  double extrapolation_s_ = 0.0;
  std::int64_t computed_ = 0, reused_ = 0;
};

}  // namespace convlstm::train
