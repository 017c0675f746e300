#include "cascade/sprog.hpp"

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

Sprog::Sprog(std::int64_t height, std::int64_t width, SprogOptions options)
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

void Sprog::to_db(const float* values, const float* mask, double* out) const {
  const std::int64_t n = bands_.plane();
  const bool dbz = o_.quantity == data::Quantity::reflectivity;
  for (std::int64_t i = 0; i < n; ++i) {
    double rate = 0.0;
    if (mask[i] != 0.0f && std::isfinite(values[i]))
      rate = dbz ? data::rain_rate_from_dbz(values[i], o_.zr_a, o_.zr_b) : values[i];
    out[i] = rate >= o_.threshold ? 10.0 * std::log10(rate) : dry_db_;
  }
}

float Sprog::from_db(double db) const {
  const double rate = db >= threshold_db_ ? std::pow(10.0, db / 10.0) : 0.0;
  if (o_.quantity == data::Quantity::reflectivity)
    return data::dbz_from_rain_rate(static_cast<float>(rate), o_.zr_a, o_.zr_b);
  return static_cast<float>(rate);
}

void Sprog::forecast(const float* inputs, const float* mask, std::int64_t t_in,
                     const std::vector<float>& motion, std::int64_t t_out, float* out) {
  const std::int64_t h = bands_.height(), w = bands_.width(), n = bands_.plane(), nl = bands_.levels();
  const std::int64_t used = std::min<std::int64_t>(3, t_in);  // frames: last-used+1 .. last
  if (used < 1) throw UsageError("S-PROG needs at least one input frame");
  frames_.resize(static_cast<std::size_t>(3 * n));
  aligned_.resize(static_cast<std::size_t>(3 * n));
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
  const double* last = frames_.data();
  std::int64_t wet = 0;
  double wet_sum = 0.0;
  for (std::int64_t i = 0; i < n; ++i)
    if (last[i] >= threshold_db_) {
      ++wet;
      wet_sum += last[i];
    }
  if (wet == 0) {  // nothing to forecast
    std::fill(out, out + t_out * n, from_db(dry_db_));
    ar_.assign(static_cast<std::size_t>(nl), Ar2{});
    return;
  }
  const double wet_fraction = static_cast<double>(wet) / static_cast<double>(n), wet_mean = wet_sum / wet;

  // The cascades, normalised per level; the last frame's moments recompose the forecast.
  levels_.resize(static_cast<std::size_t>(3 * nl * n));
  std::vector<double> mean(static_cast<std::size_t>(nl)), sd(mean.size());
  for (std::int64_t j = 0; j < used; ++j) {
    double* lv = levels_.data() + j * nl * n;
    bands_.decompose(frames_.data() + j * n, lv);
    for (std::int64_t k = 0; k < nl; ++k) {
      double m = 0.0, s = 0.0;
      moments(lv + k * n, n, m, s);
      if (j == 0) {
        mean[k] = m;
        sd[k] = s;
      }
      for (std::int64_t i = 0; i < n; ++i) lv[k * n + i] = s > 0 ? (lv[k * n + i] - m) / s : 0.0;
    }
  }
  ar_.assign(static_cast<std::size_t>(nl), Ar2{});
  for (std::int64_t k = 0; k < nl; ++k) {
    const double* l0 = levels_.data() + k * n;
    if (used >= 3)
      ar_[k] = fit_ar2(correlation(l0, levels_.data() + (nl + k) * n, n, inside_.data()),
                       correlation(l0, levels_.data() + (2 * nl + k) * n, n, inside_.data()));
    else if (used == 2)
      ar_[k] = fit_ar1(correlation(l0, levels_.data() + (nl + k) * n, n, inside_.data()));
    else
      ar_[k] = Ar2{1.0, 0.0, 0.0};
  }

  // cur: levels_[0..nl), prev: levels_[nl..2nl) (an AR(1) or persistence ignores it).
  double* cur = levels_.data();
  double* prev = levels_.data() + nl * n;
  recomposed_.resize(static_cast<std::size_t>(n));
  sorted_.resize(static_cast<std::size_t>(n));
  const auto keep = static_cast<std::int64_t>(std::llround(wet_fraction * static_cast<double>(n)));
  for (std::int64_t lead = 1; lead <= t_out; ++lead) {
    std::fill(recomposed_.begin(), recomposed_.end(), 0.0);
    for (std::int64_t k = 0; k < nl; ++k) {
      const Ar2& a = ar_[k];
      double* c = cur + k * n;
      double* p = prev + k * n;
      for (std::int64_t i = 0; i < n; ++i) {
        const double next = a.phi1 * c[i] + a.phi2 * p[i];
        p[i] = c[i];
        c[i] = next;
        recomposed_[i] += next * sd[k] + mean[k];
      }
    }
    // The wet area: the `keep` highest values stay wet, their mean matched to the last frame's.
    std::copy(recomposed_.begin(), recomposed_.end(), sorted_.begin());
    std::nth_element(sorted_.begin(), sorted_.begin() + (n - keep), sorted_.end());
    const double cut = sorted_[n - keep];
    double sum = 0.0;
    std::int64_t count = 0;
    for (std::int64_t i = 0; i < n; ++i)
      if (recomposed_[i] >= cut) {
        sum += recomposed_[i];
        ++count;
      }
    const double shift = count ? wet_mean - sum / count : 0.0;
    for (std::int64_t i = 0; i < n; ++i)
      advect_in_[i] = static_cast<float>(recomposed_[i] >= cut ? recomposed_[i] + shift : dry_db_);
    motion::advect_steps(advect_in_.data(), motion, h, w, lead, static_cast<float>(dry_db_),
                         advect_out_.data());
    float* o = out + (lead - 1) * n;
    for (std::int64_t i = 0; i < n; ++i) o[i] = from_db(advect_out_[i]);
  }
}

}  // namespace convlstm::cascade
