// Real two-dimensional FFTs of one grid through FFTW3 (Debian's libfftw3-dev); fft.cpp is the only file that
// includes fftw3.h. Plans are made once per grid (FFTW_ESTIMATE: no timing runs, so the same plan, and the
// same results, on every run) and reused; each Fft2 owns its plans and buffers.
#pragma once

#include <complex>
#include <cstdint>
#include <memory>
#include <vector>

namespace convlstm::cascade {

class Fft2 {
 public:
  Fft2(std::int64_t height, std::int64_t width);
  ~Fft2();
  Fft2(const Fft2&) = delete;
  Fft2& operator=(const Fft2&) = delete;

  std::int64_t height() const { return h_; }
  std::int64_t width() const { return w_; }
  // The half spectrum's size: height x (width / 2 + 1).
  std::int64_t spectrum_width() const { return w_ / 2 + 1; }
  std::int64_t spectrum_size() const { return h_ * spectrum_width(); }

  // field (h, w) -> spectrum (h, w/2 + 1), unnormalised.
  void forward(const double* field, std::complex<double>* spectrum);
  // spectrum -> field, divided by h w (so inverse(forward(x)) = x).
  void inverse(const std::complex<double>* spectrum, double* field);

 private:
  struct Plans;
  std::int64_t h_, w_;
  std::unique_ptr<Plans> plans_;
};

}  // namespace convlstm::cascade
