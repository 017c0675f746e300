#include "ops/gates.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "support/grad_check.hpp"
#include "support/reference_conv.hpp"

namespace convlstm {
namespace {

using ops::Layout;
using ops::Peephole;

double sig(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

TEST_CASE("fused gate forward matches the equations evaluated in double", "[ops]") {
  const auto mode = GENERATE(Peephole::channel, Peephole::pixel, Peephole::none);
  const auto layout = GENERATE(Layout::nchw, Layout::nChw16c);
  const std::int64_t n = 2, f = 16, hw = 35, chunk = f * hw;
  Rng rng(11);
  // Wide pre-activations, including saturated ones, to exercise the vectorised exp.
  auto gates = test::random_vector(n * 4 * chunk, rng, -12.0f, 12.0f);
  const auto a = gates;
  const auto c_prev = test::random_vector(n * chunk, rng, -2.0f, 2.0f);
  const auto w_c = test::random_vector(3 * ops::peephole_size(mode, f, hw), rng);
  std::vector<float> peep(3 * chunk);
  if (mode != Peephole::none) ops::expand_peepholes(mode, w_c.data(), f, hw, layout, peep.data());
  std::vector<float> c(n * chunk), h(n * chunk);
  ops::lstm_gates_forward({n, f, hw, layout}, mode == Peephole::none ? nullptr : peep.data(), gates.data(),
                          c_prev.data(), c.data(), h.data());
  double worst = 0.0;
  for (std::int64_t s = 0; s < n; ++s) {
    for (std::int64_t e = 0; e < chunk; ++e) {
      const std::int64_t ch = ops::channel_of(layout, hw, e), px = ops::pixel_of(layout, hw, e);
      const std::int64_t per = ops::peephole_size(mode, f, hw);
      auto wc = [&](int k) {
        if (mode == Peephole::none) return 0.0;
        return double(w_c[k * per + (mode == Peephole::channel ? ch : ch * hw + px)]);
      };
      const float* as = a.data() + s * 4 * chunk;
      const double cp = c_prev[s * chunk + e];
      const double i = sig(as[e] + wc(0) * cp), fg = sig(as[chunk + e] + wc(1) * cp);
      const double g = std::tanh(double(as[2 * chunk + e]));
      const double cc = fg * cp + i * g;
      const double o = sig(as[3 * chunk + e] + wc(2) * cc);
      const double hh = o * std::tanh(cc);
      worst = std::max({worst, std::abs(cc - c[s * chunk + e]), std::abs(hh - h[s * chunk + e]),
                        std::abs(i - gates[s * 4 * chunk + e])});
    }
  }
  CHECK(worst < 2e-6);
}

TEST_CASE("fused gate backward may write the gradients over the gates it reads", "[ops]") {
  const std::int64_t n = 2, f = 16, hw = 35, chunk = f * hw;
  const ops::GateGeometry geo{n, f, hw, Layout::nChw16c};
  Rng rng(12);
  auto gates = test::random_vector(n * 4 * chunk, rng, -3.0f, 3.0f);
  const auto c_prev = test::random_vector(n * chunk, rng), peep = test::random_vector(3 * chunk, rng);
  const auto dh = test::random_vector(n * chunk, rng), dc = test::random_vector(n * chunk, rng);
  std::vector<float> c(n * chunk), h(n * chunk);
  ops::lstm_gates_forward(geo, peep.data(), gates.data(), c_prev.data(), c.data(), h.data());
  std::vector<float> dgates(gates.size()), dcp(n * chunk, 0.5f), dpeep(3 * chunk, 0.25f);
  ops::lstm_gates_backward(geo, peep.data(), gates.data(), c_prev.data(), c.data(), dh.data(), dc.data(),
                           dgates.data(), dcp.data(), dpeep.data());
  std::vector<float> dcp2(n * chunk, 0.5f), dpeep2(3 * chunk, 0.25f);
  ops::lstm_gates_backward(geo, peep.data(), gates.data(), c_prev.data(), c.data(), dh.data(), dc.data(),
                           gates.data(), dcp2.data(), dpeep2.data());
  CHECK(gates == dgates);
  CHECK(dcp2 == dcp);
  CHECK(dpeep2 == dpeep);
}

TEST_CASE("reduce_peephole_grads is the adjoint of expand_peepholes", "[ops]") {
  const auto mode = GENERATE(Peephole::channel, Peephole::pixel);
  const auto layout = GENERATE(Layout::nchw, Layout::nChw16c);
  const std::int64_t f = 16, hw = 12;
  Rng rng(5);
  const auto w = test::random_vector(3 * ops::peephole_size(mode, f, hw), rng);
  const auto r = test::random_vector(3 * f * hw, rng);
  std::vector<float> expanded(3 * f * hw), reduced(w.size(), 0.0f);
  ops::expand_peepholes(mode, w.data(), f, hw, layout, expanded.data());
  ops::reduce_peephole_grads(mode, r.data(), f, hw, layout, reduced.data());
  // <expand(w), r> == <w, reduce(r)>
  CHECK(test::dot(expanded.data(), r.data(), r.size()) ==
        Approx(test::dot(w.data(), reduced.data(), w.size())).epsilon(1e-5));
}

}  // namespace
}  // namespace convlstm
