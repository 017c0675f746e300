#include "nn/conv_lstm_cell.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "support/grad_check.hpp"
#include "support/layout_pack.hpp"
#include "support/reference_conv.hpp"

namespace convlstm {
namespace {

using nn::CellParams;
using nn::CellShape;
using ops::Layout;
using ops::Peephole;

// One cell's parameters (and a same-shaped set for gradients) in plain storage.
struct OwnedCellParams {
  Tensor w_x, w_h, b, w_c;
  explicit OwnedCellParams(const CellShape& s)
      : w_x(s.has_input() ? Shape{4 * s.f, s.c, s.k_x, s.k_x} : Shape{0}),
        w_h(Shape{4 * s.f, s.f, s.k_h, s.k_h}),
        b(Shape{4 * s.f}),
        w_c(Shape{3 * ops::peephole_size(s.peephole, s.f, s.h * s.w)}) {}
  CellParams view() {
    CellParams p;
    if (w_x.numel() > 0) p.w_x = w_x.view();
    p.w_h = w_h.view();
    p.b = b.view();
    if (w_c.numel() > 0) p.w_c = w_c.view();
    return p;
  }
  std::vector<std::pair<std::string, Tensor*>> all() {
    return {{"w_x", &w_x}, {"w_h", &w_h}, {"b", &b}, {"w_c", &w_c}};
  }
};

// Runs a single cell step on NCHW inputs, packing into and out of the cell's layouts, and its backward for
// the probe L = <H_t, R_h> + <C_t, R_c>.
struct CellHarness {
  CellShape s;
  Layout x_layout, state_layout;
  nn::ConvLstmCell cell;
  OwnedCellParams params, grads;
  std::vector<float> x, h_prev, c_prev, r_h, r_c;  // NCHW
  std::vector<float> dx, dh_prev, dc_prev;         // NCHW results of backward

  CellHarness(const CellShape& shape, bool blocked)
      : s(shape),
        x_layout(ops::choose_layout(blocked)),
        state_layout(ops::choose_layout(blocked)),
        cell(shape, 1, x_layout, state_layout),
        params(shape),
        grads(shape) {
    Rng rng(2024);
    for (auto& [name, t] : params.all())
      for (auto& v : *t) v = rng.uniform(-0.4f, 0.4f);
    const std::int64_t st = s.b * s.f * s.h * s.w;
    x = test::random_vector(s.b * std::max<std::int64_t>(s.c, 1) * s.h * s.w, rng);
    h_prev = test::random_vector(st, rng);
    c_prev = test::random_vector(st, rng);
    r_h = test::random_vector(st, rng);
    r_c = test::random_vector(st, rng);
  }

  std::int64_t hw() const { return s.h * s.w; }
  std::vector<float> pack(const std::vector<float>& v, Layout l, std::int64_t c) const {
    std::vector<float> out(s.b * ops::padded_channels(l, c) * hw());
    test::pack(v.data(), out.data(), l, s.b, c, hw());
    return out;
  }
  std::vector<float> unpack(const std::vector<float>& v, Layout l, std::int64_t c) const {
    std::vector<float> out(s.b * c * hw());
    test::unpack(v.data(), l, out.data(), s.b, c, hw());
    return out;
  }

  // Forward; returns H_t and C_t in NCHW and keeps the packed tape in the out-parameters.
  void forward(std::vector<float>& gates, std::vector<float>& c, std::vector<float>& h,
               std::vector<float>& xp, std::vector<float>& hp, std::vector<float>& cp) {
    const std::int64_t st = s.b * s.f * hw();
    xp = pack(x, x_layout, std::max<std::int64_t>(s.c, 1));
    hp = pack(h_prev, state_layout, s.f);
    cp = pack(c_prev, state_layout, s.f);
    gates.assign(4 * st, 0.0f);
    c.assign(st, 0.0f);
    h.assign(st, 0.0f);
    cell.set_params(params.view());
    cell.forward_input(xp.data(), gates.data());
    cell.forward_step(hp.data(), false, cp.data(), gates.data(), c.data(), h.data());
  }

