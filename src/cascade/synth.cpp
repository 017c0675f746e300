#include "cascade/synth.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numeric>
#include <vector>

#include "cascade/autoregression.hpp"
#include "cascade/bandpass.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "data/dataset.hpp"

namespace convlstm::cascade {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Inverse of the standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9).
double normal_quantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  p = std::clamp(p, 1e-12, 1.0 - 1e-12);
  if (p < 0.02425) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - 0.02425) return -normal_quantile(1 - p);
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

class Generator {
 public:
  Generator(const CascadeSynthOptions& o, std::uint64_t seed)
      : o_(o),
        d_(domain(o)),
        bands_(d_, d_, default_levels(d_, d_)),
        rng_(seed),
        amplitude_(static_cast<std::size_t>(bands_.fft().spectrum_size())),
        white_(static_cast<std::size_t>(d_ * d_)),
        spectrum_(amplitude_.size()) {
    const std::int64_t nl = bands_.levels(), n = d_ * d_;
    for (std::int64_t row = 0; row < d_; ++row)
      for (std::int64_t col = 0; col < bands_.fft().spectrum_width(); ++col) {
        const double k = bands_.wavenumber(row, col);
        amplitude_[row * bands_.fft().spectrum_width() + col] = k > 0 ? std::pow(k, -0.5 * o.slope) : 0.0;
      }
    // Each level's share of the power-law field, and its AR(2): a double real root exp(-1 / lifetime).
    weight_.assign(static_cast<std::size_t>(nl), 0.0);
    for (std::int64_t k = 0; k < nl; ++k) {
      double p = 0.0;
      for (std::int64_t i = 0; i < bands_.fft().spectrum_size(); ++i) {
        const double a = amplitude_[i] * bands_.level_weights(k)[i];
        p += a * a * (i % bands_.fft().spectrum_width() == 0 ? 1.0 : 2.0);
      }
      weight_[k] = std::sqrt(p);
      const double wavelength =
          k == 0 ? static_cast<double>(d_) : static_cast<double>(d_) / bands_.centres()[k];
      const double tau = std::max(0.3, o.lifetime * std::pow(wavelength / 64.0, 0.8));
      const double r = std::exp(-1.0 / tau), phi1 = 2 * r, phi2 = -r * r;
      const double g1 = phi1 / (1 - phi2), g2 = phi1 * g1 + phi2;
      ar_.push_back(Ar2{phi1, phi2, std::sqrt(std::max(0.0, 1 - phi1 * g1 - phi2 * g2))});
    }
    cur_.resize(static_cast<std::size_t>(nl * n));
    prev_.resize(cur_.size());
    noise_.resize(cur_.size());
    field_.resize(static_cast<std::size_t>(n));
    draw_noise(cur_.data());
    draw_noise(prev_.data());
    direction_ = rng_.uniform(0.0f, static_cast<float>(2 * kPi));
    speed_ = o.speed;
  }

  // The next frame's rain rates (h, w).
  void next(std::vector<float>& out) {
    step();
    sample(out);
  }

 private:
  static std::int64_t domain(const CascadeSynthOptions& o) {
    std::int64_t d = 16;
    while (d < 2 * std::max(o.height, o.width)) d *= 2;
    return d;
  }

  // One normalised noise cascade of the power-law filter.
  void draw_noise(double* out) {
    for (auto& v : white_) v = rng_.normal(0.0f, 1.0f);
    bands_.fft().forward(white_.data(), spectrum_.data());
    for (std::size_t i = 0; i < amplitude_.size(); ++i) spectrum_[i] *= amplitude_[i];
    bands_.split_normalised(spectrum_.data(), out);
  }

  void step() {
    const std::int64_t n = d_ * d_, nl = bands_.levels();
    draw_noise(noise_.data());
    std::fill(field_.begin(), field_.end(), 0.0);
    for (std::int64_t k = 0; k < nl; ++k) {
      const Ar2& a = ar_[k];
      double* c = cur_.data() + k * n;
      double* p = prev_.data() + k * n;
      const double* e = noise_.data() + k * n;
      for (std::int64_t i = 0; i < n; ++i) {
        const double next = a.phi1 * c[i] + a.phi2 * p[i] + a.noise_std * e[i];
        p[i] = c[i];
        c[i] = next;
        field_[i] += weight_[k] * next;
      }
    }
    // The motion: the direction random-walks, the speed wanders around its mean; the wet fraction too.
    direction_ += 0.05 * rng_.normal(0.0f, 1.0f);
    speed_ += 0.05 * (o_.speed - speed_) + 0.05 * o_.speed * rng_.normal(0.0f, 1.0f);
    speed_ = std::max(0.0, speed_);
    wet_drift_ = 0.98 * wet_drift_ + 0.05 * rng_.normal(0.0f, 1.0f);
    x_ += speed_ * std::cos(direction_);
    y_ += speed_ * std::sin(direction_);
    t_ += 1;
  }

