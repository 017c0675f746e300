#include "train/optimizer.hpp"

#include <catch2/catch.hpp>

#include <cmath>

namespace convlstm {
namespace {

nn::ModelSpec tiny() {
  nn::ModelSpec s;
  s.height = s.width = 4;
  s.patch = 2;
  s.layers = {{2, 1, 1}};
  return s;
}

// Runs two steps of `kind` on parameter value p0 with gradients g1, g2 on every element; returns the
// parameter.
double two_steps(config::OptimizerConfig cfg, double p0, double g1, double g2) {
  const auto spec = tiny();
  nn::ParameterTable params(spec), grads(spec);
  params.flat().fill(static_cast<float>(p0));
  train::Optimizer opt(cfg, spec);
  grads.flat().fill(static_cast<float>(g1));
  opt.step(params, grads, cfg.lr);
  grads.flat().fill(static_cast<float>(g2));
  opt.step(params, grads, cfg.lr);
  CHECK(opt.steps() == 2);
  return params.flat()[params.size() - 1];
}

TEST_CASE("optimizer steps match hand-computed values", "[train]") {
  config::OptimizerConfig c;
  c.lr = 0.1;
  SECTION("sgd with momentum") {
    c.kind = "sgd";
    c.momentum = 0.9;
    // v1 = 0.5, p1 = 1 - 0.05 = 0.95; v2 = 0.45 + 0.2 = 0.65, p2 = 0.95 - 0.065 = 0.885
    CHECK(two_steps(c, 1.0, 0.5, 0.2) == Approx(0.885));
  }
  SECTION("rmsprop") {
    c.kind = "rmsprop";
    c.decay = 0.9;
    c.eps = 1e-8;
    // s1 = 0.1*0.25 = 0.025, p1 = 1 - 0.1*0.5/sqrt(0.025); s2 = 0.0225 + 0.1*0.04 = 0.0265, p2 = p1 -
    // 0.1*0.2/sqrt(0.0265)
    const double p1 = 1.0 - 0.1 * 0.5 / std::sqrt(0.025);
    CHECK(two_steps(c, 1.0, 0.5, 0.2) == Approx(p1 - 0.1 * 0.2 / std::sqrt(0.0265)).epsilon(1e-5));
  }
  SECTION("adam") {
    c.kind = "adam";
    c.beta1 = 0.9;
    c.beta2 = 0.999;
    c.eps = 1e-8;
    // Step 1: m̂ = g, v̂ = g², update lr·sign(g). Step 2: m = 0.9·0.05 + 0.1·0.2, v = 0.999·0.00025 +
    // 0.001·0.04.
    const double m2 = 0.9 * 0.05 + 0.1 * 0.2, v2 = 0.999 * 0.00025 + 0.001 * 0.04;
    const double upd2 = (m2 / (1 - 0.81)) / (std::sqrt(v2 / (1 - 0.999 * 0.999)) + 1e-8);
    CHECK(two_steps(c, 1.0, 0.5, 0.2) == Approx(1.0 - 0.1 - 0.1 * upd2).epsilon(1e-5));
  }
  SECTION("weight decay adds lambda * p to the gradient") {
    c.kind = "sgd";
    c.momentum = 0.0;
    c.weight_decay = 0.5;
    // p1 = 1 - 0.1 (0 + 0.5) = 0.95; p2 = 0.95 - 0.1 (0 + 0.475) = 0.9025
    CHECK(two_steps(c, 1.0, 0.0, 0.0) == Approx(0.9025));
  }
}

TEST_CASE("global-norm clipping scales every gradient by the same factor", "[train]") {
  Tensor g(Shape{4});
  g[0] = 3.0f;
  g[1] = 4.0f;
  const double n = train::global_norm(g.view());
  CHECK(n == Approx(5.0));
  train::clip_to_norm(g.view(), n, 1.0);
  CHECK(g[0] == Approx(0.6));
  CHECK(g[1] == Approx(0.8));
  train::clip_to_norm(g.view(), 1.0, 2.0);  // below the limit: unchanged
  CHECK(g[0] == Approx(0.6));
}

TEST_CASE("learning-rate schedules", "[train]") {
  config::ScheduleConfig s;
  CHECK(train::learning_rate(s, 0.1, 500, 1000) == Approx(0.1));
  s.kind = "step";
  s.step_size = 100;
  s.gamma = 0.5;
  CHECK(train::learning_rate(s, 0.1, 99, 1000) == Approx(0.1));
  CHECK(train::learning_rate(s, 0.1, 250, 1000) == Approx(0.025));
  s.kind = "cosine";
  s.min_lr = 0.01;
  CHECK(train::learning_rate(s, 0.1, 0, 1000) == Approx(0.1));
  CHECK(train::learning_rate(s, 0.1, 500, 1000) == Approx(0.055));
  CHECK(train::learning_rate(s, 0.1, 1000, 1000) == Approx(0.01));
  s.warmup_steps = 10;
  CHECK(train::learning_rate(s, 0.1, 4, 1000) == Approx(0.05));
}

}  // namespace
}  // namespace convlstm