  double probe() {
    std::vector<float> gates, c, h, xp, hp, cp;
    forward(gates, c, h, xp, hp, cp);
    const auto hn = unpack(h, state_layout, s.f), cn = unpack(c, state_layout, s.f);
    return test::dot(hn.data(), r_h.data(), hn.size()) + test::dot(cn.data(), r_c.data(), cn.size());
  }

  // Backward into gradient buffers pre-filled with `start`, so that accumulation shows.
  void backward(float start) {
    std::vector<float> gates, c, h, xp, hp, cp;
    forward(gates, c, h, xp, hp, cp);
    const std::int64_t st = s.b * s.f * hw();
    for (auto& [name, t] : grads.all()) t->fill(start);
    std::vector<float> dgates(4 * st, -99.0f), dpeep(cell.peephole_expanded_size(), 0.0f);
    // Constant fill is layout-free; the padding of a padded input gradient is ignored by unpack.
    std::vector<float> dhp(st, start), dcp(st, start),
        dxp(s.b * ops::padded_channels(x_layout, std::max<std::int64_t>(s.c, 1)) * hw(), start);
    const auto rh = pack(r_h, state_layout, s.f), rc = pack(r_c, state_layout, s.f);
    cell.backward_step(gates.data(), cp.data(), c.data(), rh.data(), rc.data(), dgates.data(), dhp.data(),
                       dcp.data(), dpeep.data());
    auto g = grads.view();
    cell.backward_params(xp.data(), hp.data(), dgates.data(), dpeep.data(), g,
                         s.has_input() ? dxp.data() : nullptr);
    dh_prev = unpack(dhp, state_layout, s.f);
    dc_prev = unpack(dcp, state_layout, s.f);
    dx = unpack(dxp, x_layout, std::max<std::int64_t>(s.c, 1));
  }

