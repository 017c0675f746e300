#include "eval/metrics.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "data/units.hpp"
#include "eval/baselines.hpp"
#include "support/figures.hpp"

namespace convlstm {
namespace {

TEST_CASE("contingency scores match hand-computed values", "[eval]") {
  eval::Contingency c{/*hits=*/30, /*misses=*/10, /*false_alarms=*/20, /*correct_negatives=*/40};
  CHECK(c.csi() == Approx(0.5));
  CHECK(c.pod() == Approx(0.75));
  CHECK(c.far() == Approx(0.4));
  // HSS = 2 (30*40 - 10*20) / ((30+10)(10+40) + (30+20)(20+40)) = 2000 / 5000
  CHECK(c.hss() == Approx(0.4));
  CHECK(std::isnan(eval::Contingency{}.csi()));
}

TEST_CASE("the fractions skill score of a shifted square - of a perfect forecast - and of no event",
          "[eval]") {
  // A 10x10 square shifted 3 pixels east on a 40x40 grid: at one pixel the squares differ in 2 x 10 x 3
  // pixels out of 2 x 100, FSS = 1 - 3/10; a neighbourhood spanning the grid from every pixel sees the same
  // fraction in both: FSS = 1.
  const std::int64_t n = 40, a = 10, d = 3;
  std::vector<float> obs(n * n, 0.0f), pred(n * n, 0.0f), mask(n * n, 1.0f);
  for (std::int64_t y = 15; y < 15 + a; ++y)
    for (std::int64_t x = 10; x < 10 + a; ++x) {
      obs[y * n + x] = 5.0f;
      pred[y * n + x + d] = 5.0f;
    }
  eval::ScoreOptions o;
  o.thresholds = {1.0};
  o.fss_scales = {1, 81};
  eval::Scores s(1, o);
  s.add(pred.data(), obs.data(), mask.data(), n, n);
  const auto f = s.figures(0);
  CHECK(test::figure(f, "fss@1/1px") == Approx(0.7));
  CHECK(test::figure(f, "fss@1/81px") == Approx(1.0));
  eval::Scores perfect(1, o);
  perfect.add(obs.data(), obs.data(), mask.data(), n, n);
  CHECK(test::figure(perfect.figures(0), "fss@1/1px") == Approx(1.0));
  // Neither field has the event: undefined.
  const std::vector<float> dry(n * n, 0.0f);
  eval::Scores none(1, o);
  none.add(dry.data(), dry.data(), mask.data(), n, n);
  CHECK(std::isnan(test::figure(none.figures(0), "fss@1/1px")));
  // An unobserved half is left out: the shifted square in the observed half alone scores the same.
  std::fill(mask.begin(), mask.begin() + 10 * n, 0.0f);
  eval::Scores half(1, o);
  half.add(pred.data(), obs.data(), mask.data(), n, n);
  CHECK(test::figure(half.figures(0), "fss@1/1px") == Approx(0.7));
  // The CRPS of one field is its mean absolute error.
  CHECK(test::figure(f, "crps") == Approx(test::figure(f, "mae")));
  CHECK(test::figure(f, "crps") == Approx(2.0 * a * d * 5.0 / (n * n)));
  o.fss_scales = {4};
  CHECK_THROWS(eval::Scores(1, o));
}

TEST_CASE("scores accumulate tables and errors per lead time over observed pixels", "[eval]") {
  eval::ScoreOptions o;
  o.thresholds = {1.0};
  eval::Scores s(2, o);
  // 1x4 frames, two lead times. Lead 0: pred 0 2 3 0 vs obs 0 2 0 5 -> h1 m1 f1 c1. Lead 1: last pixel
  // unobserved.
  const std::vector<float> pred{0, 2, 3, 0, 1, 1, 1, 1}, obs{0, 2, 0, 5, 0, 0, 0, 9},
      mask{1, 1, 1, 1, 1, 1, 1, 0};
  s.add(pred.data(), obs.data(), mask.data(), 1, 4);
  const auto& t0 = s.lead(0).tables[0];
  CHECK(t0.hits == 1);
  CHECK(t0.misses == 1);
  CHECK(t0.false_alarms == 1);
  CHECK(t0.correct_negatives == 1);
  CHECK(s.lead(1).tables[0].false_alarms == 3);
  CHECK(s.lead(1).pixels == 3);
  auto figure = [](const std::vector<std::pair<std::string, double>>& f, const std::string& name) {
    return test::figure(f, name);
  };
  const auto f0 = s.figures(0);
  CHECK(figure(f0, "mse") == Approx((0 + 0 + 9 + 25) / 4.0));
  CHECK(figure(f0, "mae") == Approx((0 + 0 + 3 + 5) / 4.0));
  // HKO-7 weights by observed rate: 1, 2 (obs 2), 1, 5 (obs 5).
  CHECK(figure(f0, "b_mse") == Approx((0 + 0 + 9 * 1 + 25 * 5) / 4.0));
  CHECK(figure(s.figures(-1), "mse") == Approx(((34 / 4.0) + 1.0) / 2.0));
}

TEST_CASE("reflectivity thresholds are rain rates converted through Z-R", "[eval]") {
  eval::ScoreOptions o;
  o.quantity = data::Quantity::reflectivity;
  o.thresholds = {1.0};  // 1 mm/h = 23.01 dBZ
  eval::Scores s(1, o);
  const std::vector<float> pred{23.5f, 22.5f}, obs{23.5f, 23.5f}, mask{1, 1};
  s.add(pred.data(), obs.data(), mask.data(), 1, 2);
  CHECK(s.lead(0).tables[0].hits == 1);
  CHECK(s.lead(0).tables[0].misses == 1);
}

TEST_CASE("intensity scores: cross-entropy per frame and SSIM", "[eval]") {
  eval::ScoreOptions o;
  o.quantity = data::Quantity::intensity;
  eval::Scores s(1, o);
  std::vector<float> frame(16 * 16, 0.5f), mask(frame.size(), 1.0f);
  s.add(frame.data(), frame.data(), mask.data(), 16, 16);
  CHECK(test::figure(s.figures(0), "bce_per_frame") == Approx(256 * std::log(2.0)));
  CHECK(test::figure(s.figures(0), "ssim") == Approx(1.0));
  std::vector<float> other(frame.size());
  for (std::size_t i = 0; i < other.size(); ++i) other[i] = (i % 7) / 7.0f;
  CHECK(eval::ssim(frame.data(), other.data(), 16, 16) < 0.5);
}

TEST_CASE("intensity scores ignore unobserved pixels and SSIM needs a window that fits", "[eval]") {
  eval::ScoreOptions o;
  o.quantity = data::Quantity::intensity;
  eval::Scores masked(1, o), half(1, o);
  // 16x32: the right half unobserved and full of garbage; scored as if only the left half existed.
  std::vector<float> pred(16 * 32, 0.5f), obs(16 * 32, 0.25f), mask(16 * 32, 1.0f);
  for (int y = 0; y < 16; ++y)
    for (int x = 16; x < 32; ++x) {
      mask[y * 32 + x] = 0.0f;
      pred[y * 32 + x] = 0.999f;
      obs[y * 32 + x] = 0.0f;
    }
  masked.add(pred.data(), obs.data(), mask.data(), 16, 32);
  std::vector<float> p16(16 * 16, 0.5f), o16(16 * 16, 0.25f), m16(16 * 16, 1.0f);
  half.add(p16.data(), o16.data(), m16.data(), 16, 16);
  const auto a = masked.figures(0), b = half.figures(0);
  REQUIRE(a.size() == b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    INFO(a[k].first);
    if (a[k].first == "ssim") continue;  // over different windows
    CHECK(std::isnan(a[k].second) == std::isnan(b[k].second));
    if (!std::isnan(b[k].second)) CHECK(a[k].second == Approx(b[k].second));
  }
  // SSIM: undefined (not a perfect 1) on a frame smaller than its window, or with no observed window.
  std::vector<float> tiny(8 * 8, 0.5f), none(16 * 16, 0.0f);
  CHECK(std::isnan(eval::ssim(tiny.data(), tiny.data(), 8, 8)));
  CHECK(std::isnan(eval::ssim(p16.data(), p16.data(), 16, 16, none.data())));
  CHECK(eval::ssim(p16.data(), p16.data(), 16, 16, m16.data()) == Approx(1.0));
}

TEST_CASE("the mean over lead times skips undefined leads and counts the defined ones", "[eval]") {
  eval::ScoreOptions o;
  o.thresholds = {1.0};
  eval::Scores s(2, o);
  // Lead 0: one hit, one miss (CSI 0.5). Lead 1: no event and no forecast event (CSI undefined).
  const std::vector<float> pred{2, 0, 0, 0}, obs{2, 2, 0, 0}, mask{1, 1, 1, 1};
  s.add(pred.data(), obs.data(), mask.data(), 1, 2);
  CHECK(test::figure(s.figures(-1), "csi@1") == Approx(0.5));
  CHECK(test::figure(s.defined_leads(), "csi@1") == 1);
  CHECK(test::figure(s.defined_leads(), "mse") == 2);
}

TEST_CASE("persistence repeats the last input frame", "[eval]") {
  const std::vector<float> in{1, 2, 3, 4}, mask{1, 1, 1, 0};
  std::vector<float> out(6);
  eval::persistence_forecast(in.data(), mask.data(), 2, 3, 2, -1.0f, out.data());
  CHECK(out == std::vector<float>{3, -1, 3, -1, 3, -1});
}

}  // namespace
}  // namespace convlstm

