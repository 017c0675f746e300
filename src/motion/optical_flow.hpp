// The optical-flow extrapolation baseline (the kind Shi et al. 2015 call ROVER): dense optical flow between
// the last input frames, computed by OpenCV (DIS or Farneback), then semi-Lagrangian advection of the last
// frame along it to every lead time.
//
// - Motion: the flows between consecutive pairs of the last three input frames (fewer when t_in < 3),
// averaged,
//   in pixels per time step. Frames become 8-bit images first: dBZ linearly from the floor to 70 dBZ, rain
//   rates and accumulations in decibels (-10 to +25 dBR), intensities in [0, 1] linearly; unobserved pixels
//   count as no echo.
// - Advection: backward semi-Lagrangian. For each pixel, step back along the motion once per lead time (the
//   motion sampled where the trajectory is), and sample the last frame there bilinearly from its observed
//   pixels only. A trajectory that leaves the grid, or lands where the observed neighbours carry less than
//   half the bilinear weight, gets `fill`
//   (no echo): the baseline does not invent what flows in from outside.
//
// Built only with OpenCV (CONVLSTM_OPENCV, Debian's libopencv-video-dev); optical_flow_available() says so.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/enum_names.hpp"
#include "data/field.hpp"

namespace convlstm::motion {

enum class FlowMethod { dis, farneback };
FlowMethod parse_flow_method(const std::string& name);  // dis | farneback; throws UsageError
std::string to_string(FlowMethod m);
// The names, once (header-only: the config room reads them without linking OpenCV).
inline constexpr EnumName<FlowMethod> kFlowMethodNames[] = {{FlowMethod::dis, "dis"},
                                                            {FlowMethod::farneback, "farneback"}};
inline std::vector<std::string> flow_method_names() {
  return names_of(kFlowMethodNames);
}
bool optical_flow_available();

struct FlowFrames {
  std::int64_t t_in = 0, channels = 1, height = 0, width = 0;
  std::int64_t frame_size() const { return channels * height * width; }
};

// Per-step motion (height, width, 2): (dx, dy) in pixels, from the last input frames (channel 0).
std::vector<float> estimate_motion(const float* inputs, const float* mask, const FlowFrames& f,
                                   data::Quantity quantity, FlowMethod method);

// The last input frame advected along `motion` to leads 1..t_out: out (t_out, C, H, W). gaps, when given
// (same shape): 1 where the forecast has no source and holds `fill` (the trajectory left the grid, or most of
// its source pixels were unobserved), 0 elsewhere.
void advect(const float* last, const float* last_mask, const std::vector<float>& motion, const FlowFrames& f,
            std::int64_t t_out, float fill, float* out, float* gaps = nullptr);

// One plane (h, w), every pixel observed, advected `steps` time steps along `motion` (the same trajectories
// and sampling as advect): the S-PROG cascade's Lagrangian frame (cascade/sprog.hpp). sourced, when given,
// gets 1 where the value came from the plane, 0 where it is `fill` (the trajectory left the grid).
void advect_steps(const float* plane, const std::vector<float>& motion, std::int64_t h, std::int64_t w,
                  std::int64_t steps, float fill, float* out, std::uint8_t* sourced = nullptr);

// inputs, mask (t_in, C, H, W) in physical units -> out (t_out, C, H, W): estimate_motion, then advect.
void optical_flow_forecast(const float* inputs, const float* mask, const FlowFrames& f, std::int64_t t_out,
                           data::Quantity quantity, FlowMethod method, float fill, float* out,
                           float* gaps = nullptr);

}  // namespace convlstm::motion
