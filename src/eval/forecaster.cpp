#include "eval/forecaster.hpp"

#include <algorithm>

#include "cascade/base_nowcast.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "nn/noise.hpp"

namespace convlstm::eval {

namespace {

std::int64_t round_up(std::int64_t v, std::int64_t k) {
  return (v + k - 1) / k * k;
}

// planes of h x w at the top left of planes of ph x pw (the rest zero), and back.
void pad_planes(const float* src, std::int64_t planes, std::int64_t h, std::int64_t w, std::int64_t ph,
                std::int64_t pw, float* dst) {
  for (std::int64_t p = 0; p < planes; ++p) {
    float* d = dst + p * ph * pw;
    std::fill(d, d + ph * pw, 0.0f);
    for (std::int64_t y = 0; y < h; ++y) std::copy_n(src + (p * h + y) * w, w, d + y * pw);
  }
}
void crop_planes(const float* src, std::int64_t planes, std::int64_t ph, std::int64_t pw, std::int64_t h,
                 std::int64_t w, float* dst) {
  for (std::int64_t p = 0; p < planes; ++p)
    for (std::int64_t y = 0; y < h; ++y) std::copy_n(src + (p * ph + y) * pw, w, dst + (p * h + y) * w);
}

std::string grid_str(std::int64_t h, std::int64_t w) {
  return std::to_string(h) + "x" + std::to_string(w);
}

}  // namespace

Forecaster::Forecaster(const std::string& checkpoint, std::int64_t batch, std::int64_t members,
                       std::uint64_t seed)
    : batch_(batch), members_(members), seed_(seed), checkpoint_(checkpoint) {
  const auto info = checkpoint::read_checkpoint_info(checkpoint);
  if (info.model) {
    model_ = *info.model;
  } else {  // written before checkpoints described their model: its config does
    const auto cfg = config::parse_config(info.config_yaml, checkpoint + ":config");
    model_ = config::model_description(
        cfg, config::model_spec(cfg, info.frame_channels, info.frame_height, info.frame_width));
  }
  trained_ = model_.spec;
  trained_.validate();
  if (members < 1) throw UsageError("--members must be at least 1");
  if (members > 1 && !trained_.stochastic())
    throw UsageError("--members " + std::to_string(members) + ": " + checkpoint +
                     " is a deterministic model (no model.noise): its members would all be alike");
  data_ = info.data;
  // The network is built for a grid when set_grid names one (or at the first forecast, for the training
  // grid): predict and evaluate set the data's grid first, so no network is built only to be replaced.
  height_ = trained_.height;
  width_ = trained_.width;
}

void Forecaster::set_grid(std::int64_t height, std::int64_t width, const std::string& what) {
  if (height == height_ && width == width_ && net_) return;
  if (height < 1 || width < 1) throw DataError(what + ": empty frames (" + grid_str(height, width) + ")");
  if (trained_.peephole == nn::Peephole::pixel && (height != trained_.height || width != trained_.width))
    throw DataError(what + ": frames are " + grid_str(height, width) +
                    ", but the model's pixel peepholes (model.peephole: pixel) hold one weight per pixel of "
                    "its " +
                    grid_str(trained_.height, trained_.width) +
                    " training grid (train with peephole channel or none to forecast other grids)");
  height_ = height;
  width_ = width;
  run_ = trained_;
  run_.height = round_up(height, trained_.patch);
  run_.width = round_up(width, trained_.patch);
  run_.validate();
  params_ = std::make_unique<nn::ParameterTable>(run_);
  checkpoint::read_checkpoint_tensors(checkpoint_, *params_, nullptr);
  // fp32 always (forecasts need no training speed-up), with the convolution algorithm the model trained with.
  const std::int64_t rows = batch_ * members_;
  net_ = std::make_unique<nn::Inference>(run_, rows, t_in(), t_out(),
                                         ops::parse_conv_algorithm(model_.conv_algorithm));
  const std::int64_t padded = run_.channels * run_.height * run_.width;
  norm_in_ = Tensor(Shape{batch_ * t_in() * padded});
  norm_out_ = Tensor(Shape{rows * t_out() * padded});
  if (members_ > 1) rows_in_ = Tensor(Shape{rows * t_in() * padded});
  if (run_.stochastic()) noise_ = Tensor(Shape{rows, run_.noise.channels, run_.height, run_.width});
  norm_unpadded_.assign(static_cast<std::size_t>(batch_ * t_in() * frame_size()), 0.0f);
  extrapolator_ = cascade::make_base_nowcast(run_, height, width, t_in(), t_out(), model_.normalize,
                                             quantity(), model_.flow_method);
  if (extrapolator_) {
    extrapolation_ = Tensor(Shape{batch_ * t_out() * frame_size()});
    norm_extrapolation_ = Tensor(Shape{batch_ * t_out() * padded});
    if (members_ > 1) rows_extrapolation_ = Tensor(norm_out_.shape());
    if (run_.needs_gaps()) {
      gaps_ = Tensor(extrapolation_.shape());
      padded_gaps_ = Tensor(norm_extrapolation_.shape());
      if (members_ > 1) rows_gaps_ = Tensor(norm_out_.shape());
    }
  }
}

const float* Forecaster::member_rows(const Tensor& per_sequence, Tensor& rows) const {
  if (!per_sequence.data() || members_ == 1) return per_sequence.data();
  const std::int64_t row = per_sequence.numel() / batch_;
  for (std::int64_t b = 0; b < batch_; ++b)
    for (std::int64_t m = 0; m < members_; ++m)
      std::copy_n(per_sequence.data() + b * row, row, rows.data() + (b * members_ + m) * row);
  return rows.data();
}

void Forecaster::forecast(const float* inputs, const float* mask, float* pred) {
  if (!net_) set_grid(height_, width_, checkpoint_);
  const auto& norm = model_.normalize;
  const std::int64_t n_in = batch_ * t_in() * frame_size();
  for (std::int64_t i = 0; i < n_in; ++i)
    norm_unpadded_[i] = mask[i] != 0.0f ? norm.forward(inputs[i]) : 0.0f;
  const std::int64_t c = channels(), ph = run_.height, pw = run_.width;
  pad_planes(norm_unpadded_.data(), batch_ * t_in() * c, height_, width_, ph, pw, norm_in_.data());
  if (extrapolator_) {
    const std::int64_t in = t_in() * frame_size(), out = extrapolator_->output_size();
    for (std::int64_t b = 0; b < batch_; ++b)
      extrapolator_->run(norm_unpadded_.data() + b * in, mask + b * in, extrapolation_.data() + b * out,
                         gaps_.data() ? gaps_.data() + b * out : nullptr);
    pad_planes(extrapolation_.data(), batch_ * t_out() * c, height_, width_, ph, pw,
               norm_extrapolation_.data());
    // (the padding beyond the grid, when it is not a multiple of the patch: dry and without gaps)
    if (gaps_.data())
      pad_planes(gaps_.data(), batch_ * t_out() * c, height_, width_, ph, pw, padded_gaps_.data());
  }
  if (noise_.data()) {
    const std::int64_t plane = run_.noise.channels * ph * pw;
    for (std::int64_t r = 0; r < batch_ * members_; ++r)
      nn::draw_noise(run_.noise, ph, pw,
                     nn::noise_key(seed_, nn::kForecastNoiseStep, sequences_ + r / members_, r % members_),
                     noise_.data() + r * plane);
  }
  sequences_ += batch_;
  net_->forward(params_->model, member_rows(norm_in_, rows_in_), norm_out_.data(),
                member_rows(norm_extrapolation_, rows_extrapolation_), member_rows(padded_gaps_, rows_gaps_),
                noise_.data());
  const std::int64_t n_out = batch_ * members_ * t_out() * frame_size();
  crop_planes(norm_out_.data(), batch_ * members_ * t_out() * c, ph, pw, height_, width_, pred);
  for (std::int64_t i = 0; i < n_out; ++i) pred[i] = norm.inverse(pred[i]);
}

}  // namespace convlstm::eval
