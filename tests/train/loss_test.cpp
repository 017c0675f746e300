#include "train/loss.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "support/grad_check.hpp"
#include "support/reference_conv.hpp"

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
