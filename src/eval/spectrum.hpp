// Sharpness: the radially averaged power spectrum of a field, summed in octave bands of wavelength, so that
// a forecast's power can be set against the observed field's at each scale (evaluate's power_ratio@Npx).
// A smooth mean forecast loses the small scales (ratio far below 1 at 2-8 pixels); a member that looks like
// a real rain field keeps them.
//
// Band L (L = 2, 4, 8, 16, 32 pixels) holds the wavenumbers whose wavelength 1 / |k| (|k| in cycles per
// pixel, the two axes' frequencies combined) lies in [L / sqrt 2, L sqrt 2); the zero frequency (the mean)
// is in none. Unobserved pixels count 0 in the field (the caller applies one mask to the forecast and the
// observation alike, so both see the same holes).
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <memory>
#include <vector>

namespace convlstm::cascade {
class Fft2;
}

namespace convlstm::eval {

constexpr std::array<int, 5> kSpectrumBands{2, 4, 8, 16, 32};  // wavelengths in pixels

class PowerSpectrum {
 public:
  PowerSpectrum(std::int64_t height, std::int64_t width);
  ~PowerSpectrum();
  PowerSpectrum(const PowerSpectrum&) = delete;
  PowerSpectrum& operator=(const PowerSpectrum&) = delete;

  std::int64_t height() const { return h_; }
  std::int64_t width() const { return w_; }
  // sums[b] += the power of `field` (h, w) times mask in band b (kSpectrumBands.size() sums).
  void add(const float* field, const float* mask, double* sums);

 private:
  std::int64_t h_, w_;
  std::unique_ptr<cascade::Fft2> fft_;
  std::vector<int> band_;       // per half-spectrum coefficient: its band, or -1
  std::vector<double> weight_;  // 2 for the columns the half spectrum stands for twice, else 1
  std::vector<double> field_;
  std::vector<std::complex<double>> spectrum_;
};

}  // namespace convlstm::eval
