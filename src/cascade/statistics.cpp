#include "cascade/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>

#include "cascade/bandpass.hpp"
#include "core/error.hpp"

namespace convlstm::cascade {

namespace {
constexpr double kWet = 0.1;  // mm/h

double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return std::nan("");
  const auto k = static_cast<std::size_t>(
      std::min<double>(static_cast<double>(v.size()) - 1, q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}
// The slope of log P against log k over wavelengths of 4 to 32 pixels (k from L/32 to L/4), P the mean power
// of each whole wavenumber k.
double slope_4_to_32(const std::vector<double>& power, const std::vector<double>& count, double l) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
  for (std::size_t b = 1; b < power.size(); ++b) {
    const double k = static_cast<double>(b);
    if (k < l / 32.0 || k > l / 4.0 || count[b] == 0 || power[b] <= 0) continue;
    const double x = std::log(k), y = std::log(power[b] / count[b]);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    m += 1;
  }
  return m >= 2 ? (m * sxy - sx * sy) / (m * sxx - sx * sx) : std::nan("");
}

}  // namespace

FieldStatistics radar_statistics(const float* frames, const float* mask, std::int64_t t, std::int64_t h,
                                 std::int64_t w) {
  if (t < 3) throw DataError("statistics need at least 3 frames, got " + std::to_string(t));
  FieldStatistics s;
  s.frames = t;
  s.height = h;
  s.width = w;
  const std::int64_t n = h * w;
  BandPass bands(h, w, default_levels(h, w));
  const std::int64_t nl = bands.levels();
  auto& fft = bands.fft();
  std::vector<double> db(static_cast<std::size_t>(n));
  std::vector<std::complex<double>> spec(static_cast<std::size_t>(fft.spectrum_size()));
  const double l = static_cast<double>(std::max(h, w));
  const auto bins = static_cast<std::size_t>(l / 2) + 2;
  std::vector<double> power(bins, 0.0), count(bins, 0.0), wet_rates;
  // The last three frames' cascades (a ring), and per level and lag the sums of a pooled correlation.
  std::vector<double> levels(static_cast<std::size_t>(3 * nl * n));
  struct Sums {
    double a = 0, b = 0, ab = 0, aa = 0, bb = 0, n = 0;
    void add(double x, double y) {
      a += x;
      b += y;
      ab += x * y;
      aa += x * x;
      bb += y * y;
      n += 1;
    }
    double corr() const {
      const double va = aa - a * a / n, vb = bb - b * b / n;
      return n > 1 && va > 0 && vb > 0 ? (ab - a * b / n) / std::sqrt(va * vb) : 0.0;
    }
  };
  std::vector<Sums> lag(static_cast<std::size_t>(2 * nl));
  double wet = 0.0;
  for (std::int64_t f = 0; f < t; ++f) {
    double mean = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
      const double r = mask[f * n + i] != 0.0f && std::isfinite(frames[f * n + i]) ? frames[f * n + i] : 0.0;
      if (r >= kWet) {
        wet += 1;
        wet_rates.push_back(r);
      }
      db[i] = r >= kWet ? 10.0 * std::log10(r) : -15.0;
      mean += db[i];
    }
    mean /= static_cast<double>(n);
    double* now = levels.data() + (f % 3) * nl * n;
    bands.decompose(db.data(), now);
    for (std::int64_t back = 1; back <= 2 && back <= f; ++back) {
      const double* before = levels.data() + ((f - back) % 3) * nl * n;
      for (std::int64_t k = 0; k < nl; ++k) {
        auto& z = lag[static_cast<std::size_t>((back - 1) * nl + k)];
        for (std::int64_t i = 0; i < n; ++i) z.add(before[k * n + i], now[k * n + i]);
      }
    }
    for (auto& v : db) v -= mean;
    fft.forward(db.data(), spec.data());
    for (std::int64_t row = 0; row < h; ++row)
      for (std::int64_t col = 0; col < fft.spectrum_width(); ++col) {
        const auto b = static_cast<std::size_t>(std::lround(bands.wavenumber(row, col)));
        if (b >= bins) continue;
        power[b] += std::norm(spec[row * fft.spectrum_width() + col]);
        count[b] += 1;
      }
  }
  s.spectral_slope = slope_4_to_32(power, count, l);
  s.wet_fraction = wet / static_cast<double>(t * n);
  for (double q : {0.5, 0.9, 0.99}) s.wet_quantiles.push_back(quantile(wet_rates, q));
  for (std::int64_t k = 0; k < nl; ++k) {
    s.level_wavelength.push_back(k == 0 ? 0.0 : l / bands.centres()[k]);
    s.level_lag1.push_back(lag[static_cast<std::size_t>(k)].corr());
    s.level_lag2.push_back(lag[static_cast<std::size_t>(nl + k)].corr());
  }
  Sums rate;
  for (std::int64_t f = 0; f + 1 < t; ++f)
    for (std::int64_t i = 0; i < n; ++i)
      rate.add(mask[f * n + i] != 0.0f ? frames[f * n + i] : 0.0,
               mask[(f + 1) * n + i] != 0.0f ? frames[(f + 1) * n + i] : 0.0);
  s.lag1 = rate.corr();
  return s;
}

std::string format_statistics(const FieldStatistics& s) {
  char buf[256];
  std::string out;
  std::snprintf(buf, sizeof buf, "  frames           %lld of %lldx%lld\n", static_cast<long long>(s.frames),
                static_cast<long long>(s.height), static_cast<long long>(s.width));
  out += buf;
  std::snprintf(buf, sizeof buf, "  spectral slope   %.2f (rain rate in dB, wavelengths 4-32 px)\n",
                s.spectral_slope);
  out += buf;
  std::snprintf(buf, sizeof buf, "  wet fraction     %.3f (>= 0.1 mm/h)\n", s.wet_fraction);
  out += buf;
  std::snprintf(buf, sizeof buf, "  wet rates        median %.2f, 90%% %.2f, 99%% %.2f mm/h\n",
                s.wet_quantiles[0], s.wet_quantiles[1], s.wet_quantiles[2]);
  out += buf;
  std::snprintf(buf, sizeof buf, "  lag-1 corr.      %.3f (rain rate, frame to frame)\n", s.lag1);
  out += buf;
  out += "  per scale        wavelength px: lag-1, lag-2 correlation (rain in dB)\n";
  for (std::size_t k = 0; k < s.level_lag1.size(); ++k) {
    std::snprintf(buf, sizeof buf, "    %8s  %.3f  %.3f\n",
                  k == 0 ? "largest"
                         : std::to_string(static_cast<long long>(std::lround(s.level_wavelength[k]))).c_str(),
                  s.level_lag1[k], s.level_lag2[k]);
    out += buf;
  }
  return out;
}

}  // namespace convlstm::cascade
