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

}  // namespace
}  // namespace convlstm
