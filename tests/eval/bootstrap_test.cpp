#include "eval/bootstrap.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "support/figures.hpp"

namespace convlstm {
namespace {

// n windows of 2 leads on a 1x8 grid, random rain, scored for `pred_noise` added to the truth.
eval::Scores scores_of(std::int64_t n, float pred_noise, std::uint64_t seed) {
  eval::ScoreOptions o;
  o.thresholds = {0.5, 2.0};
  o.keep_windows = true;
  o.spectra = false;  // (a 1x8 grid has no wavelength of 16 or 32 pixels: those ratios would be NaN)
  eval::Scores s(2, o);
  Rng truth_rng(7), noise_rng(seed);
  for (std::int64_t w = 0; w < n; ++w) {
    std::vector<float> obs(16), pred(16), mask(16, 1.0f);
    for (std::size_t i = 0; i < obs.size(); ++i) {
      obs[i] = truth_rng.uniform(0.0f, 4.0f);
      pred[i] = std::max(0.0f, obs[i] + pred_noise * noise_rng.uniform(-1.0f, 1.0f));
    }
    s.add(pred.data(), obs.data(), mask.data(), 1, 8);
  }
  return s;
}

TEST_CASE("block resampling is deterministic per seed and draws whole blocks", "[eval]") {
  const auto a = eval::block_resample(20, 3, 5, 0), b = eval::block_resample(20, 3, 5, 0);
  CHECK(a == b);
  CHECK(a != eval::block_resample(20, 3, 5, 1));
  CHECK(a != eval::block_resample(20, 3, 6, 0));
  REQUIRE(a.size() == 20);
  for (std::size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i] >= 0);
    REQUIRE(a[i] < 20);
    if (i % 3 != 0) CHECK(a[i] == a[i - 1] + 1);  // consecutive windows inside a block
  }
  // A block longer than the series is the series itself.
  CHECK(eval::block_resample(4, 10, 1, 0) == (std::vector<std::int64_t>{0, 1, 2, 3}));
  CHECK(eval::default_block(15, 5) == 3);
  CHECK(eval::default_block(15, 1) == 15);
  CHECK(eval::default_block(15, 20) == 1);
}

TEST_CASE("resampled scores equal the scores of the chosen windows", "[eval]") {
  const auto all = scores_of(6, 1.0f, 3);
  const auto once = all.resampled({0, 1, 2, 3, 4, 5});
  CHECK(once.figures(-1) == all.figures(-1));
  const auto twice = all.resampled({0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
  const auto f = twice.figures(0), g = all.figures(0);
  for (std::size_t k = 0; k < f.size(); ++k) CHECK(f[k].second == Approx(g[k].second));
}

TEST_CASE("the bootstrap gives identical sources a zero-width difference", "[eval]") {
  const auto a = scores_of(30, 1.0f, 3), b = scores_of(30, 1.0f, 3), worse = scores_of(30, 3.0f, 4);
  eval::BootstrapOptions o;
  o.replicates = 200;
  o.block = 3;
  const auto r = eval::bootstrap({&a, &b, &worse}, o);
  REQUIRE(r.sources.size() == 3);
  REQUIRE(r.differences.size() == 2);
  for (const auto& lead : r.differences[0].leads)
    for (const auto& [name, iv] : lead) {
      INFO(name);
      CHECK(iv.lo == 0.0);
      CHECK(iv.hi == 0.0);
    }
  // Against much noisier forecasts the difference in MSE is negative over the whole interval, and each
  // source's interval holds its own point value.
  CHECK(test::figure(r.differences[1].mean(), "mse").hi < 0.0);
  const auto point = a.figures(-1);
  for (std::size_t k = 0; k < point.size(); ++k) {
    INFO(point[k].first);
    CHECK(r.sources[0].mean()[k].second.lo <= point[k].second + 1e-12);
    CHECK(r.sources[0].mean()[k].second.hi >= point[k].second - 1e-12);
    // (a single field's spread is 0 in every replicate)
    if (point[k].first != "spread_skill")
      CHECK(r.sources[0].mean()[k].second.hi > r.sources[0].mean()[k].second.lo);
  }
  // Deterministic per seed, different for another.
  const auto again = eval::bootstrap({&a, &b, &worse}, o);
  CHECK(again.sources[2].mean()[0].second.lo == r.sources[2].mean()[0].second.lo);
  o.seed = 2;
  const auto other = eval::bootstrap({&a, &b, &worse}, o);
  CHECK(other.sources[2].mean()[0].second.lo != r.sources[2].mean()[0].second.lo);
}

TEST_CASE("the bootstrap refuses sources scored over different windows", "[eval]") {
  const auto a = scores_of(10, 1.0f, 3), b = scores_of(9, 1.0f, 3);
  CHECK_THROWS_AS(eval::bootstrap({&a, &b}, {}), Error);
  eval::ScoreOptions plain;
  eval::Scores not_kept(2, plain);
  CHECK_THROWS_AS(eval::bootstrap({&not_kept}, {}), Error);
}

}  // namespace
}  // namespace convlstm