namespace convlstm {
namespace {

// Scores of one lead of an ensemble of m members over a 1 x n grid (members (m, n), every pixel observed).
std::vector<std::pair<std::string, double>> ensemble_figures(const std::vector<float>& members,
                                                             const std::vector<float>& obs, std::int64_t m,
                                                             std::vector<double> thresholds = {1.0}) {
  eval::ScoreOptions o;
  o.thresholds = std::move(thresholds);
  o.members = m;
  o.fss_scales = {1};
  eval::Scores s(1, o);
  const std::vector<float> mask(obs.size(), 1.0f);
  s.add_ensemble(members.data(), obs.data(), mask.data(), 1, static_cast<std::int64_t>(obs.size()));
  return s.figures(0);
}

TEST_CASE("the CRPS of an ensemble: one repeated value - two members - a large Gaussian ensemble", "[eval]") {
  // All members equal: the absolute error, both estimators.
  auto f = ensemble_figures({3, 3}, {1}, 2);
  CHECK(test::figure(f, "crps") == Approx(2.0));
  // Members 1 and 3 around 2: mean |x - y| = 1, minus |a - b| / 4 (standard) or |a - b| / 2 (fair).
  f = ensemble_figures({1, 3}, {2}, 2);
  CHECK(test::figure(f, "crps") == Approx(0.5));
  CHECK(test::figure(f, "crps_fair") == Approx(0.0).margin(1e-12));
  // The ensemble mean is scored as a single field: (1 + 3) / 2 = 2, no error.
  CHECK(test::figure(f, "mse") == Approx(0.0).margin(1e-12));
  // 4,000 members from N(0, 1) against y = 0.5: the Gaussian closed form
  // sigma (z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi)), z = 0.5: 0.3314.
  const std::int64_t m = 4000;
  Rng rng(3);
  std::vector<float> members(m);
  for (auto& v : members) v = rng.normal(0.0f, 1.0f);
  f = ensemble_figures(members, {0.5f}, m);
  const double z = 0.5, phi = std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI),
               cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
  const double closed = z * (2 * cdf - 1) + 2 * phi - 1 / std::sqrt(M_PI);
  CHECK(test::figure(f, "crps_fair") == Approx(closed).margin(0.01));
  CHECK(test::figure(f, "crps") == Approx(closed).margin(0.01));
}

TEST_CASE("Brier score - its decomposition - ROC area - rank histogram and spread/skill of ensembles",
          "[eval]") {
  // Four pixels, four members, threshold 1: probabilities 0.5, 1, 0, 0.25 against events 1, 1, 0, 0.
  const std::vector<float> members{0, 2, 0, 0,   //
                                   2, 2, 0, 0,   //
                                   2, 2, 0, 3,   //
                                   0, 2, 0, 0};  // (member, pixel)
  const std::vector<float> obs{5, 5, 0, 0};
  auto f = ensemble_figures(members, obs, 4);
  CHECK(test::figure(f, "brier@1") == Approx((0.25 + 0 + 0 + 0.0625) / 4));
  // Bins: 0 (p 0, no event), 2 (p 0.25, no event), 5 (p 0.5, event), 9 (p 1, event); base rate 0.5.
  CHECK(test::figure(f, "brier_unc@1") == Approx(0.25));
  CHECK(test::figure(f, "brier_rel@1") == Approx((0.0625 + 0.25 + 0) / 4));
  CHECK(test::figure(f, "brier_res@1") == Approx(0.25));
  // Every event has a higher probability than every non-event: a perfect ROC.
  CHECK(test::figure(f, "roc_area@1") == Approx(1.0));
  // Obs 5 above all members: rank 4 twice; obs 0 ties with 4 members (rank 0..4 a fifth each) and with 3 of
  // 4 (ranks 0..3, a quarter each).
  eval::ScoreOptions o;
  o.thresholds = {1.0};
  o.members = 4;
  eval::Scores s(1, o);
  const std::vector<float> mask(4, 1.0f);
  s.add_ensemble(members.data(), obs.data(), mask.data(), 1, 4);
  const auto ranks = s.rank_histogram();
  REQUIRE(ranks.size() == 5);
  CHECK(ranks[4] == Approx((2 + 0.2) / 4));
  CHECK(ranks[0] == Approx((0.2 + 0.25) / 4));
  const auto rel = s.reliability();
  REQUIRE(rel.size() == 1);
  CHECK(rel[0].count[5] == 1);
  CHECK(rel[0].observed[5] == 1);
  CHECK(rel[0].forecast[2] == Approx(0.25));
  // A reliable ensemble (truth drawn like its members): spread/skill near 1, a flat rank histogram.
  const std::int64_t n = 20000, m = 10;
  Rng rng(9);
  std::vector<float> ens(m * n), truth(n);
  for (std::int64_t i = 0; i < n; ++i) {
    const float centre = rng.normal(0.0f, 3.0f);
    truth[i] = centre + rng.normal(0.0f, 1.0f);
    for (std::int64_t k = 0; k < m; ++k) ens[k * n + i] = centre + rng.normal(0.0f, 1.0f);
  }
  f = ensemble_figures(ens, truth, m);
  CHECK(test::figure(f, "spread_skill") == Approx(1.0).margin(0.03));
}

TEST_CASE("an ensemble's FSS is that of its exceedance probabilities, not of its mean's events", "[eval]") {
  // Two members, one the observation and one dry: the probability of reaching 0.9 is 0.5 wherever it rained
  // 1, where the mean (0.5) reaches it nowhere. At 1 pixel: FSS = 1 - 0.25 n / (0.25 n + n) = 0.8.
  const std::int64_t h = 8, w = 8;
  std::vector<float> obs(h * w, 0.0f), mask(h * w, 1.0f);
  for (std::int64_t i = 0; i < h * w; i += 3) obs[i] = 1.0f;
  std::vector<float> members(obs);
  members.resize(2 * h * w, 0.0f);
  eval::ScoreOptions o;
  o.thresholds = {0.9};
  o.fss_scales = {1};
  o.spectra = false;
  o.members = 2;
  eval::Scores ens(1, o);
  ens.add_ensemble(members.data(), obs.data(), mask.data(), h, w);
  CHECK(test::figure(ens.figures(0), "fss@0.9/1px") == Approx(0.8));
  o.members = 0;
  eval::Scores mean(1, o);
  std::vector<float> half(obs);
  for (auto& v : half) v *= 0.5f;
  mean.add(half.data(), obs.data(), mask.data(), h, w);
  CHECK(test::figure(mean.figures(0), "fss@0.9/1px") == Approx(0.0));
}

}  // namespace
}  // namespace convlstm
