#include "nn/patch.hpp"

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

}  // namespace convlstm::nn
