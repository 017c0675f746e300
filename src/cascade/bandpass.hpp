// A cascade of Gaussian band-pass filters in the Fourier domain (Seed 2003; Pulkkinen et al. 2019): a field
// becomes `levels` fields of one band of spatial scales each, which sum back to it exactly.
//
// Wavenumbers count cycles across the grid's longer side L (the shorter side's are scaled to it). Level 0 is
// a low-pass around wavenumber 0; levels 1..n-1 are centred at q^k, q = (L/2)^(1/(n-1)) (geometric spacing
// from about 3 cycles to the Nyquist L/2 on a 512-pixel grid), each a Gaussian in log wavenumber with
// standard deviation ln(q)/2. The weights are divided by their sum at every wavenumber, so the levels add up
// to the field to rounding.
#pragma once

#include <complex>
#include <cstdint>
#include <vector>

#include "cascade/fft.hpp"

namespace convlstm::cascade {

// x (n values) to mean 0 and standard deviation 1 (all 0 when constant).
void normalise(double* x, std::int64_t n);

// max(1, floor(log2(max(h, w))) - 3): 6 levels on a 512-pixel grid, 3 on 64, 1 below 32.
std::int64_t default_levels(std::int64_t height, std::int64_t width);

class BandPass {
 public:
  BandPass(std::int64_t height, std::int64_t width, std::int64_t levels);

  std::int64_t levels() const { return n_; }
  std::int64_t height() const { return fft_.height(); }
  std::int64_t width() const { return fft_.width(); }
  std::int64_t plane() const { return height() * width(); }
  // The central wavenumber of each level (0 for level 0), cycles across L.
  const std::vector<double>& centres() const { return centres_; }
  // The weight of level k at the half-spectrum bin (row, col), col <= width / 2.
  double weight(std::int64_t level, std::int64_t row, std::int64_t col) const;
  // Level k's weights over the half spectrum (height x (width / 2 + 1)).
  const double* level_weights(std::int64_t level) const {
    return weights_.data() + level * fft_.spectrum_size();
  }
  // The wavenumber of a half-spectrum bin, cycles across L.
  double wavenumber(std::int64_t row, std::int64_t col) const;

  // field (h, w) -> out (levels, h, w); the levels sum to the field.
  void decompose(const double* field, double* out);
  // A half spectrum -> its levels (levels, h, w), each normalised to mean 0 and standard deviation 1 (the
  // noise cascades of STEPS and of the synthetic generator).
  void split_normalised(const std::complex<double>* spectrum, double* out);
  Fft2& fft() { return fft_; }

 private:
  Fft2 fft_;
  std::int64_t n_;
  std::vector<double> centres_, weights_;  // weights_: (levels, spectrum size)
  std::vector<std::complex<double>> spectrum_, band_;
};

}  // namespace convlstm::cascade
