// The optical-flow baseline: the motion OpenCV finds for a rain cell moving at a known speed, the
// semi-Lagrangian advection with its grid-boundary and nodata rules, and evaluate --baselines optical-flow.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "data/units.hpp"
#include "motion/optical_flow.hpp"
#include "support/skip.hpp"

namespace convlstm {
namespace {

constexpr std::int64_t kH = 64, kW = 64;

// Rain rate of a Gaussian cell (peak 20 mm/h, sigma 6 px) centred at (cx, cy), with a weaker tail.
float cell(double x, double y, double cx, double cy) {
  const double r2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
  return static_cast<float>(20.0 * std::exp(-r2 / (2 * 36.0)) + 2.0 * std::exp(-r2 / (2 * 150.0)));
}

// Frames 0..n-1 of two cells moving by (vx, vy) pixels per step.
std::vector<float> moving(std::int64_t n, double vx, double vy) {
  std::vector<float> f(static_cast<std::size_t>(n * kH * kW));
  for (std::int64_t t = 0; t < n; ++t)
    for (std::int64_t y = 0; y < kH; ++y)
      for (std::int64_t x = 0; x < kW; ++x)
        f[(t * kH + y) * kW + x] =
            cell(x, y, 20 + vx * t, 24 + vy * t) + cell(x, y, 38 + vx * t, 36 + vy * t);
  return f;
}

double mse(const float* a, const float* b, std::int64_t n) {
  double s = 0.0;
  for (std::int64_t i = 0; i < n; ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s / static_cast<double>(n);
}

TEST_CASE("optical flow finds the speed of a moving rain cell and its forecast beats persistence", "[eval]") {
  if (!motion::optical_flow_available()) {
    CONVLSTM_SKIP("opencv", "built without OpenCV (libopencv-video-dev)");
  }
  const std::int64_t t_in = 4, t_out = 6, frame = kH * kW;
  const auto truth = moving(t_in + t_out, 1.5, -1.0);
  const std::vector<float> mask(static_cast<std::size_t>(t_in * frame), 1.0f);
  const motion::FlowFrames f{t_in, 1, kH, kW};
  for (auto method : {motion::FlowMethod::dis, motion::FlowMethod::farneback}) {
    INFO(motion::to_string(method));
    const auto motion =
        motion::estimate_motion(truth.data(), mask.data(), f, data::Quantity::rain_rate, method);
    // At the cells' centres after the last input frame, where the image has structure.
    for (auto [cx, cy] : {std::pair{20 + 4.5, 24 - 3.0}, std::pair{38 + 4.5, 36 - 3.0}}) {
      const auto i = (static_cast<std::int64_t>(cy) * kW + static_cast<std::int64_t>(cx)) * 2;
      CHECK(motion[i] == Approx(1.5).margin(0.3));
      CHECK(motion[i + 1] == Approx(-1.0).margin(0.3));
    }
    std::vector<float> out(static_cast<std::size_t>(t_out * frame));
    motion::optical_flow_forecast(truth.data(), mask.data(), f, t_out, data::Quantity::rain_rate, method,
                                  0.0f, out.data());
    const float* last = truth.data() + (t_in - 1) * frame;
    for (std::int64_t l = 1; l < t_out; l += 2) {
      const float* obs = truth.data() + (t_in + l) * frame;
      INFO("lead " << l + 1);
      // DIS's flow is sharper than Farneback's smoothed polynomial fit away from the cells.
      const double ratio = method == motion::FlowMethod::dis ? 0.1 : 0.25;
      CHECK(mse(out.data() + l * frame, obs, frame) < ratio * mse(last, obs, frame));
    }
  }
}

TEST_CASE("advection: a uniform motion shifts the field - what enters from outside or nodata is fill",
          "[eval]") {
  const std::int64_t h = 4, w = 5, t_out = 2;
  const motion::FlowFrames f{1, 1, h, w};
  std::vector<float> last(h * w), mask(h * w, 1.0f), motion(h * w * 2, 0.0f);
  for (std::int64_t i = 0; i < h * w; ++i) last[i] = static_cast<float>(i + 1);
  for (std::int64_t i = 0; i < h * w; ++i) motion[2 * i] = 1.0f;  // one pixel to the east per step
  mask[1 * w + 2] = 0.0f;                                         // row 1, column 2 unobserved
  std::vector<float> out(t_out * h * w), gaps(out.size(), -1.0f), plain(out.size());
  motion::advect(last.data(), mask.data(), motion, f, t_out, -7.0f, out.data(), gaps.data());
  motion::advect(last.data(), mask.data(), motion, f, t_out, -7.0f, plain.data());
  CHECK(plain == out);  // asking for the gaps changes nothing else
  for (std::int64_t y = 0; y < h; ++y)
    for (std::int64_t x = 0; x < w; ++x) {
      INFO("y " << y << " x " << x);
      for (std::int64_t l = 0; l < t_out; ++l) {
        const std::int64_t from = x - (l + 1);
        const bool fill = from < 0 || (y == 1 && from == 2);
        CHECK(out[(l * h + y) * w + x] == (fill ? -7.0f : last[y * w + from]));
        // The gaps are exactly the fills: sources beyond the western edge or unobserved.
        CHECK(gaps[(l * h + y) * w + x] == (fill ? 1.0f : 0.0f));
      }
    }
}

TEST_CASE("optical flow of a static field is the persistence forecast - reflectivity fills with the floor",
          "[eval]") {
  if (!motion::optical_flow_available()) {
    CONVLSTM_SKIP("opencv", "built without OpenCV (libopencv-video-dev)");
  }
  const std::int64_t t_in = 3, t_out = 3, frame = kH * kW;
  std::vector<float> in(static_cast<std::size_t>(t_in * frame)), mask(in.size(), 1.0f);
  for (std::int64_t t = 0; t < t_in; ++t)
    for (std::int64_t i = 0; i < frame; ++i) in[t * frame + i] = 30.0f * cell(i % kW, i / kW, 30, 30) / 22.0f;
  std::vector<float> out(static_cast<std::size_t>(t_out * frame));
  motion::optical_flow_forecast(in.data(), mask.data(), {t_in, 1, kH, kW}, t_out,
                                data::Quantity::reflectivity, motion::FlowMethod::dis, data::kDbzFloor,
                                out.data());
  for (std::int64_t l = 0; l < t_out; ++l) CHECK(mse(out.data() + l * frame, in.data(), frame) < 1e-3);
  CHECK_THROWS_AS(motion::parse_flow_method("lucas-kanade"), UsageError);
}

}  // namespace
}  // namespace convlstm
