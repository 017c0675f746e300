#include "motion/extrapolation.hpp"

#include "core/error.hpp"
#include "data/units.hpp"

namespace convlstm::motion {

Extrapolator::Extrapolator(const FlowFrames& frames, std::int64_t t_out, const data::Normalizer& norm,
                           data::Quantity quantity, FlowMethod method)
    : f_(frames),
      t_out_(t_out),
      norm_(norm),
      quantity_(quantity),
      method_(method),
      fill_(data::dry_value(quantity)),
      physical_(static_cast<std::size_t>(frames.t_in * frames.frame_size())),
      phys_out_(static_cast<std::size_t>(t_out * frames.frame_size())) {
  if (!optical_flow_available())
    throw ConfigError(
        "model.forecaster_input extrapolation and model.output residual need the optical flow of OpenCV: "
        "install libopencv-video-dev and rebuild");
  CONVLSTM_CHECK(frames.t_in >= 1 && t_out >= 1,
                 "extrapolation of " << frames.t_in << " frames to " << t_out);
}

void Extrapolator::run(const float* norm_inputs, const float* mask, float* out, float* gaps) {
  const std::int64_t n_in = static_cast<std::int64_t>(physical_.size());
  for (std::int64_t i = 0; i < n_in; ++i)
    physical_[i] = mask[i] != 0.0f ? norm_.inverse(norm_inputs[i]) : fill_;
  forecast_physical(physical_.data(), mask, phys_out_.data(), gaps);
  const std::int64_t n_out = static_cast<std::int64_t>(phys_out_.size());
  for (std::int64_t i = 0; i < n_out; ++i) out[i] = norm_.forward(phys_out_[i]);
}

void Extrapolator::forecast_physical(const float* inputs, const float* mask, float* out, float* gaps) {
  optical_flow_forecast(inputs, mask, f_, t_out_, quantity_, method_, fill_, out, gaps);
}

}  // namespace convlstm::motion
