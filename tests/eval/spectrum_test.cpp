#include "eval/spectrum.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "eval/metrics.hpp"
#include "support/figures.hpp"

namespace convlstm {
namespace {

constexpr double kPi = 3.14159265358979323846;

TEST_CASE("a wave's power lands in the band of its wavelength, and Parseval holds", "[eval]") {
  const std::int64_t h = 64, w = 64;
  eval::PowerSpectrum spectrum(h, w);
  std::vector<float> mask(h * w, 1.0f), field(h * w);
  for (std::size_t b = 0; b < eval::kSpectrumBands.size(); ++b) {
    const int l = eval::kSpectrumBands[b];
    INFO("wavelength " << l);
    for (std::int64_t y = 0; y < h; ++y)
      for (std::int64_t x = 0; x < w; ++x) field[y * w + x] = static_cast<float>(std::cos(2 * kPi * x / l));
    std::vector<double> sums(eval::kSpectrumBands.size(), 0.0);
    spectrum.add(field.data(), mask.data(), sums.data());
    double total = 0.0;
    for (double v : sums) total += v;
    CHECK(sums[b] == Approx(total));
    // Parseval: the power is the field's sum of squares (no mean to leave out).
    double sq = 0.0;
    for (float v : field) sq += static_cast<double>(v) * v;
    CHECK(total == Approx(sq).epsilon(1e-6));
  }
}

TEST_CASE("power_ratio: 1 for a perfect forecast, far below 1 for a smoothed one at small scales", "[eval]") {
  const std::int64_t h = 64, w = 64;
  Rng rng(5);
  std::vector<float> obs(h * w), smooth(h * w), mask(h * w, 1.0f);
  for (auto& v : obs) v = rng.uniform(0.0f, 10.0f);
  for (std::int64_t y = 0; y < h; ++y)  // a 5x5 box mean
    for (std::int64_t x = 0; x < w; ++x) {
      double s = 0.0;
      int n = 0;
      for (int dy = -2; dy <= 2; ++dy)
        for (int dx = -2; dx <= 2; ++dx) {
          const std::int64_t yy = y + dy, xx = x + dx;
          if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
          s += obs[yy * w + xx];
          ++n;
        }
      smooth[y * w + x] = static_cast<float>(s / n);
    }
  eval::ScoreOptions o;
  eval::Scores perfect(1, o), blurred(1, o);
  perfect.add(obs.data(), obs.data(), mask.data(), h, w);
  blurred.add(smooth.data(), obs.data(), mask.data(), h, w);
  CHECK(test::figure(perfect.figures(0), "power_ratio@2px") == Approx(1.0));
  CHECK(test::figure(perfect.figures(0), "power_ratio@32px") == Approx(1.0));
  CHECK(test::figure(blurred.figures(0), "power_ratio@2px") < 0.05);
  CHECK(test::figure(blurred.figures(0), "power_ratio@4px") < 0.2);
  // An ensemble's sharpness is its members', not its mean's: members that are the observation each keep it
  // all, whatever their mean does.
  o.members = 2;
  eval::Scores ens(1, o);
  std::vector<float> members(obs);
  members.insert(members.end(), obs.begin(), obs.end());
  ens.add_ensemble(members.data(), obs.data(), mask.data(), h, w);
  CHECK(test::figure(ens.figures(0), "power_ratio@2px") == Approx(1.0));
}

}  // namespace
}  // namespace convlstm