  // Every element when max_elements is 0, else a random sample of that many per tensor.
  test::GradCheck check(double eps, std::int64_t max_elements = 0) {
    backward(0.0f);
    test::GradCheck r;
    Rng rng(77);
    auto loss = [this] { return probe(); };
    auto check = [&](const std::string& name, float* v, std::int64_t n, const float* g) {
      test::check_tensor(r, name, v, n, g, loss, eps, max_elements, &rng);
    };
    if (s.has_input()) check("x", x.data(), x.size(), dx.data());
    check("h_prev", h_prev.data(), h_prev.size(), dh_prev.data());
    check("c_prev", c_prev.data(), c_prev.size(), dc_prev.data());
    auto ps = params.all();
    auto gs = grads.all();
    for (std::size_t i = 0; i < ps.size(); ++i) {
      if (ps[i].second->numel() == 0) continue;
      check(ps[i].first, ps[i].second->data(), ps[i].second->numel(), gs[i].second->data());
    }
    return r;
  }
};

void check_cell_gradients(const CellShape& shape, bool blocked) {
  CellHarness hn(shape, blocked);
  // The plain-layout shapes check every element; the larger blocked-layout ones a sample of each tensor.
  const auto r = hn.check(1e-2, blocked ? 300 : 0);
  INFO(r.report());
  CHECK(r.max_rel_error() < 1e-3);
}

TEST_CASE("ConvLstmCell backward matches central differences", "[nn][grad]") {
  const auto mode = GENERATE(Peephole::channel, Peephole::pixel, Peephole::none);
  SECTION("nchw, k_x 3 and k_h 5") {
    check_cell_gradients({/*b=*/2, /*c=*/3, /*f=*/4, /*h=*/5, /*w=*/7, /*k_x=*/3, /*k_h=*/5, mode}, false);
  }
  SECTION("nchw, k_x 5 and k_h 1") {
    check_cell_gradients({2, 3, 4, 5, 7, 5, 1, mode}, false);
  }
  SECTION("nChw16c states, no input (forecaster layer 0)") {
    check_cell_gradients({2, 0, 16, 5, 7, 3, 3, mode}, true);
  }
  SECTION("nChw16c input and states") {
    check_cell_gradients({2, 16, 16, 3, 5, 3, 3, mode}, true);
  }
  SECTION("nChw16c states, input of 3 channels padded to 16") {
    check_cell_gradients({2, 3, 16, 3, 5, 3, 3, mode}, true);
  }
}

TEST_CASE("ConvLstmCell backward accumulates into every gradient output but dx - which it assigns",
          "[nn][grad]") {
  CellHarness hn({2, 3, 4, 5, 7, 3, 3, Peephole::pixel}, false);
  hn.backward(0.0f);
  std::vector<std::vector<float>> fresh;
  for (auto& [name, t] : hn.grads.all()) fresh.emplace_back(t->begin(), t->end());
  const auto dx0 = hn.dx, dh0 = hn.dh_prev, dc0 = hn.dc_prev;
  const float start = 0.375f;
  hn.backward(start);
  auto shifted = [start](std::vector<float> v) {
    for (auto& x : v) x += start;
    return v;
  };
  auto gs = hn.grads.all();
  for (std::size_t i = 0; i < gs.size(); ++i) {
    INFO(gs[i].first);
    CHECK(test::max_rel_diff(std::vector<float>(gs[i].second->begin(), gs[i].second->end()),
                             shifted(fresh[i])) < 1e-6);
  }
  CHECK(test::max_rel_diff(hn.dx, dx0) < 1e-6);  // the pre-filled value was overwritten
  CHECK(test::max_rel_diff(hn.dh_prev, shifted(dh0)) < 1e-6);
  CHECK(test::max_rel_diff(hn.dc_prev, shifted(dc0)) < 1e-6);
}

// With every weight zero except the g gate's 1x1 input weight α on input channel 0 (and no peepholes), all
// gates read σ(0) = 1/2 and g_t = tanh(α x_t), so per pixel:  C_t = C_{t-1}/2 + tanh(α x_t)/2,  H_t =
// tanh(C_t)/2.
TEST_CASE("ConvLstmCell over several steps matches the closed form with one gate switched on", "[nn]") {
  const CellShape s{/*b=*/2, /*c=*/3, /*f=*/4, /*h=*/5, /*w=*/7, /*k_x=*/1, /*k_h=*/3, Peephole::none};
  const std::int64_t T = 4, hw = s.h * s.w, st = s.b * s.f * hw;
  const float alpha = 1.7f;
  nn::ConvLstmCell cell(s, T, Layout::nchw, Layout::nchw);
  OwnedCellParams p(s);
  for (std::int64_t j = 0; j < s.f; ++j) p.w_x[(2 * s.f + j) * s.c + 0] = alpha;  // W_xg[j, 0, 0, 0]
  Rng rng(9);
  const auto x = test::random_vector(T * s.b * s.c * hw, rng);
  std::vector<float> gates(T * 4 * st), c((T + 1) * st, 0.0f), h((T + 1) * st, 0.0f);
  cell.set_params(p.view());
  cell.forward_input(x.data(), gates.data());
  for (std::int64_t t = 0; t < T; ++t)
    cell.forward_step(h.data() + t * st, t == 0, c.data() + t * st, gates.data() + t * 4 * st,
                      c.data() + (t + 1) * st, h.data() + (t + 1) * st);
  double worst = 0.0;
  for (std::int64_t b = 0; b < s.b; ++b)
    for (std::int64_t j = 0; j < s.f; ++j)
      for (std::int64_t px = 0; px < hw; ++px) {
        double c_ref = 0.0;
        for (std::int64_t t = 0; t < T; ++t) {
          const double xt = x[((t * s.b + b) * s.c + 0) * hw + px];
          c_ref = 0.5 * c_ref + 0.5 * std::tanh(alpha * xt);
          const std::int64_t at = (t + 1) * st + (b * s.f + j) * hw + px;
          worst = std::max({worst, std::abs(c_ref - c[at]), std::abs(0.5 * std::tanh(c_ref) - h[at])});
        }
      }
  CHECK(worst < 1e-6);
}

}  // namespace
}  // namespace convlstm
