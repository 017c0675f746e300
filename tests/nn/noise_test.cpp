#include "nn/noise.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

namespace convlstm {
namespace {

double correlation_at(const std::vector<float>& v, std::int64_t h, std::int64_t w, std::int64_t dx) {
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (std::int64_t y = 0; y < h; ++y)
    for (std::int64_t x = 0; x + dx < w; ++x) {
      const double a = v[y * w + x], b = v[y * w + x + dx];
      sab += a * b;
      saa += a * a;
      sbb += b * b;
    }
  return sab / std::sqrt(saa * sbb);
}

TEST_CASE("noise planes are a function of their key, N(0, 1) at every pixel, correlated below their scale",
          "[nn]") {
  const std::int64_t h = 96, w = 80;
  nn::NoiseSpec spec{2, 8};
  std::vector<float> a(2 * h * w), b(a.size()), c(a.size());
  nn::draw_noise(spec, h, w, nn::noise_key(1, 5, 3, 0), a.data());
  nn::draw_noise(spec, h, w, nn::noise_key(1, 5, 3, 0), b.data());
  nn::draw_noise(spec, h, w, nn::noise_key(1, 5, 3, 1), c.data());
  CHECK(a == b);
  CHECK(a != c);
  // Every part of the key matters.
  CHECK(nn::noise_key(1, 5, 3, 0) != nn::noise_key(2, 5, 3, 0));
  CHECK(nn::noise_key(1, 5, 3, 0) != nn::noise_key(1, 6, 3, 0));
  CHECK(nn::noise_key(1, 5, 3, 0) != nn::noise_key(1, 5, 4, 0));
  CHECK(nn::noise_key(1, 5, 3, 0) != nn::noise_key(1, 5, 0, 3));

  // Unit variance at nodes and between them alike (many draws of one pixel in the middle of a cell).
  double s = 0.0, s2 = 0.0, sn = 0.0, sn2 = 0.0;
  const int draws = 4000;
  std::vector<float> one(h * w);
  for (int k = 0; k < draws; ++k) {
    nn::draw_noise({1, 8}, h, w, nn::noise_key(7, 0, k, 0), one.data());
    const double mid = one[4 * w + 4], node = one[8 * w + 8];
    s += mid;
    s2 += mid * mid;
    sn += node;
    sn2 += node * node;
  }
  CHECK(std::abs(s / draws) < 0.08);
  CHECK(std::abs(s2 / draws - 1.0) < 0.1);
  CHECK(std::abs(sn / draws) < 0.08);
  CHECK(std::abs(sn2 / draws - 1.0) < 0.1);

  // Neighbours: strongly correlated at scale 8, hardly at scale 1 (independent pixels).
  std::vector<float> fine(h * w);
  nn::draw_noise({1, 1}, h, w, nn::noise_key(9, 0, 0, 0), fine.data());
  CHECK(correlation_at(a, h, w, 1) > 0.8);
  CHECK(std::abs(correlation_at(fine, h, w, 1)) < 0.1);
  CHECK(correlation_at(a, h, w, 16) < 0.3);
}

TEST_CASE("forecaster layer 0's frame holds the base, its gaps and the noise, in that order", "[nn]") {
  nn::ModelSpec spec;
  spec.channels = 1;
  spec.height = 2;
  spec.width = 2;
  spec.forecaster_input = nn::ForecasterInput::sprog_gaps;
  spec.noise = {2, 4};
  CHECK(spec.forecaster_frame_channels() == 4);
  CHECK(spec.forecaster_input_channels() == 16);
  const std::vector<float> base{1, 2, 3, 4}, gaps{0, 1, 0, 1}, noise{5, 6, 7, 8, 9, 10, 11, 12};
  std::vector<float> out(16, -1.0f);
  nn::forecaster_frame(spec, base.data(), gaps.data(), noise.data(), out.data());
  CHECK(out == std::vector<float>{1, 2, 3, 4, 0, 1, 0, 1, 5, 6, 7, 8, 9, 10, 11, 12});
  spec.forecaster_input = nn::ForecasterInput::none;  // noise alone
  CHECK(spec.forecaster_frame_channels() == 2);
  std::vector<float> only(8, -1.0f);
  nn::forecaster_frame(spec, nullptr, nullptr, noise.data(), only.data());
  CHECK(only == noise);
}

}  // namespace
}  // namespace convlstm
