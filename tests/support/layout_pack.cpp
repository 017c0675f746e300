#include "support/layout_pack.hpp"

#include <cstring>

namespace convlstm::test {

void pack(const float* src_nchw, float* dst, ops::Layout layout, std::int64_t N, std::int64_t C,
          std::int64_t HW) {
  if (layout == ops::Layout::nchw) {
    std::memcpy(dst, src_nchw, sizeof(float) * N * C * HW);
    return;
  }
  const std::int64_t cp = ops::padded_channels(layout, C);
#pragma omp parallel for collapse(2)
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < cp; ++c)
      for (std::int64_t p = 0; p < HW; ++p)
        dst[ops::element_offset(layout, C, HW, n, c, p)] = c < C ? src_nchw[(n * C + c) * HW + p] : 0.0f;
}

void unpack(const float* src, ops::Layout layout, float* dst_nchw, std::int64_t N, std::int64_t C,
            std::int64_t HW) {
  if (layout == ops::Layout::nchw) {
    std::memcpy(dst_nchw, src, sizeof(float) * N * C * HW);
    return;
  }
#pragma omp parallel for collapse(2)
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t p = 0; p < HW; ++p)
        dst_nchw[(n * C + c) * HW + p] = src[ops::element_offset(layout, C, HW, n, c, p)];
}

}  // namespace convlstm::test
