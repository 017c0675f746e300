#include "ops/layout.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace convlstm::ops {

void add_into(float* y, const float* x, std::int64_t n) {
#pragma omp parallel for simd schedule(static)
  for (std::int64_t i = 0; i < n; ++i) y[i] += x[i];
}

namespace {

std::uint16_t bf16_of(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40);  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<std::uint16_t>(u >> 16);
}

}  // namespace

void round_to_bf16(const float* x, std::uint16_t* dst, std::int64_t n) {
  constexpr std::int64_t kBlock = 4096;
  const std::int64_t blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < blocks; ++b) {
    std::int64_t i = b * kBlock;
    const std::int64_t end = std::min(n, i + kBlock);
#if defined(__AVX512BF16__)
    for (; i + 16 <= end; i += 16) {
      const __m256bh v = _mm512_cvtneps_pbh(_mm512_loadu_ps(x + i));
      std::memcpy(dst + i, &v, sizeof v);
    }
#endif
    for (; i < end; ++i) dst[i] = bf16_of(x[i]);
  }
}

}  // namespace convlstm::ops
