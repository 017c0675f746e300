#include "eval/metrics.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "data/radar.hpp"
#include "eval/baselines.hpp"

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
    for (const auto& [n, v] : f)
      if (n == name) return v;
    return -1.0;
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
  o.quantity = "reflectivity";
  o.thresholds = {1.0};  // 1 mm/h = 23.01 dBZ
  eval::Scores s(1, o);
  const std::vector<float> pred{23.5f, 22.5f}, obs{23.5f, 23.5f}, mask{1, 1};
  s.add(pred.data(), obs.data(), mask.data(), 1, 2);
  CHECK(s.lead(0).tables[0].hits == 1);
  CHECK(s.lead(0).tables[0].misses == 1);
}

TEST_CASE("intensity scores: cross-entropy per frame and SSIM", "[eval]") {
  eval::ScoreOptions o;
  o.quantity = "intensity";
  eval::Scores s(1, o);
  std::vector<float> frame(16 * 16, 0.5f), mask(frame.size(), 1.0f);
  s.add(frame.data(), frame.data(), mask.data(), 16, 16);
  for (const auto& [name, v] : s.figures(0)) {
    if (name == "bce_per_frame") CHECK(v == Approx(256 * std::log(2.0)));
    if (name == "ssim") CHECK(v == Approx(1.0));
  }
  std::vector<float> other(frame.size());
  for (std::size_t i = 0; i < other.size(); ++i) other[i] = (i % 7) / 7.0f;
  CHECK(eval::ssim(frame.data(), other.data(), 16, 16) < 0.5);
}

TEST_CASE("persistence repeats the last input frame", "[eval]") {
  const std::vector<float> in{1, 2, 3, 4}, mask{1, 1, 1, 0};
  std::vector<float> out(6);
  eval::persistence_forecast(in.data(), mask.data(), 2, 3, 2, -1.0f, out.data());
  CHECK(out == std::vector<float>{3, -1, 3, -1, 3, -1});
}

}  // namespace
}  // namespace convlstm
