#include "train/loss.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "data/units.hpp"
#include "support/grad_check.hpp"
#include "support/reference_conv.hpp"
#include "train/batches.hpp"

namespace convlstm {
namespace {

using train::LossBatch;
using train::LossKind;

struct LossCase {
  std::vector<float> pred, target, mask, weight;
  LossBatch batch(bool with_mask, bool with_weight) const {
    LossBatch b;
    b.pred = pred.data();
    b.target = target.data();
    b.mask = with_mask ? mask.data() : nullptr;
    b.weight = with_weight ? weight.data() : nullptr;
    b.n = static_cast<std::int64_t>(pred.size());
    b.sequences = 2;
    return b;
  }
};

LossCase make_case(std::int64_t n) {
  Rng rng(77);
  LossCase c{test::random_vector(n, rng, 0.05f, 0.95f), test::random_vector(n, rng, 0.0f, 1.0f), {}, {}};
  for (std::int64_t i = 0; i < n; ++i) c.mask.push_back(i % 5 == 3 ? 0.0f : 1.0f);
  c.weight = test::random_vector(n, rng, 1.0f, 30.0f);
  // Keep |p - t| clear of the finite-difference steps, where MAE has its kink.
  for (std::int64_t i = 0; i < n; ++i)
    if (std::abs(c.pred[i] - c.target[i]) < 0.01f)
      c.target[i] = c.pred[i] > 0.5f ? c.pred[i] - 0.02f : c.pred[i] + 0.02f;
  return c;
}

TEST_CASE("loss gradients match central differences - with mask and weights", "[train][grad]") {
  const auto kind = GENERATE(LossKind::mse, LossKind::mae, LossKind::bce);
  const bool with_mask = GENERATE(false, true);
  const bool with_weight = GENERATE(false, true);
  auto c = make_case(2 * 3 * 5 * 7);
  const auto b = c.batch(with_mask, with_weight);
  std::vector<float> grad(c.pred.size(), 0.0f);
  train::loss_backward(kind, b, 1.0f, grad.data());
  test::GradCheck r;
  test::check_tensor(
      r, train::to_string(kind), c.pred.data(), c.pred.size(), grad.data(),
      [&] { return train::loss_forward(kind, c.batch(with_mask, with_weight)); }, 1e-3);
  INFO(r.report());
  CHECK(r.max_rel_error() < 1e-3);
  if (with_mask) {
    for (std::size_t i = 0; i < grad.size(); ++i)
      if (c.mask[i] == 0.0f) REQUIRE(grad[i] == 0.0f);
  }
}

TEST_CASE("losses have their documented values", "[train]") {
  const std::vector<float> p{0.25f, 0.5f, 0.75f, 1.0f}, t{0.0f, 0.5f, 1.0f, 0.0f}, m{1, 1, 1, 0};
  LossBatch b{p.data(), t.data(), m.data(), nullptr, 4, 1};
  CHECK(train::loss_forward(LossKind::mse, b) == Approx((0.0625 + 0 + 0.0625) / 3));
  CHECK(train::loss_forward(LossKind::mae, b) == Approx((0.25 + 0 + 0.25) / 3));
  CHECK(train::loss_forward(LossKind::bce, b) == Approx(-(std::log(0.75) + std::log(0.5) + std::log(0.75))));
  const std::vector<float> none{0, 0, 0, 0};
  LossBatch empty{p.data(), t.data(), none.data(), nullptr, 4, 1};
  CHECK(train::loss_forward(LossKind::mse, empty) == 0.0);
}

TEST_CASE("loss backward accumulates", "[train]") {
  auto c = make_case(20);
  const auto b = c.batch(true, false);
  std::vector<float> g1(20, 0.0f), g2(20, 0.5f);
  train::loss_backward(LossKind::mse, b, 1.0f, g1.data());
  train::loss_backward(LossKind::mse, b, 1.0f, g2.data());
  for (std::size_t i = 0; i < g1.size(); ++i) REQUIRE(g2[i] == Approx(g1[i] + 0.5f));
}

}  // namespace
}  // namespace convlstm

