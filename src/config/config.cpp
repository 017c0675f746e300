#include "config/config.hpp"

#include <string>

#include "core/error.hpp"

namespace convlstm::config {

FrameShape training_frame(const Config& c, const FrameShape& data) {
  if (!c.data.random_crop) return data;
  const auto [h, w] = *c.data.random_crop;
  if (h > data.height || w > data.width)
    throw ConfigError("data.random_crop [" + std::to_string(h) + ", " + std::to_string(w) +
                      "] is larger than the " + std::to_string(data.height) + "x" +
                      std::to_string(data.width) + " frames (after data.crop and data.downsample)");
  return {data.channels, h, w};
}

nn::ModelSpec model_spec(const Config& c, std::int64_t channels, std::int64_t height, std::int64_t width) {
  nn::ModelSpec s;
  s.channels = channels;
  s.height = height;
  s.width = width;
  s.patch = c.model.patch;
  s.layers = c.model.layers;
  s.peephole = c.model.peephole;
  s.forget_bias = static_cast<float>(c.model.forget_bias);
  s.output = c.model.output;
  s.forecaster_input = c.model.forecaster_input;
  s.output_filter = c.model.output_filter;
  s.noise = c.model.noise;
  return s;
}

checkpoint::ModelDescription model_description(const Config& c, const nn::ModelSpec& spec) {
  checkpoint::ModelDescription m;
  m.spec = spec;
  m.t_in = c.data.t_in;
  m.t_out = c.data.t_out;
  m.normalize = c.data.normalize;
  m.flow_method = c.model.flow_method;
  m.conv_algorithm = c.train.conv_algorithm;
  m.crop = c.data.crop;
  m.downsample = c.data.downsample;
  return m;
}

}  // namespace convlstm::config
