#include "cascade/steps.hpp"

#include <algorithm>
#include <cmath>

#include <omp.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "ops/threads.hpp"

namespace convlstm::cascade {

std::uint64_t member_seed(std::uint64_t seed, std::uint64_t window, std::uint64_t member) {
  return splitmix64(splitmix64(splitmix64(seed) ^ window) ^ member);
}

struct Steps::Worker {
  Worker(std::int64_t h, std::int64_t w, const SprogOptions& o) : core(h, w, o) {
    const auto size = static_cast<std::size_t>(core.bands().fft().spectrum_size());
    spectrum.resize(size);
    white.resize(static_cast<std::size_t>(h * w));
    eps.resize(static_cast<std::size_t>(core.levels() * h * w));
  }
  CascadeNowcast core;
  std::vector<double> white, eps, cur, prev;
  std::vector<std::complex<double>> spectrum;
  std::vector<float> motion;
};

Steps::Steps(std::int64_t height, std::int64_t width, SprogOptions options, StepsOptions steps) : so_(steps) {
  if (so_.members < 2) throw UsageError("--members: an ensemble needs at least 2 members");
  const int threads = std::max(1, std::min<int>(ops::max_threads(), static_cast<int>(so_.members)));
  for (int t = 0; t < threads; ++t) workers_.push_back(std::make_unique<Worker>(height, width, options));
  amplitude_.assign(workers_[0]->spectrum.size(), 0.0);
}

Steps::~Steps() = default;

std::int64_t Steps::levels() const {
  return workers_[0]->core.levels();
}

void Steps::fit_noise(const double* field_db) {
  auto& wk = *workers_[0];
  const std::int64_t n = wk.core.height() * wk.core.width();
  double mean = 0.0;
  for (std::int64_t i = 0; i < n; ++i) mean += field_db[i];
  mean /= static_cast<double>(n);
  for (std::int64_t i = 0; i < n; ++i) wk.white[i] = field_db[i] - mean;
  wk.core.bands().fft().forward(wk.white.data(), wk.spectrum.data());
  for (std::size_t i = 0; i < amplitude_.size(); ++i) amplitude_[i] = std::abs(wk.spectrum[i]);
}

// White noise through the filter: wk.spectrum holds the filtered noise's spectrum.
void Steps::filter_white(Worker& wk, std::uint64_t seed) {
  Rng rng(seed);
  for (auto& v : wk.white) v = rng.normal(0.0f, 1.0f);
  wk.core.bands().fft().forward(wk.white.data(), wk.spectrum.data());
  for (std::size_t i = 0; i < amplitude_.size(); ++i) wk.spectrum[i] *= amplitude_[i];
}

void Steps::filtered_noise(std::uint64_t seed, double* out) {
  auto& wk = *workers_[0];
  filter_white(wk, seed);
  wk.core.bands().fft().inverse(wk.spectrum.data(), out);
}

void Steps::noise(std::uint64_t seed, double* out) {
  noise(*workers_[0], seed, out);
}

void Steps::noise(Worker& wk, std::uint64_t seed, double* out) {
  filter_white(wk, seed);
  wk.core.bands().split_normalised(wk.spectrum.data(), out);
}

void Steps::forecast(const float* inputs, const float* mask, std::int64_t t_in,
                     const std::vector<float>& motion, std::int64_t t_out, std::uint64_t window, float* out) {
  auto& first = *workers_[0];
  const std::int64_t h = first.core.height(), w = first.core.width(), n = h * w;
  const CascadeStart start = first.core.prepare(inputs, mask, t_in, motion);
  if (start.dry) {
    std::fill(out, out + so_.members * t_out * n, first.core.dry_value());
    return;
  }
  fit_noise(start.last_db.data());
  double speed = 0.0;
  for (std::int64_t i = 0; i < n; ++i) speed += std::hypot(motion[2 * i], motion[2 * i + 1]);
  const double s = 0.1 * speed / static_cast<double>(n) + 0.05;
  const auto threads = static_cast<int>(workers_.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::int64_t m = 0; m < so_.members; ++m) {
    auto& wk = *workers_[static_cast<std::size_t>(omp_get_thread_num())];
    Rng rng(member_seed(so_.seed, window, static_cast<std::uint64_t>(m)));
    const float du = rng.normal(0.0f, static_cast<float>(s)), dv = rng.normal(0.0f, static_cast<float>(s));
    wk.motion.resize(motion.size());
    for (std::int64_t i = 0; i < n; ++i) {
      wk.motion[2 * i] = motion[2 * i] + du;
      wk.motion[2 * i + 1] = motion[2 * i + 1] + dv;
    }
    wk.cur = start.cur;
    wk.prev = start.prev;
    for (std::int64_t lead = 1; lead <= t_out; ++lead) {
      noise(wk, rng.bits(), wk.eps.data());
      wk.core.step(start, wk.cur, wk.prev, wk.eps.data(), wk.motion, lead, out + (m * t_out + lead - 1) * n);
    }
  }
}

}  // namespace convlstm::cascade