  // The frame: the field at each pixel minus the displacement, then ranked into rain rates.
  void sample(std::vector<float>& out) {
    const std::int64_t h = o_.height, w = o_.width, d = d_;
    std::vector<double> v(static_cast<std::size_t>(h * w));
    const double shear = 0.3 * t_;
    for (std::int64_t r = 0; r < h; ++r)
      for (std::int64_t c = 0; c < w; ++c) {
        const double px = c - x_ - shear * std::sin(2 * kPi * r / d),
                     py = r - y_ - shear * std::sin(2 * kPi * c / d);
        const double fx = std::floor(px), fy = std::floor(py), ax = px - fx, ay = py - fy;
        auto at = [&](double yy, double xx) {
          const auto iy = ((static_cast<std::int64_t>(yy) % d) + d) % d,
                     ix = ((static_cast<std::int64_t>(xx) % d) + d) % d;
          return field_[iy * d + ix];
        };
        v[r * w + c] = (1 - ay) * ((1 - ax) * at(fy, fx) + ax * at(fy, fx + 1)) +
                       ay * ((1 - ax) * at(fy + 1, fx) + ax * at(fy + 1, fx + 1));
      }
    // Ranks: the top `wet` fraction is wet, its rates log-normal (at least 0.1 mm/h) in the same order.
    const double wet = std::clamp(o_.wet_fraction * std::exp(0.3 * std::tanh(wet_drift_)), 0.001, 0.999);
    std::vector<std::int64_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) { return v[a] > v[b]; });
    const auto wet_n = static_cast<std::int64_t>(std::llround(wet * static_cast<double>(v.size())));
    const double mu = std::log(o_.wet_median), floor_p = normal_cdf((std::log(0.1) - mu) / o_.wet_log_sd);
    out.assign(v.size(), 0.0f);
    for (std::int64_t i = 0; i < wet_n; ++i) {
      const double u =
          1.0 - (static_cast<double>(i) + 0.5) / static_cast<double>(wet_n);  // the top is rank 1
      const double p = floor_p + u * (1.0 - floor_p);
      out[order[i]] = static_cast<float>(std::exp(mu + o_.wet_log_sd * normal_quantile(p)));
    }
  }

  CascadeSynthOptions o_;
  std::int64_t d_;
  BandPass bands_;
  Rng rng_;
  std::vector<double> amplitude_, weight_, white_, cur_, prev_, noise_, field_;
  std::vector<std::complex<double>> spectrum_;
  std::vector<Ar2> ar_;
  double direction_ = 0, speed_ = 0, x_ = 0, y_ = 0, t_ = 0, wet_drift_ = 0;
};

}  // namespace

CascadeSynthOptions draw_regime(const CascadeSynthOptions& base, std::int64_t k) {
  Rng rng(base.seed * 0x9e3779b97f4a7c15ull + static_cast<std::uint64_t>(k) + 0x5e61u);
  auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * rng.uniform(0.0f, 1.0f); };
  auto log_uniform = [&](double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); };
  CascadeSynthOptions o = base;
  o.slope = uniform(2.4, 3.6);
  o.lifetime = log_uniform(4.0, 16.0);
  o.speed = uniform(0.2, 4.0);
  o.wet_fraction = log_uniform(0.03, 0.4);
  o.wet_median = log_uniform(0.2, 1.5);
  o.wet_log_sd = uniform(0.8, 1.3);
  return o;
}

namespace {

void check_options(const CascadeSynthOptions& o) {
  if (o.frames < 1 || o.height < 8 || o.width < 8)
    throw UsageError("synth radar --kind cascade: need at least 1 frame and a grid of at least 8x8");
  if (o.segments < 1 || o.segments > o.frames)
    throw UsageError("synth radar --kind cascade: --segments must be between 1 and the number of frames");
  if (!(o.slope > 0) || !(o.lifetime > 0) || !(o.speed >= 0) || !(o.wet_fraction > 0 && o.wet_fraction < 1))
    throw UsageError(
        "synth radar --kind cascade: slope, lifetime and speed must be positive, the wet fraction in (0, 1)");
}

}  // namespace

void write_cascade_radar(const std::string& path, const CascadeSynthOptions& o) {
  check_options(o);
  data::DatasetMeta meta;
  meta.height = o.height;
  meta.width = o.width;
  meta.dtype = "uint16";
  meta.gain = 0.01;
  meta.field = data::field_of(data::Quantity::rain_rate);
  meta.field.timestep_s = o.timestep_s;
  meta.field.source = "convlstm synth radar --kind cascade (seed " + std::to_string(o.seed) +
                      (o.segments > 1 ? ", " + std::to_string(o.segments) + " segments" : std::string()) +
                      (o.regimes ? ", weather regimes" : "") + ")";
  data::DatasetWriter writer(path, meta);
  std::vector<float> frame;
  std::vector<std::int64_t> time;
  std::vector<data::Segment> segments;
  const std::int64_t per = o.frames / o.segments;
  for (std::int64_t k = 0; k < o.segments; ++k) {
    const auto so = o.regimes ? draw_regime(o, k) : o;
    Generator gen(so, o.seed + static_cast<std::uint64_t>(k));
    for (int i = 0; i < 20; ++i) gen.next(frame);  // spin-up: every scale forgets its start
    const std::int64_t first = k * per, n = k + 1 == o.segments ? o.frames - first : per;
    const std::int64_t day = k * 86400;  // segments a day apart
    for (std::int64_t t = 0; t < n; ++t) {
      gen.next(frame);
      for (auto& v : frame) v = std::min(v, 600.0f);  // (uint16 at 0.01 mm/h)
      writer.append(frame.data());
      time.push_back(o.start_time + day + static_cast<std::int64_t>(static_cast<double>(t) * o.timestep_s));
    }
    segments.push_back({first, n});
  }
  writer.finish(time, segments);
  log::info("synth radar --kind cascade: wrote {} frames of {}x{} in {} segment(s) to {}", o.frames, o.height,
            o.width, o.segments, path);
}

}  // namespace convlstm::cascade
