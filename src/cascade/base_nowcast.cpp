#include "cascade/base_nowcast.hpp"

namespace convlstm::cascade {

SprogOptions sprog_options(data::Quantity quantity, const data::Normalizer& norm) {
  SprogOptions o;
  o.quantity = quantity;
  o.zr_a = norm.zr_a;
  o.zr_b = norm.zr_b;
  return o;
}

SprogExtrapolator::SprogExtrapolator(const motion::FlowFrames& frames, std::int64_t t_out,
                                     const data::Normalizer& norm, data::Quantity quantity,
                                     motion::FlowMethod method)
    : motion::Extrapolator(frames, t_out, norm, quantity, method),
      sprog_(frames.height, frames.width, sprog_options(quantity, norm)) {}

void SprogExtrapolator::forecast_physical(const float* inputs, const float* mask, float* out, float* gaps) {
  const auto& f = frames();
  const auto motion = motion::estimate_motion(inputs, mask, f, quantity(), method());
  sprog_.forecast(inputs, mask, f.t_in, motion, t_out(), out);
  if (!gaps) return;
  advected_.resize(static_cast<std::size_t>(output_size()));
  const std::int64_t last = (f.t_in - 1) * f.frame_size();
  motion::advect(inputs + last, mask + last, motion, f, t_out(), fill(), advected_.data(), gaps);
}

std::unique_ptr<motion::Extrapolator> make_base_nowcast(const nn::ModelSpec& spec, std::int64_t height,
                                                        std::int64_t width, std::int64_t t_in,
                                                        std::int64_t t_out, const data::Normalizer& norm,
                                                        data::Quantity quantity,
                                                        const std::string& flow_method) {
  if (!spec.needs_extrapolation()) return nullptr;
  const motion::FlowFrames frames{t_in, spec.channels, height, width};
  const auto method = motion::parse_flow_method(flow_method);
  if (spec.base() == nn::BaseNowcast::sprog)
    return std::make_unique<SprogExtrapolator>(frames, t_out, norm, quantity, method);
  return std::make_unique<motion::Extrapolator>(frames, t_out, norm, quantity, method);
}

}  // namespace convlstm::cascade
