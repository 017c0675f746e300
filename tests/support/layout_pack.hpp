// Test helpers: an NCHW tensor into a kernel Layout (ops/layout.hpp) and back, for tests that feed the
// cells and convolutions blocked buffers. The library itself never converts whole tensors this way.
#pragma once

#include <cstdint>

#include "ops/layout.hpp"

namespace convlstm::test {

// dst (layout, padded: N * padded_channels * HW floats, padding zeroed) <- src (NCHW), and the inverse.
void pack(const float* src_nchw, float* dst, ops::Layout layout, std::int64_t N, std::int64_t C,
          std::int64_t HW);
void unpack(const float* src, ops::Layout layout, float* dst_nchw, std::int64_t N, std::int64_t C,
            std::int64_t HW);

}  // namespace convlstm::test
