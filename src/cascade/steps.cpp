#include "cascade/steps.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace convlstm::cascade {

namespace {
std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

std::uint64_t member_seed(std::uint64_t seed, std::uint64_t window, std::uint64_t member) {
  return splitmix(splitmix(splitmix(seed) ^ window) ^ member);
}

Steps::Steps(std::int64_t height, std::int64_t width, SprogOptions options, StepsOptions steps)
    : core_(height, width, options), so_(steps) {
  if (so_.members < 2) throw UsageError("--members: an ensemble needs at least 2 members");
  const auto size = static_cast<std::size_t>(core_.bands().fft().spectrum_size());
  amplitude_.assign(size, 0.0);
  spectrum_.resize(size);
  band_.resize(size);
  white_.resize(static_cast<std::size_t>(height * width));
}

void Steps::fit_noise(const double* field_db) {
  const std::int64_t n = core_.height() * core_.width();
  double mean = 0.0;
  for (std::int64_t i = 0; i < n; ++i) mean += field_db[i];
  mean /= static_cast<double>(n);
  for (std::int64_t i = 0; i < n; ++i) white_[i] = field_db[i] - mean;
  core_.bands().fft().forward(white_.data(), spectrum_.data());
  for (std::size_t i = 0; i < amplitude_.size(); ++i) amplitude_[i] = std::abs(spectrum_[i]);
}

// White noise through the filter: spectrum_ holds the filtered noise's spectrum.
void Steps::filter_white(std::uint64_t seed) {
  Rng rng(seed);
  const std::int64_t n = core_.height() * core_.width();
  for (std::int64_t i = 0; i < n; ++i) white_[i] = rng.normal(0.0f, 1.0f);
  core_.bands().fft().forward(white_.data(), spectrum_.data());
  for (std::size_t i = 0; i < amplitude_.size(); ++i) spectrum_[i] *= amplitude_[i];
}

void Steps::filtered_noise(std::uint64_t seed, double* out) {
  filter_white(seed);
  core_.bands().fft().inverse(spectrum_.data(), out);
}

void Steps::noise(std::uint64_t seed, double* out) {
  auto& bands = core_.bands();
  const std::int64_t n = bands.plane(), nl = bands.levels();
  const auto size = static_cast<std::int64_t>(amplitude_.size());
  filter_white(seed);
  for (std::int64_t k = 0; k < nl; ++k) {
    const double* wk = bands.level_weights(k);
    for (std::int64_t i = 0; i < size; ++i) band_[i] = spectrum_[i] * wk[i];
    double* level = out + k * n;
    bands.fft().inverse(band_.data(), level);
    double m = 0.0, ss = 0.0;
    for (std::int64_t i = 0; i < n; ++i) m += level[i];
    m /= static_cast<double>(n);
    for (std::int64_t i = 0; i < n; ++i) ss += (level[i] - m) * (level[i] - m);
    const double sd = std::sqrt(ss / static_cast<double>(n));
    for (std::int64_t i = 0; i < n; ++i) level[i] = sd > 0 ? (level[i] - m) / sd : 0.0;
  }
}

void Steps::forecast(const float* inputs, const float* mask, std::int64_t t_in,
                     const std::vector<float>& motion, std::int64_t t_out, std::uint64_t window, float* out) {
  const std::int64_t h = core_.height(), w = core_.width(), n = h * w, nl = core_.levels();
  const CascadeStart start = core_.prepare(inputs, mask, t_in, motion);
  if (start.dry) {
    std::fill(out, out + so_.members * t_out * n, core_.dry_value());
    return;
  }
  fit_noise(start.last_db.data());
  double speed = 0.0;
  for (std::int64_t i = 0; i < n; ++i) speed += std::hypot(motion[2 * i], motion[2 * i + 1]);
  const double s = 0.1 * speed / static_cast<double>(n) + 0.05;
  std::vector<double> cur, prev, eps(static_cast<std::size_t>(nl * n));
  std::vector<float> member_motion(motion.size());
  for (std::int64_t m = 0; m < so_.members; ++m) {
    const std::uint64_t seed = member_seed(so_.seed, window, static_cast<std::uint64_t>(m));
    Rng rng(seed);
    const float du = rng.normal(0.0f, static_cast<float>(s)), dv = rng.normal(0.0f, static_cast<float>(s));
    for (std::int64_t i = 0; i < n; ++i) {
      member_motion[2 * i] = motion[2 * i] + du;
      member_motion[2 * i + 1] = motion[2 * i + 1] + dv;
    }
    cur = start.cur;
    prev = start.prev;
    for (std::int64_t lead = 1; lead <= t_out; ++lead) {
      noise(rng.bits(), eps.data());
      core_.step(start, cur, prev, eps.data(), member_motion, lead, out + (m * t_out + lead - 1) * n);
    }
  }
}

}  // namespace convlstm::cascade
