#include "cascade/bandpass.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace convlstm::cascade {

std::int64_t default_levels(std::int64_t height, std::int64_t width) {
  const auto l = static_cast<double>(std::max(height, width));
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(std::log2(l))) - 3);
}

BandPass::BandPass(std::int64_t height, std::int64_t width, std::int64_t levels)
    : fft_(height, width), n_(levels) {
  if (levels < 1) throw UsageError("a cascade needs at least one level, got " + std::to_string(levels));
  const double half = 0.5 * static_cast<double>(std::max(height, width));
  centres_.assign(static_cast<std::size_t>(n_), 0.0);
  const double q = n_ > 1 ? std::pow(half, 1.0 / static_cast<double>(n_ - 1)) : 2.0;
  for (std::int64_t k = 1; k < n_; ++k) centres_[k] = std::pow(q, static_cast<double>(k));
  const double sigma = 0.5 * std::log(std::max(q, 1.0 + 1e-9));
  const std::int64_t sw = fft_.spectrum_width(), size = fft_.spectrum_size();
  weights_.assign(static_cast<std::size_t>(n_ * size), 0.0);
  std::vector<double> g(static_cast<std::size_t>(n_));
  for (std::int64_t row = 0; row < height; ++row)
    for (std::int64_t col = 0; col < sw; ++col) {
      const double r = wavenumber(row, col);
      double sum = 0.0;
      for (std::int64_t k = 0; k < n_; ++k) {
        if (n_ == 1) {
          g[k] = 1.0;
        } else if (k == 0) {  // low-pass: e^-2 at the first band's centre
          const double x = r / centres_[1];
          g[k] = std::exp(-2.0 * x * x);
        } else {
          const double d = r > 0 ? std::log(r / centres_[k]) / sigma : -1e9;
          g[k] = r > 0 ? std::exp(-0.5 * d * d) : 0.0;
        }
        sum += g[k];
      }
      // (sum > 0: the low-pass is 1 at r = 0 and the bands overlap everywhere above it)
      for (std::int64_t k = 0; k < n_; ++k) weights_[k * size + row * sw + col] = g[k] / sum;
    }
  spectrum_.resize(static_cast<std::size_t>(size));
  band_.resize(static_cast<std::size_t>(size));
}

double BandPass::wavenumber(std::int64_t row, std::int64_t col) const {
  const double h = static_cast<double>(height()), w = static_cast<double>(width());
  const double l = std::max(h, w);
  const double ky = static_cast<double>(row <= height() / 2 ? row : row - height()) * l / h;
  const double kx = static_cast<double>(col) * l / w;
  return std::sqrt(kx * kx + ky * ky);
}

double BandPass::weight(std::int64_t level, std::int64_t row, std::int64_t col) const {
  return weights_[level * fft_.spectrum_size() + row * fft_.spectrum_width() + col];
}

void normalise(double* x, std::int64_t n) {
  double m = 0.0, ss = 0.0;
  for (std::int64_t i = 0; i < n; ++i) m += x[i];
  m /= static_cast<double>(n);
  for (std::int64_t i = 0; i < n; ++i) ss += (x[i] - m) * (x[i] - m);
  const double sd = std::sqrt(ss / static_cast<double>(n));
  for (std::int64_t i = 0; i < n; ++i) x[i] = sd > 0 ? (x[i] - m) / sd : 0.0;
}

void BandPass::split_normalised(const std::complex<double>* spectrum, double* out) {
  const std::int64_t size = fft_.spectrum_size();
  for (std::int64_t k = 0; k < n_; ++k) {
    const double* wk = weights_.data() + k * size;
    for (std::int64_t i = 0; i < size; ++i) band_[i] = spectrum[i] * wk[i];
    fft_.inverse(band_.data(), out + k * plane());
    normalise(out + k * plane(), plane());
  }
}

void BandPass::decompose(const double* field, double* out) {
  const std::int64_t size = fft_.spectrum_size();
  fft_.forward(field, spectrum_.data());
  for (std::int64_t k = 0; k < n_; ++k) {
    const double* wk = weights_.data() + k * size;
    for (std::int64_t i = 0; i < size; ++i) band_[i] = spectrum_[i] * wk[i];
    fft_.inverse(band_.data(), out + k * plane());
  }
}

}  // namespace convlstm::cascade
