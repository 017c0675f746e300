// A trained model loaded from a checkpoint, ready to forecast: the checkpoint's config rebuilds the model and
// the normalisation, so inputs and outputs are in physical units.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "motion/extrapolation.hpp"
#include "nn/parameters.hpp"
#include "tensor/tensor.hpp"
#include "train/bptt.hpp"

namespace convlstm::eval {

class Forecaster {
 public:
  // batch: sequences per forward pass.
  Forecaster(const std::string& checkpoint, std::int64_t batch);

  const config::Config& config() const { return cfg_; }
  const nn::ModelSpec& spec() const { return spec_; }
  std::int64_t batch() const { return batch_; }
  std::int64_t t_in() const { return cfg_.data.t_in; }
  std::int64_t t_out() const { return cfg_.data.t_out; }
  std::int64_t frame_size() const { return spec_.channels * spec_.height * spec_.width; }
  // The training data's quantity, units, time step and import provenance (checkpoint data_* attributes).
  const std::map<std::string, std::string>& data_info() const { return data_; }
  std::string quantity() const;

  // inputs (B, T_in, C, H, W) in physical units, with mask (1 observed) -> pred (B, T_out, C, H, W) physical.
  // An advection-conditioned model first extrapolates each sequence (motion/extrapolation.hpp), as in
  // training.
  void forecast(const float* inputs, const float* mask, float* pred);

 private:
  config::Config cfg_;
  nn::ModelSpec spec_;
  std::int64_t batch_;
  std::map<std::string, std::string> data_;
  std::unique_ptr<nn::ParameterTable> params_;
  std::unique_ptr<train::Bptt> net_;
  Tensor norm_in_, norm_out_;
  std::unique_ptr<motion::Extrapolator> extrapolator_;  // when the model reads the extrapolation
  Tensor norm_extrapolation_;
};

}  // namespace convlstm::eval
