#include "eval/forecaster.hpp"

#include "core/error.hpp"
#include "train/batches.hpp"
#include "train/checkpoint.hpp"

namespace convlstm::eval {

Forecaster::Forecaster(const std::string& checkpoint, std::int64_t batch) : batch_(batch) {
  const auto info = train::read_checkpoint_info(checkpoint);
  cfg_ = config::parse_config(info.config_yaml, checkpoint + ":config");
  spec_ = config::model_spec(cfg_, info.frame_channels, info.frame_height, info.frame_width);
  spec_.validate();
  data_ = info.data;
  params_ = std::make_unique<nn::ParameterTable>(spec_);
  train::read_checkpoint_tensors(checkpoint, *params_, nullptr);
  // fp32 always (forecasts need no training speed-up), with the convolution algorithm the model trained with.
  net_ = std::make_unique<train::Bptt>(spec_, batch, cfg_.data.t_in, cfg_.data.t_out, ops::Precision::fp32,
                                       ops::parse_conv_algorithm(cfg_.train.conv_algorithm));
  norm_in_ = Tensor(Shape{batch * cfg_.data.t_in * frame_size()});
  norm_out_ = Tensor(Shape{batch * cfg_.data.t_out * frame_size()});
  extrapolator_ = train::make_extrapolator(spec_, cfg_.data.t_in, cfg_.data.t_out, cfg_.data.normalize,
                                           quantity(), cfg_.model.flow_method);
  if (extrapolator_) norm_extrapolation_ = Tensor(norm_out_.shape());
}

std::string Forecaster::quantity() const {
  const auto it = data_.find("quantity");
  return it == data_.end() ? "intensity" : it->second;
}

void Forecaster::forecast(const float* inputs, const float* mask, float* pred) {
  const auto& norm = cfg_.data.normalize;
  for (std::int64_t i = 0; i < norm_in_.numel(); ++i)
    norm_in_[i] = mask[i] != 0.0f ? norm.forward(inputs[i]) : 0.0f;
  if (extrapolator_) {
    const std::int64_t in = cfg_.data.t_in * frame_size(), out = extrapolator_->output_size();
    for (std::int64_t b = 0; b < batch_; ++b)
      extrapolator_->run(norm_in_.data() + b * in, mask + b * in, norm_extrapolation_.data() + b * out);
  }
  net_->forward(params_->model, norm_in_.data(), norm_out_.data(), norm_extrapolation_.data());
  for (std::int64_t i = 0; i < norm_out_.numel(); ++i) pred[i] = norm.inverse(norm_out_[i]);
}

}  // namespace convlstm::eval
