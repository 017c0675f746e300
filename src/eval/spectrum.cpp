#include "eval/spectrum.hpp"

#include <cmath>

#include "cascade/fft.hpp"

namespace convlstm::eval {

PowerSpectrum::PowerSpectrum(std::int64_t height, std::int64_t width)
    : h_(height), w_(width), fft_(std::make_unique<cascade::Fft2>(height, width)) {
  const std::int64_t sw = fft_->spectrum_width();
  band_.assign(static_cast<std::size_t>(h_ * sw), -1);
  weight_.assign(band_.size(), 1.0);
  for (std::int64_t ky = 0; ky < h_; ++ky)
    for (std::int64_t kx = 0; kx < sw; ++kx) {
      const std::int64_t i = ky * sw + kx;
      // Columns 1 .. (w-1)/2 stand for their mirror images too.
      if (kx > 0 && 2 * kx != w_) weight_[i] = 2.0;
      const double fy = static_cast<double>(std::min(ky, h_ - ky)) / static_cast<double>(h_);
      const double fx = static_cast<double>(kx) / static_cast<double>(w_);
      const double k = std::sqrt(fy * fy + fx * fx);
      if (k == 0.0) continue;
      const double wavelength = 1.0 / k;
      for (std::size_t b = 0; b < kSpectrumBands.size(); ++b) {
        const double l = kSpectrumBands[b];
        if (wavelength >= l / std::sqrt(2.0) && wavelength < l * std::sqrt(2.0))
          band_[i] = static_cast<int>(b);
      }
    }
  field_.resize(static_cast<std::size_t>(h_ * w_));
  spectrum_.resize(band_.size());
}

PowerSpectrum::~PowerSpectrum() = default;

void PowerSpectrum::add(const float* field, const float* mask, double* sums) {
  for (std::int64_t i = 0; i < h_ * w_; ++i)
    field_[i] = mask[i] != 0.0f && std::isfinite(field[i]) ? static_cast<double>(field[i]) : 0.0;
  fft_->forward(field_.data(), spectrum_.data());
  const double n = static_cast<double>(h_ * w_);
  for (std::size_t i = 0; i < band_.size(); ++i)
    if (band_[i] >= 0) sums[band_[i]] += weight_[i] * std::norm(spectrum_[i]) / n;
}

}  // namespace convlstm::eval