namespace convlstm {
namespace {

// A batch of B sequences, 1 lead, 1x6 frames whose targets are `rates` (mm/h) normalised by `norm`, through
// Z-R for reflectivity; pred = target + a fixed offset pattern; the last pixel of sequence 0 unobserved.
train::Batch balanced_batch(const data::Normalizer& norm, data::Quantity quantity,
                            const std::vector<float>& rates, std::int64_t B) {
  const std::int64_t n = static_cast<std::int64_t>(rates.size());
  train::Batch b{Tensor(Shape{B, 1, 1, 1, n}),
                 Tensor(Shape{B, 1, 1, 1, n}),
                 Tensor(Shape{B, 1, 1, 1, n}),
                 B,
                 Tensor(),
                 Tensor(),
                 Tensor()};
  for (std::int64_t s = 0; s < B; ++s)
    for (std::int64_t i = 0; i < n; ++i) {
      const float r = rates[static_cast<std::size_t>(i)];
      const float phys =
          quantity == data::Quantity::reflectivity ? data::dbz_from_rain_rate(r, norm.zr_a, norm.zr_b) : r;
      b.targets[s * n + i] = norm.forward(phys);
      b.mask[s * n + i] = s == 0 && i == n - 1 ? 0.0f : 1.0f;
    }
  return b;
}

TEST_CASE("balanced losses weigh pixels by their rain rate for every normalisation and quantity", "[train]") {
  // HKO-7: 1 below 2 mm/h, 2 below 5, 5 below 10, 10 below 30, 30 above; rates away from the edges.
  const std::vector<float> rates{0.0f, 1.5f, 3.0f, 7.0f, 20.0f, 50.0f};
  const std::vector<float> expected{1, 1, 2, 5, 10, 30};
  struct Case {
    data::NormalizeKind kind;
    double min, max;
    data::Quantity quantity;
  };
  for (const auto& c : {Case{data::NormalizeKind::linear, 0, 100, data::Quantity::rain_rate},
                        Case{data::NormalizeKind::log, 0, 100, data::Quantity::rain_rate},
                        Case{data::NormalizeKind::dbz, -10, 70, data::Quantity::rain_rate},
                        Case{data::NormalizeKind::linear, -35, 70, data::Quantity::reflectivity}}) {
    INFO(data::to_string(c.kind) << " on " << data::to_string(c.quantity));
    data::Normalizer norm;
    norm.kind = c.kind;
    norm.min = c.min;
    norm.max = c.max;
    auto b = balanced_batch(norm, c.quantity, rates, 1);
    std::vector<float> pred(b.targets.begin(), b.targets.end());
    train::BatchObjective obj{train::parse_objective("bmse"), norm, c.quantity, {}, {}};
    const auto lb = obj.batch(b, pred.data());
    REQUIRE(lb.weight);
    // The zero-rate pixel of reflectivity data sits at the dBZ floor: weight 1 as well.
    for (std::size_t i = 0; i < rates.size(); ++i) CHECK(lb.weight[i] == expected[i]);
  }
}

TEST_CASE("bmse+bmae gradient matches central differences and two half batches add up to the whole",
          "[train][grad]") {
  data::Normalizer norm;
  norm.kind = data::NormalizeKind::log;
  norm.max = 100;
  const std::vector<float> rates{0.0f, 1.5f, 3.0f, 7.0f, 20.0f, 50.0f};
  auto whole = balanced_batch(norm, data::Quantity::rain_rate, rates, 4);
  Rng rng(4);
  std::vector<float> pred(whole.targets.begin(), whole.targets.end());
  for (auto& p : pred) p += rng.uniform(0.02f, 0.1f) * (rng.uniform(0.0f, 1.0f) < 0.5f ? -1.0f : 1.0f);
  train::BatchObjective obj{train::parse_objective("bmse+bmae"), norm, data::Quantity::rain_rate, {}, {}};
  REQUIRE(obj.objective.terms.size() == 2);
  std::vector<float> grad(pred.size(), 0.0f);
  obj.gradient(whole, pred.data(), grad.data());
  test::GradCheck r;
  test::check_tensor(
      r, "bmse+bmae", pred.data(), static_cast<std::int64_t>(pred.size()), grad.data(),
      [&] { return obj.value(whole, pred.data()); }, 1e-4);
  INFO(r.report());
  CHECK(r.max_rel_error() < 1e-3);
  CHECK(grad[5] == 0.0f);  // the unobserved pixel
  // Data-parallel form: each half's parts summed give the whole batch's loss, and each half's gradient with
  // the summed normalisers is the whole gradient's slice.
  const std::int64_t n = static_cast<std::int64_t>(rates.size());
  train::Batch halves[2] = {balanced_batch(norm, data::Quantity::rain_rate, rates, 2),
                            balanced_batch(norm, data::Quantity::rain_rate, rates, 2)};
  for (std::int64_t i = 0; i < 2 * n; ++i) halves[1].mask[i] = 1.0f;  // sequences 2, 3 are fully observed
  train::LossParts total{std::vector<double>(4, 0.0)};
  for (int h = 0; h < 2; ++h) {
    const auto p = obj.parts(halves[h], pred.data() + h * 2 * n);
    for (std::size_t k = 0; k < 4; ++k) total.values[k] += p.values[k];
  }
  CHECK(total.value() == Approx(obj.value(whole, pred.data())).epsilon(1e-12));
  for (int h = 0; h < 2; ++h) {
    std::vector<float> g(static_cast<std::size_t>(2 * n), 0.0f);
    obj.gradient(halves[h], pred.data() + h * 2 * n, g.data(), total);
    for (std::int64_t i = 0; i < 2 * n; ++i) REQUIRE(g[i] == Approx(grad[h * 2 * n + i]).margin(1e-7));
  }
}

TEST_CASE("balance max weighs a pixel by the larger of its observed and forecast rates", "[train]") {
  data::Normalizer norm;
  norm.kind = data::NormalizeKind::log;
  norm.max = 100;
  // observed 1.5 mm/h forecast 15: weight 10 (observed alone: 1); observed 15 forecast 1.5: 10 either way;
  // observed 7 forecast 3: 5; observed 0 forecast 50: 30; observed 3 forecast 3: 2.
  const std::vector<float> rates{1.5f, 15.0f, 7.0f, 0.0f, 3.0f, 20.0f};
  const std::vector<float> forecast{15.0f, 1.5f, 3.0f, 50.0f, 3.0f, 1.0f};
  auto b = balanced_batch(norm, data::Quantity::rain_rate, rates, 1);
  std::vector<float> pred;
  for (float r : forecast) pred.push_back(norm.forward(r));
  train::BatchObjective by_max{
      train::parse_objective("bmse", "max"), norm, data::Quantity::rain_rate, {}, {}};
  train::BatchObjective observed{train::parse_objective("bmse"), norm, data::Quantity::rain_rate, {}, {}};
  const auto lb = by_max.batch(b, pred.data());
  const std::vector<float> want{10, 10, 5, 30, 2, 10};
  for (std::size_t i = 0; i < rates.size(); ++i) CHECK(lb.weight[i] == want[i]);
  const auto lo = observed.batch(b, pred.data());
  CHECK(lo.weight[0] == 1.0f);
  CHECK(lo.weight[3] == 1.0f);
  CHECK(by_max.value(b, pred.data()) > observed.value(b, pred.data()));
  // A perfect forecast weighs as HKO-7 does.
  std::vector<float> perfect(b.targets.begin(), b.targets.end());
  CHECK(by_max.value(b, perfect.data()) == 0.0);
  const auto lp = by_max.batch(b, perfect.data());
  for (std::size_t i = 0; i < rates.size(); ++i) CHECK(lp.weight[i] == data::hko7_weight(rates[i]));
  CHECK_THROWS_AS(train::parse_objective("mse", "max"), ConfigError);
  CHECK_THROWS_AS(train::parse_objective("bmse", "larger"), ConfigError);
}

TEST_CASE("bmse+bmae with balance max: gradient matches central differences away from the thresholds",
          "[train][grad]") {
  data::Normalizer norm;
  norm.kind = data::NormalizeKind::log;
  norm.max = 100;
  const std::vector<float> rates{0.0f, 1.5f, 3.0f, 7.0f, 20.0f, 50.0f};
  auto b = balanced_batch(norm, data::Quantity::rain_rate, rates, 3);
  // Forecasts above and below the observed rate, none near an HKO-7 threshold: 2.4 mm/h over 1.5 and 11.2
  // over 7 take the forecast's weight (2 and 10), 3.9 over 3, 26 over 20 and 40 under 50 the observed one's.
  const std::vector<float> factor{1.0f, 1.6f, 1.3f, 1.6f, 1.3f, 0.8f};
  std::vector<float> pred(static_cast<std::size_t>(b.targets.numel()));
  for (std::size_t i = 0; i < pred.size(); ++i) {
    const std::size_t k = i % rates.size();
    pred[i] = norm.forward(k == 0 ? 0.5f : rates[k] * factor[k]);
  }
  train::BatchObjective obj{
      train::parse_objective("bmse+bmae", "max"), norm, data::Quantity::rain_rate, {}, {}};
  std::vector<float> grad(pred.size(), 0.0f);
  obj.gradient(b, pred.data(), grad.data());
  test::GradCheck r;
  test::check_tensor(
      r, "bmse+bmae max", pred.data(), static_cast<std::int64_t>(pred.size()), grad.data(),
      [&] { return obj.value(b, pred.data()); }, 1e-4);
  INFO(r.report());
  CHECK(r.max_rel_error() < 1e-3);
}

TEST_CASE("lead weights inverse: lead t of T weighs T / (t H_T), with and without the HKO-7 weights",
          "[train]") {
  const auto uniform = train::parse_objective("mse");
  const auto inverse = train::parse_objective("mse", "observed", "inverse");
  double sum = 0.0;
  for (std::int64_t t = 1; t <= 4; ++t) {
    CHECK(train::lead_weight(uniform, t, 4) == 1.0f);
    sum += train::lead_weight(inverse, t, 4);
  }
  CHECK(sum == Approx(4.0));  // mean 1
  CHECK(train::lead_weight(inverse, 1, 4) == Approx(4.0 / (25.0 / 12.0)));
  CHECK(train::lead_weight(inverse, 4, 4) == Approx(1.0 / (25.0 / 12.0)));
  CHECK_THROWS_AS(train::parse_objective("mse", "observed", "linear"), ConfigError);
  // A batch of 2 sequences, 3 leads, 2 pixels: every element's weight is its lead's (times HKO-7's).
  data::Normalizer norm;
  norm.kind = data::NormalizeKind::log;
  norm.max = 100;
  train::Batch b{Tensor({2, 1, 1, 1, 1}),
                 Tensor({2, 3, 1, 1, 2}),
                 Tensor({2, 3, 1, 1, 2}),
                 2,
                 Tensor(),
                 Tensor(),
                 Tensor()};
  for (std::int64_t i = 0; i < b.targets.numel(); ++i) {
    b.targets[i] = norm.forward(i % 2 == 0 ? 1.0f : 7.0f);  // HKO-7 weights 1 and 5
    b.mask[i] = 1.0f;
  }
  std::vector<float> pred(b.targets.begin(), b.targets.end());
  for (const std::string loss : {"mse", "bmse"}) {
    train::BatchObjective obj{
        train::parse_objective(loss, "observed", "inverse"), norm, data::Quantity::rain_rate, {}, {}};
    const auto lb = obj.batch(b, pred.data());
    REQUIRE(lb.weight);
    for (std::int64_t i = 0; i < b.targets.numel(); ++i) {
      const float hko = loss == "bmse" ? (i % 2 == 0 ? 1.0f : 5.0f) : 1.0f;
      CHECK(lb.weight[i] == Approx(hko * train::lead_weight(obj.objective, (i / 2) % 3 + 1, 3)));
    }
  }
  train::BatchObjective plain{uniform, norm, data::Quantity::rain_rate, {}, {}};
  CHECK(plain.batch(b, pred.data()).weight == nullptr);
}

// Members of `sequences` sequences (rows s M + m) over `pixels` elements each, kept apart from each other and
// from the target by more than the finite differences' steps (the CRPS has kinks there).
LossCase crps_case(std::int64_t sequences, std::int64_t members, std::int64_t pixels, std::uint64_t seed) {
  Rng rng(seed);
  const std::int64_t n = sequences * members * pixels;
  LossCase c{std::vector<float>(n), std::vector<float>(n), std::vector<float>(n), std::vector<float>(n)};
  for (std::int64_t s = 0; s < sequences; ++s)
    for (std::int64_t j = 0; j < pixels; ++j) {
      const float t = rng.uniform(0.0f, 1.0f), m = rng.uniform(0.0f, 1.0f) < 0.2f ? 0.0f : 1.0f;
      const float w = rng.uniform(1.0f, 30.0f);
      std::vector<float> taken{t};
      for (std::int64_t k = 0; k < members; ++k) {
        float x;
        bool clear;
        do {
          x = rng.uniform(0.0f, 1.0f);
          clear = true;
          for (float o : taken) clear = clear && std::abs(x - o) > 0.01f;
        } while (!clear);
        taken.push_back(x);
        const std::int64_t i = (s * members + k) * pixels + j;
        c.pred[i] = x;
        c.target[i] = t;
        c.mask[i] = m;
        c.weight[i] = w;
      }
    }
  return c;
}

LossBatch crps_batch(const LossCase& c, std::int64_t sequences, std::int64_t members, bool weighted) {
  auto b = c.batch(true, weighted);
  b.sequences = sequences;
  b.members = members;
  return b;
}

TEST_CASE("the fair CRPS has its documented value and gradient", "[train][grad]") {
  // Two pixels, two members: {0.2, 0.6} for 0.5 gives (0.3 + 0.1) / 2 - 0.4 / 2 = 0; {0.1, 0.1} for 0.4 gives
  // 0.3 (the MAE: no spread).
  LossCase two{{0.2f, 0.1f, 0.6f, 0.1f}, {0.5f, 0.4f, 0.5f, 0.4f}, {1, 1, 1, 1}, {1, 1, 1, 1}};
  CHECK(train::loss_forward(LossKind::crps, crps_batch(two, 1, 2, false)) == Approx(0.15));
  // Three members against the formula written out.
  const auto c = crps_case(2, 3, 10, 5);
  double want = 0.0, observed = 0.0;
  for (std::int64_t s = 0; s < 2; ++s)
    for (std::int64_t j = 0; j < 10; ++j) {
      const std::int64_t i0 = s * 30 + j;
      if (c.mask[i0] == 0.0f) continue;
      double abs = 0.0, pairs = 0.0;
      for (int a = 0; a < 3; ++a) {
        abs += std::abs(c.pred[i0 + a * 10] - c.target[i0]);
        for (int b = 0; b < 3; ++b) pairs += std::abs(c.pred[i0 + a * 10] - c.pred[i0 + b * 10]);
      }
      want += c.weight[i0] * (abs / 3.0 - pairs / (2.0 * 3 * 2));
      observed += 1.0;
    }
  CHECK(train::loss_forward(LossKind::crps, crps_batch(c, 2, 3, true)) == Approx(want / observed));

  const std::int64_t members = GENERATE(2, 3, 5);
  const bool weighted = GENERATE(false, true);
  auto g = crps_case(2, members, 12, 9);
  std::vector<float> grad(g.pred.size(), 0.0f);
  train::loss_backward(LossKind::crps, crps_batch(g, 2, members, weighted), 1.0f, grad.data());
  test::GradCheck r;
  test::check_tensor(
      r, "crps", g.pred.data(), g.pred.size(), grad.data(),
      [&] { return train::loss_forward(LossKind::crps, crps_batch(g, 2, members, weighted)); }, 1e-3);
  INFO(r.report());
  CHECK(r.max_rel_error() < 1e-3);
  for (std::size_t i = 0; i < grad.size(); ++i)
    if (g.mask[i] == 0.0f) REQUIRE(grad[i] == 0.0f);
}

TEST_CASE("the fair CRPS of two members is unbiased: it averages to the CRPS of their distribution",
          "[train]") {
  // Members drawn from N(0, 1), the target 0: CRPS(N(0, 1), 0) = 2 phi(0) - 1 / sqrt(pi) = 0.23370. The
  // standard estimator of two members averages (1 - 1/2) / sqrt(pi) more (0.51577).
  Rng rng(3);
  const std::int64_t pixels = 200000;
  LossCase c{std::vector<float>(2 * pixels),
             std::vector<float>(2 * pixels, 0.0f),
             std::vector<float>(2 * pixels, 1.0f),
             {}};
  for (auto& v : c.pred) v = rng.normal(0.0f, 1.0f);
  const double fair = train::loss_forward(LossKind::crps, crps_batch(c, 1, 2, false));
  CHECK(fair == Approx(0.23370).margin(0.006));
}

TEST_CASE("crps and bcrps: members per sequence, member 0's weights, and what they refuse", "[train]") {
  CHECK(train::parse_objective("crps", "observed", "uniform", 2).terms ==
        std::vector<LossKind>{LossKind::crps});
  const auto b = train::parse_objective("bcrps", "observed", "inverse", 4);
  CHECK(b.balanced);
  CHECK(b.members == 4);
  CHECK_THROWS_AS(train::parse_objective("crps", "observed", "uniform", 1), ConfigError);
  CHECK_THROWS_AS(train::parse_objective("mse", "observed", "uniform", 2), ConfigError);
  CHECK_THROWS_AS(train::parse_objective("bcrps", "max", "uniform", 2), ConfigError);
  // A batch of 2 sequences x 2 members, 1 lead, 2 pixels: the objective sees 2 sequences of 2 members.
  data::Normalizer norm;
  norm.kind = data::NormalizeKind::log;
  norm.max = 100;
  train::Batch batch{Tensor({4, 1, 1, 1, 1}),
                     Tensor({4, 1, 1, 1, 2}),
                     Tensor({4, 1, 1, 1, 2}),
                     2,
                     Tensor(),
                     Tensor(),
                     Tensor()};
  for (std::int64_t i = 0; i < 8; ++i) {
    batch.targets[i] = norm.forward(i % 2 == 0 ? 1.0f : 7.0f);  // HKO-7 weights 1 and 5
    batch.mask[i] = 1.0f;
  }
  std::vector<float> pred(8);
  for (std::int64_t i = 0; i < 8; ++i) pred[i] = batch.targets[i] + (i / 2 % 2 == 0 ? 0.1f : -0.1f);
  train::BatchObjective obj{
      train::parse_objective("bcrps", "observed", "uniform", 2), norm, data::Quantity::rain_rate, {}, {}};
  const auto lb = obj.batch(batch, pred.data());
  CHECK(lb.members == 2);
  CHECK(lb.sequences == 2);
  // Members 0.1 above and below the target: |e| = 0.1 each, spread 0.2: CRPS 0.1 - 0.2 / 2 = 0 per pixel.
  CHECK(obj.value(batch, pred.data()) == Approx(0.0).margin(1e-6));
  for (std::int64_t i = 0; i < 8; ++i) pred[i] = batch.targets[i] + 0.1f;  // both members 0.1 above: MAE
  CHECK(obj.value(batch, pred.data()) == Approx((0.1 * 1 + 0.1 * 5) / 2.0).epsilon(1e-4));
}

}  // namespace
}  // namespace convlstm
