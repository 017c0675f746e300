#include "eval/nowcast_bench.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "cascade/sprog.hpp"
#include "cascade/steps.hpp"
#include "core/error.hpp"
#include "core/sysinfo.hpp"
#include "data/dataset.hpp"
#include "motion/optical_flow.hpp"
#include "ops/threads.hpp"

namespace convlstm::eval {

namespace {
double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

NowcastBenchResult bench_nowcast(const NowcastBenchOptions& o) {
  if (o.method != "sprog" && o.method != "steps")
    throw UsageError("bench --nowcast '" + o.method + "': expected sprog or steps");
  if (o.data.empty()) throw UsageError("bench --nowcast: --data DS.h5 is required");
  if (!motion::optical_flow_available())
    throw UsageError("bench --nowcast: this convlstm was built without OpenCV (the motion comes from it)");
  ops::set_threads(o.threads);
  data::DatasetReader reader(o.data);
  const auto& m = reader.meta();
  if (m.channels != 1) throw DataError(o.data + ": the cascade baselines forecast one channel");
  if (m.frames < o.t_in) throw DataError(o.data + ": fewer frames than --t-in");
  const std::int64_t h = m.height, w = m.width, n = h * w;
  std::vector<float> inputs(static_cast<std::size_t>(o.t_in * n)), mask(inputs.size());
  reader.read(m.frames - o.t_in, o.t_in, inputs.data(), mask.data());

  NowcastBenchResult r;
  r.method = o.method;
  r.height = h;
  r.width = w;
  r.t_out = o.t_out;
  r.threads = ops::max_threads();
  auto t0 = std::chrono::steady_clock::now();
  const auto motion = motion::estimate_motion(inputs.data(), mask.data(), {o.t_in, 1, h, w}, m.field.quantity,
                                              motion::FlowMethod::dis);
  r.motion_s = since(t0);
  cascade::SprogOptions so;
  so.quantity = m.field.quantity;
  t0 = std::chrono::steady_clock::now();
  std::unique_ptr<cascade::Sprog> sprog;
  std::unique_ptr<cascade::Steps> steps;
  if (o.method == "sprog") {
    sprog = std::make_unique<cascade::Sprog>(h, w, so);
    r.levels = sprog->levels();
  } else {
    steps = std::make_unique<cascade::Steps>(h, w, so, cascade::StepsOptions{o.members, 0});
    r.members = o.members;
    r.levels = steps->levels();
  }
  r.setup_s = since(t0);
  std::vector<float> out(static_cast<std::size_t>(r.members * o.t_out * n));
  r.forecast_s = 1e30;
  for (std::int64_t i = 0; i < std::max<std::int64_t>(1, o.repeats); ++i) {
    t0 = std::chrono::steady_clock::now();
    if (sprog)
      sprog->forecast(inputs.data(), mask.data(), o.t_in, motion, o.t_out, out.data());
    else
      steps->forecast(inputs.data(), mask.data(), o.t_in, motion, o.t_out, static_cast<std::uint64_t>(i),
                      out.data());
    r.forecast_s = std::min(r.forecast_s, since(t0));
  }
  r.peak_rss_mib = peak_rss_bytes() / (1024.0 * 1024.0);
  return r;
}

std::string format_nowcast_bench(const NowcastBenchResult& r) {
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      "%s, %lld members, %lld leads of %lldx%lld, %lld cascade levels, %lld threads\n"
      "  optical flow  %.2f s\n  set-up        %.2f s\n  forecast      %.2f s (best of the repeats)\n"
      "  peak memory   %.0f MiB\n",
      r.method.c_str(), static_cast<long long>(r.members), static_cast<long long>(r.t_out),
      static_cast<long long>(r.height), static_cast<long long>(r.width), static_cast<long long>(r.levels),
      static_cast<long long>(r.threads), r.motion_s, r.setup_s, r.forecast_s, r.peak_rss_mib);
  return buf;
}

std::string to_json(const NowcastBenchResult& r) {
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      "{\"method\": \"%s\", \"members\": %lld, \"t_out\": %lld, \"height\": %lld, \"width\": %lld, "
      "\"levels\": %lld, \"threads\": %lld, \"motion_s\": %.4f, \"setup_s\": %.4f, \"forecast_s\": %.4f, "
      "\"peak_rss_mib\": %.1f}",
      r.method.c_str(), static_cast<long long>(r.members), static_cast<long long>(r.t_out),
      static_cast<long long>(r.height), static_cast<long long>(r.width), static_cast<long long>(r.levels),
      static_cast<long long>(r.threads), r.motion_s, r.setup_s, r.forecast_s, r.peak_rss_mib);
  return buf;
}

}  // namespace convlstm::eval
