#include "cascade/fft.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "core/error.hpp"

namespace convlstm::cascade {

namespace {
// FFTW's planner is not thread-safe; execution of a made plan is.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}
}  // namespace

struct Fft2::Plans {
  double* real = nullptr;
  fftw_complex* spectrum = nullptr;
  fftw_plan forward = nullptr, inverse = nullptr;
  ~Plans() {
    std::lock_guard<std::mutex> lock(planner_mutex());
    if (forward) fftw_destroy_plan(forward);
    if (inverse) fftw_destroy_plan(inverse);
    fftw_free(real);
    fftw_free(spectrum);
  }
};

Fft2::Fft2(std::int64_t height, std::int64_t width)
    : h_(height), w_(width), plans_(std::make_unique<Plans>()) {
  if (height < 1 || width < 1)
    throw DataError("FFT of an empty grid (" + std::to_string(height) + "x" + std::to_string(width) + ")");
  auto& p = *plans_;
  p.real = fftw_alloc_real(static_cast<std::size_t>(h_ * w_));
  p.spectrum = fftw_alloc_complex(static_cast<std::size_t>(spectrum_size()));
  if (!p.real || !p.spectrum)
    throw DataError("FFT buffers of " + std::to_string(h_ * w_) + " pixels: out of memory");
  std::lock_guard<std::mutex> lock(planner_mutex());
  p.forward =
      fftw_plan_dft_r2c_2d(static_cast<int>(h_), static_cast<int>(w_), p.real, p.spectrum, FFTW_ESTIMATE);
  p.inverse =
      fftw_plan_dft_c2r_2d(static_cast<int>(h_), static_cast<int>(w_), p.spectrum, p.real, FFTW_ESTIMATE);
  if (!p.forward || !p.inverse)
    throw DataError("FFTW could not plan a " + std::to_string(h_) + "x" + std::to_string(w_) + " transform");
}

Fft2::~Fft2() = default;

void Fft2::forward(const double* field, std::complex<double>* spectrum) {
  auto& p = *plans_;
  std::copy_n(field, h_ * w_, p.real);
  fftw_execute(p.forward);
  std::memcpy(static_cast<void*>(spectrum), p.spectrum,
              sizeof(fftw_complex) * static_cast<std::size_t>(spectrum_size()));
}

void Fft2::inverse(const std::complex<double>* spectrum, double* field) {
  auto& p = *plans_;
  // (c2r overwrites its input: the caller's spectrum is copied in first)
  std::memcpy(static_cast<void*>(p.spectrum), spectrum,
              sizeof(fftw_complex) * static_cast<std::size_t>(spectrum_size()));
  fftw_execute(p.inverse);
  const double scale = 1.0 / static_cast<double>(h_ * w_);
  for (std::int64_t i = 0; i < h_ * w_; ++i) field[i] = p.real[i] * scale;
}

}  // namespace convlstm::cascade
