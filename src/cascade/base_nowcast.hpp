// The base nowcast a model reads and a residual model corrects (nn/model_spec.hpp: BaseNowcast), in the
// network's normalised space: the optical-flow extrapolation (motion/extrapolation.hpp), or S-PROG
// (cascade/sprog.hpp) on the same motion. The trainer's batches, the forecaster of predict and evaluate, and
// bench all make theirs here, so a residual model whose correction is zero forecasts exactly what evaluate's
// optical-flow or sprog baseline forecasts (to float rounding, and up to data.normalize.max).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cascade/sprog.hpp"
#include "data/normalize.hpp"
#include "motion/extrapolation.hpp"
#include "nn/model_spec.hpp"

namespace convlstm::cascade {

// S-PROG of a window's input frames: the motion of motion::estimate_motion, Sprog::forecast on it, and the
// gaps of the plain extrapolation along the same trajectories (where S-PROG, too, has no source).
class SprogExtrapolator final : public motion::Extrapolator {
 public:
  // One channel; UsageError for a quantity S-PROG cannot forecast (intensity).
  SprogExtrapolator(const motion::FlowFrames& frames, std::int64_t t_out, const data::Normalizer& norm,
                    data::Quantity quantity, motion::FlowMethod method);

 protected:
  void forecast_physical(const float* inputs, const float* mask, float* out, float* gaps) override;

 private:
  Sprog sprog_;
  std::vector<float> advected_;  // the extrapolation, when only its gaps are wanted
};

// The S-PROG options the baseline of evaluate uses for data of `quantity` normalised by `norm` (its Z-R
// relation).
SprogOptions sprog_options(data::Quantity quantity, const data::Normalizer& norm);

// The base nowcast a model of `spec` needs (nullptr when it reads none), for windows of t_in + t_out frames
// of height x width (the grid the motion is estimated on: the whole frame, which random crops cut from) of
// `quantity` normalised by `norm`; flow_method is model.flow_method (dis | farneback). Throws ConfigError
// when this build has no optical flow.
std::unique_ptr<motion::Extrapolator> make_base_nowcast(const nn::ModelSpec& spec, std::int64_t height,
                                                        std::int64_t width, std::int64_t t_in,
                                                        std::int64_t t_out, const data::Normalizer& norm,
                                                        data::Quantity quantity,
                                                        const std::string& flow_method);

}  // namespace convlstm::cascade
