#include "cascade/nowcast.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "data/units.hpp"
#include "motion/optical_flow.hpp"

namespace convlstm::cascade {

namespace {

// Mean and standard deviation of n values.
void moments(const double* x, std::int64_t n, double& mean, double& sd) {
  double s = 0.0, ss = 0.0;
  for (std::int64_t i = 0; i < n; ++i) s += x[i];
  mean = s / static_cast<double>(n);
  for (std::int64_t i = 0; i < n; ++i) ss += (x[i] - mean) * (x[i] - mean);
  sd = std::sqrt(ss / static_cast<double>(n));
}

}  // namespace

CascadeNowcast::CascadeNowcast(std::int64_t height, std::int64_t width, SprogOptions options)
    : o_(options),
      bands_(height, width, options.levels > 0 ? options.levels : default_levels(height, width)) {
  if (o_.quantity == data::Quantity::intensity)
    throw UsageError(
        "the S-PROG baseline forecasts rain (rain_rate, accumulation or reflectivity), not "
        "intensity");
  if (!(o_.threshold > 0)) throw UsageError("S-PROG: the rain threshold must be positive");
  threshold_db_ = 10.0 * std::log10(o_.threshold);
  dry_db_ = threshold_db_ - 5.0;
}

void CascadeNowcast::to_db(const float* values, const float* mask, double* out) const {
  const std::int64_t n = bands_.plane();
  const bool dbz = o_.quantity == data::Quantity::reflectivity;
  for (std::int64_t i = 0; i < n; ++i) {
    double rate = 0.0;
    if (mask[i] != 0.0f && std::isfinite(values[i]))
      rate = dbz ? data::rain_rate_from_dbz(values[i], o_.zr_a, o_.zr_b) : values[i];
    out[i] = rate >= o_.threshold ? 10.0 * std::log10(rate) : dry_db_;
  }
}

float CascadeNowcast::from_db(double db) const {
  const double rate = db >= threshold_db_ ? std::pow(10.0, db / 10.0) : 0.0;
  if (o_.quantity == data::Quantity::reflectivity)
    return data::dbz_from_rain_rate(static_cast<float>(rate), o_.zr_a, o_.zr_b);
  return static_cast<float>(rate);
}

CascadeStart CascadeNowcast::prepare(const float* inputs, const float* mask, std::int64_t t_in,
                                     const std::vector<float>& motion) {
  const std::int64_t h = bands_.height(), w = bands_.width(), n = bands_.plane(), nl = bands_.levels();
  const std::int64_t used = std::min<std::int64_t>(3, t_in);  // frames: last-used+1 .. last
  if (used < 1) throw UsageError("a cascade nowcast needs at least one input frame");
  frames_.resize(static_cast<std::size_t>(3 * n));
  advect_in_.resize(static_cast<std::size_t>(n));
  advect_out_.resize(static_cast<std::size_t>(n));
  // Where every aligned frame came from inside the grid: the correlations are taken there.
  inside_.assign(static_cast<std::size_t>(n), 1);
  sourced_.resize(static_cast<std::size_t>(n));
  // frames_[0] the last frame, [1] the one before, [2] two before, each advected to the last one's time.
  for (std::int64_t j = 0; j < used; ++j) {
    const std::int64_t t = t_in - 1 - j;
    double* f = frames_.data() + j * n;
    to_db(inputs + t * n, mask + t * n, f);
    if (j == 0) continue;
    std::copy_n(f, n, advect_in_.data());
    motion::advect_steps(advect_in_.data(), motion, h, w, j, static_cast<float>(dry_db_), advect_out_.data(),
                         sourced_.data());
    // Where the trajectory left the grid the earlier frame is unknown: it takes the last frame's value, so
    // that the AR(2) sees no change there (a dry fill would be a trend it extrapolates).
    for (std::int64_t i = 0; i < n; ++i) {
      f[i] = sourced_[i] ? advect_out_[i] : frames_[i];
      inside_[i] &= sourced_[i];
    }
  }
  CascadeStart s;
  s.last_db.assign(frames_.begin(), frames_.begin() + n);
  std::int64_t wet = 0;
  double wet_sum = 0.0;
  for (std::int64_t i = 0; i < n; ++i)
    if (s.last_db[i] >= threshold_db_) {
      ++wet;
      wet_sum += s.last_db[i];
    }
  s.ar.assign(static_cast<std::size_t>(nl), Ar2{});
  if (wet == 0) {
    s.dry = true;
    return s;
  }
  s.wet_fraction = static_cast<double>(wet) / static_cast<double>(n);
  s.wet_mean = wet_sum / static_cast<double>(wet);

  // The cascades, normalised per level; the last frame's moments recompose the forecast.
  levels_.resize(static_cast<std::size_t>(3 * nl * n));
  s.mean.assign(static_cast<std::size_t>(nl), 0.0);
  s.sd.assign(static_cast<std::size_t>(nl), 0.0);
  for (std::int64_t j = 0; j < used; ++j) {
    double* lv = levels_.data() + j * nl * n;
    bands_.decompose(frames_.data() + j * n, lv);
    for (std::int64_t k = 0; k < nl; ++k) {
      double m = 0.0, sd = 0.0;
      moments(lv + k * n, n, m, sd);
      if (j == 0) {
        s.mean[k] = m;
        s.sd[k] = sd;
      }
      for (std::int64_t i = 0; i < n; ++i) lv[k * n + i] = sd > 0 ? (lv[k * n + i] - m) / sd : 0.0;
    }
  }
  for (std::int64_t k = 0; k < nl; ++k) {
    const double* l0 = levels_.data() + k * n;
    if (used >= 3)
      s.ar[k] = fit_ar2(correlation(l0, levels_.data() + (nl + k) * n, n, inside_.data()),
                        correlation(l0, levels_.data() + (2 * nl + k) * n, n, inside_.data()));
    else if (used == 2)
      s.ar[k] = fit_ar1(correlation(l0, levels_.data() + (nl + k) * n, n, inside_.data()));
    else
      s.ar[k] = Ar2{1.0, 0.0, 0.0};
  }
  s.cur.assign(levels_.begin(), levels_.begin() + nl * n);
  s.prev.assign(levels_.begin() + nl * n, levels_.begin() + 2 * nl * n);
  return s;
}

void CascadeNowcast::step(const CascadeStart& s, std::vector<double>& cur, std::vector<double>& prev,
                          const double* noise, const std::vector<float>& motion, std::int64_t lead,
                          float* out) {
  const std::int64_t h = bands_.height(), w = bands_.width(), n = bands_.plane(), nl = bands_.levels();
  if (s.dry) {
    std::fill(out, out + n, dry_value());
    return;
  }
  recomposed_.assign(static_cast<std::size_t>(n), 0.0);
  for (std::int64_t k = 0; k < nl; ++k) {
    const Ar2& a = s.ar[k];
    double* c = cur.data() + k * n;
    double* p = prev.data() + k * n;
    const double* e = noise ? noise + k * n : nullptr;
    for (std::int64_t i = 0; i < n; ++i) {
      const double next = a.phi1 * c[i] + a.phi2 * p[i] + (e ? a.noise_std * e[i] : 0.0);
      p[i] = c[i];
      c[i] = next;
      recomposed_[i] += next * s.sd[k] + s.mean[k];
    }
  }
  // The wet area: the highest values, as many as were wet in the last frame, stay wet; their mean is matched
  // to the last frame's.
  const auto keep = std::max<std::int64_t>(
      1, static_cast<std::int64_t>(std::llround(s.wet_fraction * static_cast<double>(n))));
  sorted_.assign(recomposed_.begin(), recomposed_.end());
  std::nth_element(sorted_.begin(), sorted_.begin() + (n - keep), sorted_.end());
  const double cut = sorted_[n - keep];
  double sum = 0.0;
  std::int64_t count = 0;
  for (std::int64_t i = 0; i < n; ++i)
    if (recomposed_[i] >= cut) {
      sum += recomposed_[i];
      ++count;
    }
  const double shift = count ? s.wet_mean - sum / static_cast<double>(count) : 0.0;
  advect_in_.resize(static_cast<std::size_t>(n));
  advect_out_.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    advect_in_[i] = static_cast<float>(recomposed_[i] >= cut ? recomposed_[i] + shift : dry_db_);
  motion::advect_steps(advect_in_.data(), motion, h, w, lead, static_cast<float>(dry_db_),
                       advect_out_.data());
  for (std::int64_t i = 0; i < n; ++i) out[i] = from_db(advect_out_[i]);
}

}  // namespace convlstm::cascade
