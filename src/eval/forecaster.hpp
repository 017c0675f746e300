// A trained model loaded from a checkpoint, ready to forecast: the checkpoint's description of the model
// (checkpoint/checkpoint.hpp; for older checkpoints, their config) rebuilds the network and the
// normalisation, so inputs and outputs are in physical units. The forward pass keeps no training tape
// (nn/inference.hpp).
//
// The convolutions do not depend on the grid, so a model forecasts frames of any size (set_grid), not only
// the grid it trained on: a grid the patch does not divide is padded at the bottom and right with unobserved
// pixels (value 0 after normalisation, as unobserved pixels always are) and the forecast cropped back.
// Pixel peepholes hold one weight per pixel of the training grid and are refused on any other.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "checkpoint/checkpoint.hpp"
#include "motion/extrapolation.hpp"
#include "nn/inference.hpp"
#include "nn/parameters.hpp"
#include "tensor/tensor.hpp"

namespace convlstm::eval {

class Forecaster {
 public:
  // batch: sequences per forward pass. The grid starts as the training grid. members: forecasts per sequence
  // (a stochastic model's ensemble; docs/architecture.md "Ensembles"), run as rows of one batch, the noise
  // of member m of the n-th sequence this forecaster forecasts drawn from (seed, nn::kForecastNoiseStep, n,
  // m). A deterministic model's members would all be alike: more than one is refused (UsageError).
  Forecaster(const std::string& checkpoint, std::int64_t batch, std::int64_t members = 1,
             std::uint64_t seed = 0);

  // The model, its frames in and out, its normalisation and its training domain (crop, downsample).
  const checkpoint::ModelDescription& description() const { return model_; }
  // The model as trained (its grid: the frames, or random crops, it trained on).
  const nn::ModelSpec& trained_spec() const { return trained_; }
  std::int64_t batch() const { return batch_; }
  std::int64_t members() const { return members_; }
  std::int64_t t_in() const { return model_.t_in; }
  std::int64_t t_out() const { return model_.t_out; }
  // The grid of inputs and forecasts (set_grid), before any padding.
  std::int64_t channels() const { return trained_.channels; }
  std::int64_t height() const { return height_; }
  std::int64_t width() const { return width_; }
  std::int64_t frame_size() const { return channels() * height_ * width_; }
  // The padded grid the network runs on (multiples of the patch), once set_grid or forecast has built it.
  std::int64_t padded_height() const { return run_.height; }
  std::int64_t padded_width() const { return run_.width; }
  // The training data's record: quantity, units, grid, time step and import provenance (data/field.hpp).
  const data::FieldInfo& data_info() const { return data_; }
  data::Quantity quantity() const { return data_.quantity; }

  // Forecasts frames of height x width from now on. `what` names the frames' source in errors (a pixel-
  // peephole model on another grid: DataError naming both grids).
  void set_grid(std::int64_t height, std::int64_t width, const std::string& what);

  // inputs (B, T_in, C, H, W) in physical units, with mask (1 observed) -> pred (B, M, T_out, C, H, W)
  // physical, on the grid of set_grid (M = members()). An advection-conditioned model first extrapolates each
  // sequence (motion/extrapolation.hpp) on that grid, as in training, once for all its members.
  void forecast(const float* inputs, const float* mask, float* pred);

 private:
  // per_sequence's B rows, each repeated M times into `rows` (itself with one member, or when absent).
  const float* member_rows(const Tensor& per_sequence, Tensor& rows) const;

  checkpoint::ModelDescription model_;
  nn::ModelSpec trained_, run_;  // run_: the padded grid the network is built for
  std::int64_t batch_, members_, height_ = 0, width_ = 0;
  std::uint64_t seed_;
  std::int64_t sequences_ = 0;  // sequences forecast so far (the noise's sequence numbers)
  data::FieldInfo data_;
  std::string checkpoint_;
  std::unique_ptr<nn::ParameterTable> params_;
  std::unique_ptr<nn::Inference> net_;
  Tensor norm_in_, norm_out_;                           // padded
  std::unique_ptr<motion::Extrapolator> extrapolator_;  // when the model reads the extrapolation
  Tensor extrapolation_, norm_extrapolation_;           // unpadded, padded
  Tensor gaps_, padded_gaps_;         // the extrapolation's gaps (extrapolation+gaps models)
  std::vector<float> norm_unpadded_;  // the normalised inputs on the grid, for the flow
  Tensor rows_in_, rows_extrapolation_, rows_gaps_, noise_;  // members: the net's rows (B M of each)
};

}  // namespace convlstm::eval
