#include "support/reference_conv.hpp"

#include <algorithm>
#include <cmath>

namespace convlstm::test {

namespace {
// Calls fn(n, oc, ic, oy, ox, ky, kx, iy, ix) for every in-image tap.
template <typename Fn>
void for_each_tap(const ops::Conv2dGeometry& g, Fn fn) {
  const std::int64_t pad = g.k / 2;
  for (std::int64_t n = 0; n < g.n; ++n)
    for (std::int64_t oc = 0; oc < g.oc; ++oc)
      for (std::int64_t ic = 0; ic < g.ic; ++ic)
        for (std::int64_t oy = 0; oy < g.h; ++oy)
          for (std::int64_t ox = 0; ox < g.w; ++ox)
            for (std::int64_t ky = 0; ky < g.k; ++ky)
              for (std::int64_t kx = 0; kx < g.k; ++kx) {
                const std::int64_t iy = oy + ky - pad, ix = ox + kx - pad;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                fn(n, oc, ic, oy, ox, ky, kx, iy, ix);
              }
}
}  // namespace

void ref_conv_forward(const ops::Conv2dGeometry& g, const float* src, const float* w, const float* b,
                      float* dst) {
  std::vector<double> acc(g.n * g.oc * g.h * g.w, 0.0);
  for_each_tap(g, [&](auto n, auto oc, auto ic, auto oy, auto ox, auto ky, auto kx, auto iy, auto ix) {
    acc[((n * g.oc + oc) * g.h + oy) * g.w + ox] +=
        double(w[((oc * g.ic + ic) * g.k + ky) * g.k + kx]) * src[((n * g.ic + ic) * g.h + iy) * g.w + ix];
  });
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const std::int64_t oc = (i / (g.h * g.w)) % g.oc;
    dst[i] = static_cast<float>(acc[i] + (b ? b[oc] : 0.0f));
  }
}

void ref_conv_backward_data(const ops::Conv2dGeometry& g, const float* diff_dst, const float* w,
                            float* diff_src) {
  std::vector<double> acc(g.n * g.ic * g.h * g.w, 0.0);
  for_each_tap(g, [&](auto n, auto oc, auto ic, auto oy, auto ox, auto ky, auto kx, auto iy, auto ix) {
    acc[((n * g.ic + ic) * g.h + iy) * g.w + ix] += double(w[((oc * g.ic + ic) * g.k + ky) * g.k + kx]) *
                                                    diff_dst[((n * g.oc + oc) * g.h + oy) * g.w + ox];
  });
  std::transform(acc.begin(), acc.end(), diff_src, [](double v) { return static_cast<float>(v); });
}

void ref_conv_backward_weights(const ops::Conv2dGeometry& g, const float* src, const float* diff_dst,
                               float* diff_w, float* diff_b) {
  std::vector<double> acc(g.oc * g.ic * g.k * g.k, 0.0);
  for_each_tap(g, [&](auto n, auto oc, auto ic, auto oy, auto ox, auto ky, auto kx, auto iy, auto ix) {
    acc[((oc * g.ic + ic) * g.k + ky) * g.k + kx] += double(src[((n * g.ic + ic) * g.h + iy) * g.w + ix]) *
                                                     diff_dst[((n * g.oc + oc) * g.h + oy) * g.w + ox];
  });
  std::transform(acc.begin(), acc.end(), diff_w, [](double v) { return static_cast<float>(v); });
  if (diff_b) {
    for (std::int64_t oc = 0; oc < g.oc; ++oc) {
      double s = 0.0;
      for (std::int64_t n = 0; n < g.n; ++n)
        for (std::int64_t p = 0; p < g.h * g.w; ++p) s += diff_dst[(n * g.oc + oc) * g.h * g.w + p];
      diff_b[oc] = static_cast<float>(s);
    }
  }
}

std::vector<float> random_vector(std::int64_t n, Rng& rng, float lo, float hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = rng.uniform(lo, hi);
  return v;
}

double max_rel_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    worst = std::max(worst, std::abs(double(a[i]) - b[i]) / std::max(1.0, std::abs(double(b[i]))));
  return a.size() == b.size() ? worst : 1e30;
}

}  // namespace convlstm::test
