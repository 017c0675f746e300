#include "nn/patch.hpp"

#include <vector>

#include "core/error.hpp"

namespace convlstm::nn {

namespace {

// Calls fn(frame_offset, patched_offset) for every element.
template <typename Fn>
void for_each_pair(const FrameGeometry& g, ops::Layout layout, Fn fn) {
  CONVLSTM_CHECK(g.h % g.p == 0 && g.w % g.p == 0,
                 "patch " << g.p << " does not divide " << g.h << "x" << g.w);
  const std::int64_t hp = g.h / g.p, wp = g.w / g.p, cp = g.c * g.p * g.p, hw = hp * wp;
#pragma omp parallel for collapse(2)
  for (std::int64_t t = 0; t < g.t; ++t) {
    for (std::int64_t b = 0; b < g.b; ++b) {
      const std::int64_t n = t * g.b + b;
      for (std::int64_t c = 0; c < g.c; ++c)
        for (std::int64_t y = 0; y < g.h; ++y)
          for (std::int64_t x = 0; x < g.w; ++x) {
            const std::int64_t frame = (((b * g.t + t) * g.c + c) * g.h + y) * g.w + x;
            const std::int64_t ch = c * g.p * g.p + (y % g.p) * g.p + x % g.p;
            const std::int64_t pix = (y / g.p) * wp + x / g.p;
            fn(frame, ops::element_offset(layout, cp, hw, n, ch, pix));
          }
    }
  }
}

}  // namespace

void patch_frames(const FrameGeometry& g, const float* frames, ops::Layout layout, float* patched) {
  for_each_pair(g, layout, [&](std::int64_t f, std::int64_t p) { patched[p] = frames[f]; });
}

void unpatch_frames(const FrameGeometry& g, const float* patched, ops::Layout layout, float* frames) {
  for_each_pair(g, layout, [&](std::int64_t f, std::int64_t p) { frames[f] = patched[p]; });
}

void patch_tent(const FrameGeometry& g, const float* in, float* out) {
  CONVLSTM_CHECK(in != out, "patch_tent: out aliases in");
  const std::int64_t p = g.p, r = p / 2, planes = g.b * g.t * g.c, h = g.h, w = g.w;
  // Taps for offsets -r..r: an even patch has half taps at both ends.
  std::vector<float> k(static_cast<std::size_t>(2 * r + 1), 1.0f / static_cast<float>(p));
  if (p % 2 == 0) k.front() = k.back() = 0.5f / static_cast<float>(p);
#pragma omp parallel
  {
    std::vector<float> rows(static_cast<std::size_t>(h * w));
#pragma omp for
    for (std::int64_t n = 0; n < planes; ++n) {
      const float* src = in + n * h * w;
      float* dst = out + n * h * w;
      for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x) {
          float acc = 0.0f;
          for (std::int64_t d = -r; d <= r; ++d)
            if (x + d >= 0 && x + d < w) acc += k[d + r] * src[y * w + x + d];
          rows[y * w + x] = acc;
        }
      for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x) {
          float acc = 0.0f;
          for (std::int64_t d = -r; d <= r; ++d)
            if (y + d >= 0 && y + d < h) acc += k[d + r] * rows[(y + d) * w + x];
          dst[y * w + x] = acc;
        }
    }
  }
}

}  // namespace convlstm::nn
