#include "motion/optical_flow.hpp"

#include <algorithm>
#include <cmath>

#include "core/enum_names.hpp"
#include "core/error.hpp"
#include "data/units.hpp"

#ifdef CONVLSTM_HAVE_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/video/tracking.hpp>
#endif

namespace convlstm::motion {

FlowMethod parse_flow_method(const std::string& name) {
  if (const auto m = value_of(kFlowMethodNames, name)) return *m;
  throw UsageError("unknown optical-flow method '" + name + "' (expected " + one_of(flow_method_names()) +
                   ")");
}

std::string to_string(FlowMethod m) {
  return name_of(kFlowMethodNames, m);
}

bool optical_flow_available() {
#ifdef CONVLSTM_HAVE_OPENCV
  return true;
#else
  return false;
#endif
}

namespace {

// A physical value as a gray level for the flow (see the header).
std::uint8_t gray(float v, data::Quantity quantity) {
  double g = 0.0;
  if (quantity == data::Quantity::reflectivity) {
    g = (v - data::kDbzFloor) / (70.0 - data::kDbzFloor);
  } else if (quantity == data::Quantity::intensity) {
    g = v;
  } else {  // rain_rate, accumulation: decibels of rain, 0.1 mm/h to 316 mm/h
    g = v > 0.1f ? (10.0 * std::log10(v) + 10.0) / 35.0 : 0.0;
  }
  return static_cast<std::uint8_t>(std::lround(255.0 * std::clamp(g, 0.0, 1.0)));
}

// Bilinear sample of a (h, w, 2) field at (x, y), coordinates clamped to the grid.
void sample_motion(const std::vector<float>& m, std::int64_t h, std::int64_t w, double x, double y,
                   double& dx, double& dy) {
  x = std::clamp(x, 0.0, static_cast<double>(w - 1));
  y = std::clamp(y, 0.0, static_cast<double>(h - 1));
  const auto x0 = static_cast<std::int64_t>(x), y0 = static_cast<std::int64_t>(y);
  const std::int64_t x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
  const double fx = x - x0, fy = y - y0;
  const double w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
  auto at = [&](std::int64_t yy, std::int64_t xx, int c) { return m[(yy * w + xx) * 2 + c]; };
  dx = w00 * at(y0, x0, 0) + w01 * at(y0, x1, 0) + w10 * at(y1, x0, 0) + w11 * at(y1, x1, 0);
  dy = w00 * at(y0, x0, 1) + w01 * at(y0, x1, 1) + w10 * at(y1, x0, 1) + w11 * at(y1, x1, 1);
}

}  // namespace

std::vector<float> estimate_motion(const float* inputs, const float* mask, const FlowFrames& f,
                                   data::Quantity quantity, FlowMethod method) {
  const std::int64_t h = f.height, w = f.width, fs = f.frame_size();
  std::vector<float> motion(static_cast<std::size_t>(h * w * 2), 0.0f);
#ifdef CONVLSTM_HAVE_OPENCV
  const std::int64_t first = std::max<std::int64_t>(0, f.t_in - 3);
  if (f.t_in - first < 2) return motion;  // one frame: no motion
  std::vector<cv::Mat> images;
  for (std::int64_t t = first; t < f.t_in; ++t) {
    cv::Mat g(static_cast<int>(h), static_cast<int>(w), CV_8UC1);
    for (std::int64_t i = 0; i < h * w; ++i)
      g.data[i] = mask[t * fs + i] != 0.0f ? gray(inputs[t * fs + i], quantity) : 0;
    images.push_back(g);
  }
  cv::Ptr<cv::DISOpticalFlow> dis;
  if (method == FlowMethod::dis) dis = cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_MEDIUM);
  cv::Mat flow, sum = cv::Mat::zeros(static_cast<int>(h), static_cast<int>(w), CV_32FC2);
  for (std::size_t k = 1; k < images.size(); ++k) {
    if (dis)
      dis->calc(images[k - 1], images[k], flow);
    else
      cv::calcOpticalFlowFarneback(images[k - 1], images[k], flow, 0.5, 3, 15, 3, 5, 1.2, 0);
    sum += flow;
  }
  sum /= static_cast<double>(images.size() - 1);
  std::copy_n(sum.ptr<float>(), motion.size(), motion.data());
#else
  (void)inputs, (void)mask, (void)quantity, (void)method, (void)fs;
  throw UsageError("the optical-flow baseline needs OpenCV: install libopencv-video-dev and rebuild");
#endif
  return motion;
}

