#include "nn/patch.hpp"

#include <catch2/catch.hpp>

#include <vector>

#include "support/reference_conv.hpp"

namespace convlstm {
namespace {

TEST_CASE("patching follows pixel_unshuffle order - time-major", "[nn]") {
  const nn::FrameGeometry g{/*b=*/2, /*t=*/3, /*c=*/2, /*h=*/6, /*w=*/4, /*p=*/2};
  std::vector<float> frames(g.b * g.t * g.c * g.h * g.w);
  for (std::size_t i = 0; i < frames.size(); ++i) frames[i] = static_cast<float>(i);
  std::vector<float> patched(frames.size());
  nn::patch_frames(g, frames.data(), ops::Layout::nchw, patched.data());
  const std::int64_t hp = 3, wp = 2, cp = 8;
  for (std::int64_t b = 0; b < g.b; ++b)
    for (std::int64_t t = 0; t < g.t; ++t)
      for (std::int64_t c = 0; c < g.c; ++c)
        for (std::int64_t dy = 0; dy < 2; ++dy)
          for (std::int64_t dx = 0; dx < 2; ++dx)
            for (std::int64_t i = 0; i < hp; ++i)
              for (std::int64_t j = 0; j < wp; ++j) {
                const float want = frames[(((b * g.t + t) * g.c + c) * g.h + i * 2 + dy) * g.w + j * 2 + dx];
                const std::int64_t n = t * g.b + b, ch = c * 4 + dy * 2 + dx;
                REQUIRE(patched[((n * cp + ch) * hp + i) * wp + j] == want);
              }
}

TEST_CASE("unpatch inverts patch in both layouts", "[nn]") {
  const auto layout = GENERATE(ops::Layout::nchw, ops::Layout::nChw16c);
  const nn::FrameGeometry g{2, 2, 1, 8, 12, 4};  // 16 patched channels
  Rng rng(1);
  const auto frames = test::random_vector(g.b * g.t * g.c * g.h * g.w, rng);
  std::vector<float> patched(frames.size()), back(frames.size());
  nn::patch_frames(g, frames.data(), layout, patched.data());
  nn::unpatch_frames(g, patched.data(), layout, back.data());
  CHECK(back == frames);
}

TEST_CASE("the patch tent maps every pattern repeating with the patch to a constant and is its own adjoint",
          "[nn]") {
  const std::int64_t p = GENERATE(1, 2, 3, 4);
  const nn::FrameGeometry g{2, 2, 1, 6 * p, 5 * p, p};
  const std::int64_t hw = g.h * g.w, n = g.b * g.t * hw;
  Rng rng(static_cast<std::uint64_t>(p));
  // A random p x p tile repeated over each plane, on top of a constant: inside the frame (a half kernel
  // from the border) the tent leaves the constant plus the tile's mean.
  std::vector<float> tiled(static_cast<std::size_t>(n)), out(tiled.size());
  for (std::int64_t plane = 0; plane < g.b * g.t; ++plane) {
    const auto tile = test::random_vector(p * p, rng);
    double mean = 0.0;
    for (float v : tile) mean += v;
    mean /= static_cast<double>(p * p);
    for (std::int64_t y = 0; y < g.h; ++y)
      for (std::int64_t x = 0; x < g.w; ++x)
        tiled[plane * hw + y * g.w + x] = 2.0f + tile[(y % p) * p + x % p];
    nn::patch_tent(g, tiled.data(), out.data());
    const std::int64_t r = p / 2;
    for (std::int64_t y = r; y < g.h - r; ++y)
      for (std::int64_t x = r; x < g.w - r; ++x)
        REQUIRE(out[plane * hw + y * g.w + x] == Approx(2.0 + mean).margin(1e-5));
    if (p > 1) {  // at the border the zero outside the frame shows: the test would see a wrong kernel extent
      const float corner = out[plane * hw];
      CHECK(std::abs(corner - static_cast<float>(2.0 + mean)) > 0.1f);
    }
  }
  // Its own adjoint: <T a, b> = <a, T b> for random a and b.
  const auto a = test::random_vector(n, rng), b = test::random_vector(n, rng);
  std::vector<float> ta(a.size()), tb(b.size());
  nn::patch_tent(g, a.data(), ta.data());
  nn::patch_tent(g, b.data(), tb.data());
  double left = 0.0, right = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    left += static_cast<double>(ta[i]) * b[i];
    right += static_cast<double>(a[i]) * tb[i];
  }
  CHECK(left == Approx(right).epsilon(1e-5));
  if (p == 1)
    CHECK(ta == a);
  else
    CHECK(ta != a);
}

}  // namespace
}  // namespace convlstm
