// `convlstm bench --nowcast sprog|steps --data DS.h5`: the speed and memory of a cascade baseline's forecast
// from the last frames of a dataset (docs/performance.md), apart from any model: the optical flow, the set-up
// (FFT plans, filters) and each forecast timed on their own.
#pragma once

#include <cstdint>
#include <string>

namespace convlstm::eval {

struct NowcastBenchOptions {
  std::string method;  // sprog | steps
  std::string data;
  std::int64_t members = 20;  // steps
  std::int64_t t_in = 3, t_out = 12;
  std::int64_t repeats = 3;
  int threads = 0;  // 0: every core
};

struct NowcastBenchResult {
  std::string method;
  std::int64_t height = 0, width = 0, members = 1, t_out = 0, threads = 1, levels = 0;
  double motion_s = 0, setup_s = 0, forecast_s = 0;  // forecast: the best of the repeats
  double peak_rss_mib = 0;
};

NowcastBenchResult bench_nowcast(const NowcastBenchOptions& options);
std::string format_nowcast_bench(const NowcastBenchResult& r);
std::string to_json(const NowcastBenchResult& r);

}  // namespace convlstm::eval
