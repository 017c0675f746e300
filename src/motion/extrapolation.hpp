// The extrapolation nowcast as the advection-conditioned model sees it (nn/model_spec.hpp: ForecasterInput
// extrapolation, OutputActivation residual): the optical-flow baseline of motion/optical_flow.hpp run on one
// window's input frames, in the network's normalised space.
//
//   physical inputs  x = norm⁻¹(n) at observed pixels
//   E_phys           = optical_flow_forecast(x, mask)   (motion from the input frames only, never the
//   targets;
//                                                          no echo where a trajectory leaves the grid)
//   E                = norm(E_phys)                     (t_out, C, H, W)
//
// The trainer's batches (train/batches.hpp) and the forecaster of predict and evaluate (eval/forecaster.hpp)
// both call this one function, so a residual model whose head outputs zero forecasts exactly evaluate's
// optical-flow baseline (to float rounding, and up to data.normalize.max, where the normalisation clamps).
// Deterministic: the same window gives the same E bit for bit, whatever was computed before.
//
// The class is also the frame of any other base nowcast in the same normalised space: a subclass overrides
// forecast_physical (cascade/base_nowcast.hpp: S-PROG, for model.forecaster_input sprog), and
// cascade::make_base_nowcast makes the one a model needs.
#pragma once

#include <cstdint>
#include <vector>

#include "data/normalize.hpp"
#include "motion/optical_flow.hpp"

namespace convlstm::motion {

class Extrapolator {
 public:
  // Throws ConfigError when this build has no optical flow (no OpenCV).
  Extrapolator(const FlowFrames& frames, std::int64_t t_out, const data::Normalizer& norm,
               data::Quantity quantity, FlowMethod method);
  virtual ~Extrapolator() = default;
  Extrapolator(const Extrapolator&) = delete;
  Extrapolator& operator=(const Extrapolator&) = delete;

  const FlowFrames& frames() const { return f_; }
  std::int64_t t_out() const { return t_out_; }
  std::int64_t output_size() const { return t_out_ * f_.frame_size(); }

  // norm_inputs, mask: (t_in, C, H, W), normalised, mask 1 = observed -> out (t_out, C, H, W) normalised;
  // gaps, when given (same shape): 1 where out has no source (motion::advect), else 0.
  void run(const float* norm_inputs, const float* mask, float* out, float* gaps = nullptr);

 protected:
  // inputs (t_in, C, H, W) physical, unobserved pixels holding fill(); mask 1 = observed -> out (t_out, C,
  // H, W) physical; gaps as in run. Here: optical_flow_forecast.
  virtual void forecast_physical(const float* inputs, const float* mask, float* out, float* gaps);
  float fill() const { return fill_; }
  data::Quantity quantity() const { return quantity_; }
  FlowMethod method() const { return method_; }

 private:
  FlowFrames f_;
  std::int64_t t_out_;
  data::Normalizer norm_;
  data::Quantity quantity_;
  FlowMethod method_;
  float fill_;                              // no echo, physical
  std::vector<float> physical_, phys_out_;  // scratch
};

}  // namespace convlstm::motion
