// S-PROG (Seed 2003; as in pysteps' nowcasts.sprog): the extrapolation nowcast that forgets each scale as
// fast as it loses predictability, the "error-minimisation" baseline a network trained on MSE is to be judged
// against (docs/architecture.md "Baselines").
//
// 1. Rain rates (reflectivity through Z-R) to decibels: dBR = 10 log10(R) where R >= threshold (0.1 mm/h),
//    else threshold_dB - 5 (the dry value; unobserved pixels count as dry).
// 2. The two frames before the last are advected to its time (1 and 2 steps along the motion: the frame of
//    reference moving with the rain; where a trajectory leaves the grid, the last frame's value), then each
//    of the three is split into the cascade (cascade/bandpass.hpp) and each level normalised to mean 0 and
//    standard deviation 1.
// 3. Per level, the lag-1 and lag-2 correlations (over the pixels whose trajectories stayed on the grid) give
//    an AR(2) (cascade/autoregression.hpp; with two input
//    frames an AR(1); with one, persistence).
// 4. Per lead: each level steps its AR(2) without noise; the levels are recomposed with the last frame's
// means
//    and deviations; the wet area is kept (the last frame's fraction of pixels at or above the threshold:
//    the same fraction of the highest forecast values stays wet, the rest dry) and the wet mean matched to
//    the last frame's; then the field is advected `lead` steps along the motion (motion/optical_flow.hpp,
//    the optical-flow baseline's trajectories) and turned back into rain rates (dBZ).
//
// Fallbacks: a last frame without rain forecasts no rain; a level that is constant in a frame has no
// correlation (0) and decays at once. Non-finite inputs count as unobserved.
#pragma once

#include <cstdint>
#include <vector>

#include "cascade/nowcast.hpp"

namespace convlstm::cascade {

class Sprog {
 public:
  // Plans the FFTs of one grid once. UsageError for a quantity S-PROG cannot forecast (intensity).
  Sprog(std::int64_t height, std::int64_t width, SprogOptions options) : core_(height, width, options) {}

  std::int64_t levels() const { return core_.levels(); }

  // inputs, mask (t_in, h, w) in physical units; motion (h, w, 2), pixels per step (motion::estimate_motion)
  // -> out (t_out, h, w) in physical units.
  void forecast(const float* inputs, const float* mask, std::int64_t t_in, const std::vector<float>& motion,
                std::int64_t t_out, float* out);

  // The AR(2) of each level fitted by the last forecast (for tests and logs).
  const std::vector<Ar2>& ar() const { return ar_; }

 private:
  CascadeNowcast core_;
  std::vector<Ar2> ar_;
};

}  // namespace convlstm::cascade
