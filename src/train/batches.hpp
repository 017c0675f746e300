// Assembles training and validation batches from dataset windows: inputs (B, T_in, C, H, W), targets and
// their observed-pixel mask (B, T_out, C, H, W), all normalised to [0, 1], and for the advection-conditioned
// model the extrapolation nowcast of every lead (B, T_out, C, H, W), normalised. Buffers are allocated once.
//
// With random crops (data.random_crop) every sequence of a batch is an h x w crop of its window, drawn from
// (seed, epoch, window start) alone, so a resumed run draws the same crops; the extrapolation is computed on
// the whole frame and cropped with it (rain the motion brings in from outside the crop is in it, as it is
// when a model forecasts a whole composite).
//
// The base nowcast of a window depends on its input frames alone (cascade/base_nowcast.hpp), so it is
// computed the first time the window is loaded and kept, up to extrapolation_cache_bytes(); later epochs read
// it back. A loader may draw from several datasets (data.train's files): each window names its source. A
// cached copy is bit-identical to a fresh computation, so exact resume does not depend on what the cache
// held.
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
  Tensor noise;            // (B, K, H, W): a stochastic model's noise (train/members.hpp); empty otherwise
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

// The base nowcasts a loader keeps: a quarter of the machine's memory, at least 1 GiB and at most 8 GiB.
std::int64_t extrapolation_cache_bytes();
// Decoded frames (values and mask) kept by each loader, so that a window's frames are read and decompressed
// once, not once per window and epoch that holds them (a 765x700 frame takes milliseconds to decode). Bit-
// identical to a fresh read; frames beyond the cap are read every time.
constexpr std::int64_t kFrameCacheBytes = std::int64_t{2} << 30;

// One dataset a loader draws windows from: its window reader and, for models that read one, its base
// nowcast (made for the reader's whole frames).
struct LoaderSource {
  const data::WindowReader* reader = nullptr;
  std::unique_ptr<motion::Extrapolator> extrapolator;
};

class BatchLoader {
 public:
  // Several datasets (data.train's files): every source has the same channels; with random crops every
  // source's frames hold the crop, without them all sources have the same frame size. extrapolator: given
  // (for every source or none), every batch carries the base nowcast of its windows. crop: given, sequences
  // are random crops of their windows. gaps: every batch also carries the base nowcast's gaps (models with
  // forecaster_input extrapolation+gaps or sprog+gaps).
  BatchLoader(std::vector<LoaderSource> sources, std::int64_t batch, std::int64_t t_in, std::int64_t t_out,
              std::optional<RandomCrop> crop = std::nullopt, bool gaps = false);
  // One dataset.
  BatchLoader(const data::WindowReader& reader, std::int64_t batch, std::int64_t t_in, std::int64_t t_out,
              std::unique_ptr<motion::Extrapolator> extrapolator = nullptr,
              std::optional<RandomCrop> crop = std::nullopt, bool gaps = false);

  // Fills the batch from windows[0..n) (n <= B; missing sequences are masked padding); epoch: the training
  // epoch the crops are drawn for (kFixedCropEpoch for validation); unused without crops. A crop is drawn
  // from (seed, epoch, start) for source 0 and from (seed, epoch, start + source x 2^40) for the others.
  Batch& load(const data::WindowRef* windows, std::int64_t n, std::int64_t epoch = kFixedCropEpoch);
  // Windows of source 0 given by their start frames.
  Batch& load(const std::int64_t* starts, std::int64_t n, std::int64_t epoch = kFixedCropEpoch);

  // The batch's frames: the crop's size with random crops, else the readers'.
  std::int64_t height() const { return ch_; }
  std::int64_t width() const { return cw_; }
  std::int64_t frame_size() const { return channels_ * ch_ * cw_; }
  // Random crops: mean wet share of the crops loaded so far and of their whole windows (what crop_min_wet
  // changes).
  double mean_crop_wet() const { return crops_ ? crop_wet_ / crops_ : 0.0; }
  double mean_window_wet() const { return crops_ ? window_wet_ / crops_ : 0.0; }

  // Wall time spent computing base nowcasts (motion, advection or S-PROG) so far, and how many were
  // computed and how many read from the cache.
  double extrapolation_seconds() const { return extrapolation_s_; }
  std::int64_t extrapolations_computed() const { return computed_; }
  std::int64_t extrapolations_cached() const { return reused_; }

 private:
  static std::int64_t key_of(const data::WindowRef& w) { return (w.source << 40) + w.start; }
  const float* extrapolation_of(const data::WindowRef& w);
  void read_window(const data::WindowRef& w);  // -> frames_, frame_mask_, through frame_cache_

  std::vector<LoaderSource> sources_;
  std::int64_t b_, t_in_, t_out_, channels_, ch_, cw_;
  std::optional<RandomCrop> crop_;
  double crop_wet_ = 0.0, window_wet_ = 0.0;
  std::int64_t crops_ = 0;
  Batch batch_;
  std::vector<float> frames_, frame_mask_;  // one window, (T_in + T_out, C, H, W) of its source
  bool extrapolates_ = false, gaps_ = false;
  std::unordered_map<std::int64_t, std::vector<float>> cache_;  // window key -> its base nowcast (and gaps)
  std::vector<float> scratch_;                                  // one base nowcast, when the cache is full
  std::unordered_map<std::int64_t, std::vector<float>> frame_cache_;  // frame key -> values then mask
  std::int64_t cache_bytes_ = 0, frame_cache_bytes_ = 0;
  std::int64_t cache_cap_ = extrapolation_cache_bytes();  // read once: it asks the system for its memory
  double extrapolation_s_ = 0.0;
  std::int64_t computed_ = 0, reused_ = 0;
};

}  // namespace convlstm::train