namespace {

// One step back along the motion from (px, py); true once the trajectory has left the grid.
bool step_back(const std::vector<float>& motion, std::int64_t h, std::int64_t w, double& px, double& py) {
  double dx = 0.0, dy = 0.0;
  sample_motion(motion, h, w, px, py, dx, dy);
  px -= dx;
  py -= dy;
  return px < -0.5 || py < -0.5 || px > w - 0.5 || py > h - 0.5;
}

// A plane of h x w sampled bilinearly at (px, py) from its observed pixels (mask null: all observed); `fill`
// where the observed neighbours carry less than half the weight or the trajectory is outside. Returns
// whether the value came from the plane.
bool sample_plane(const float* plane, const float* mask, std::int64_t h, std::int64_t w, double px, double py,
                  bool outside, float fill, float& out) {
  const double cx = std::clamp(px, 0.0, static_cast<double>(w - 1)),
               cy = std::clamp(py, 0.0, static_cast<double>(h - 1));
  const auto x0 = static_cast<std::int64_t>(cx), y0 = static_cast<std::int64_t>(cy);
  const std::int64_t xs[2] = {x0, std::min(x0 + 1, w - 1)}, ys[2] = {y0, std::min(y0 + 1, h - 1)};
  const double fx = cx - x0, fy = cy - y0;
  double sum = 0.0, weight = 0.0;
  for (int j = 0; j < 2 && !outside; ++j)
    for (int i = 0; i < 2; ++i) {
      const double wt = (i ? fx : 1 - fx) * (j ? fy : 1 - fy);
      const std::int64_t idx = ys[j] * w + xs[i];
      if (wt > 0 && (!mask || mask[idx] != 0.0f)) {
        sum += wt * plane[idx];
        weight += wt;
      }
    }
  out = weight >= 0.5 ? static_cast<float>(sum / weight) : fill;
  return weight >= 0.5;
}

}  // namespace

void advect(const float* last, const float* last_mask, const std::vector<float>& motion, const FlowFrames& f,
            std::int64_t t_out, float fill, float* out, float* gaps) {
  const std::int64_t h = f.height, w = f.width, plane = h * w, fs = f.frame_size();
  for (std::int64_t y = 0; y < h; ++y) {
    for (std::int64_t x = 0; x < w; ++x) {
      double px = static_cast<double>(x), py = static_cast<double>(y);
      bool outside = false;
      for (std::int64_t l = 0; l < t_out; ++l) {
        if (!outside) outside = step_back(motion, h, w, px, py);
        for (std::int64_t c = 0; c < f.channels; ++c) {
          const std::int64_t o = l * fs + c * plane + y * w + x;
          const bool sourced =
              sample_plane(last + c * plane, last_mask + c * plane, h, w, px, py, outside, fill, out[o]);
          if (gaps) gaps[o] = sourced ? 0.0f : 1.0f;
        }
      }
    }
  }
}

void advect_steps(const float* plane, const std::vector<float>& motion, std::int64_t h, std::int64_t w,
                  std::int64_t steps, float fill, float* out, std::uint8_t* sourced) {
  for (std::int64_t y = 0; y < h; ++y)
    for (std::int64_t x = 0; x < w; ++x) {
      double px = static_cast<double>(x), py = static_cast<double>(y);
      bool outside = false;
      for (std::int64_t l = 0; l < steps && !outside; ++l) outside = step_back(motion, h, w, px, py);
      const bool from_plane = sample_plane(plane, nullptr, h, w, px, py, outside, fill, out[y * w + x]);
      if (sourced) sourced[y * w + x] = from_plane ? 1 : 0;
    }
}

void optical_flow_forecast(const float* inputs, const float* mask, const FlowFrames& f, std::int64_t t_out,
                           data::Quantity quantity, FlowMethod method, float fill, float* out, float* gaps) {
  const auto motion = estimate_motion(inputs, mask, f, quantity, method);
  const std::int64_t last = (f.t_in - 1) * f.frame_size();
  advect(inputs + last, mask + last, motion, f, t_out, fill, out, gaps);
}

}  // namespace convlstm::motion
