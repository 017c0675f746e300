#include "nn/noise.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/rng.hpp"

namespace convlstm::nn {

std::uint64_t noise_key(std::uint64_t seed, std::int64_t step, std::int64_t sequence, std::int64_t member) {
  std::uint64_t k = splitmix64(seed);
  for (const std::int64_t v : {step, sequence, member}) k = splitmix64(k ^ static_cast<std::uint64_t>(v));
  return k;
}

void draw_noise(const NoiseSpec& noise, std::int64_t height, std::int64_t width, std::uint64_t key,
                float* out) {
  const std::int64_t s = noise.scale;
  const std::int64_t ny = (height - 1) / s + 2, nx = (width - 1) / s + 2;
  Rng rng(key);
  std::vector<float> nodes(static_cast<std::size_t>(ny * nx));
  // Per axis: the lower node and the weight of the upper one, and the norm of the two weights.
  auto axis = [s](std::int64_t n, std::vector<std::int64_t>& lo, std::vector<float>& f,
                  std::vector<float>& r) {
    lo.resize(static_cast<std::size_t>(n));
    f.resize(lo.size());
    r.resize(lo.size());
    for (std::int64_t i = 0; i < n; ++i) {
      lo[i] = i / s;
      f[i] = static_cast<float>(i % s) / static_cast<float>(s);
      r[i] = std::sqrt((1.0f - f[i]) * (1.0f - f[i]) + f[i] * f[i]);
    }
  };
  std::vector<std::int64_t> y0, x0;
  std::vector<float> fy, fx, ry, rx;
  axis(height, y0, fy, ry);
  axis(width, x0, fx, rx);
  for (std::int64_t k = 0; k < noise.channels; ++k) {
    for (auto& v : nodes) v = rng.normal(0.0f, 1.0f);
    float* plane = out + k * height * width;
    for (std::int64_t y = 0; y < height; ++y) {
      const float* a = nodes.data() + y0[y] * nx;
      const float* b = a + nx;
      for (std::int64_t x = 0; x < width; ++x) {
        const std::int64_t i = x0[x];
        const float top = (1.0f - fx[x]) * a[i] + fx[x] * a[i + 1];
        const float bottom = (1.0f - fx[x]) * b[i] + fx[x] * b[i + 1];
        plane[y * width + x] = ((1.0f - fy[y]) * top + fy[y] * bottom) / (ry[y] * rx[x]);
      }
    }
  }
}

void forecaster_frame(const ModelSpec& spec, const float* base, const float* gaps, const float* noise,
                      float* dst) {
  const std::int64_t plane = spec.height * spec.width, c = spec.channels * plane;
  if (spec.forecaster_input != ForecasterInput::none) {
    dst = std::copy_n(base, c, dst);
    if (spec.needs_gaps()) dst = std::copy_n(gaps, c, dst);
  }
  if (spec.stochastic()) std::copy_n(noise, spec.noise.channels * plane, dst);
}

}  // namespace convlstm::nn
