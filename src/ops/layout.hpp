// Activation layouts inside the network. Outside src/ops/ and the network's boundaries (patching, the head's
// output) every tensor is NCHW. Inside the time loop activations stay in the layout oneDNN's fast kernels
// want: nChw16c (channel blocks of 16, each block [H][W][16]) when the channel count is a multiple of 16.
//
// In both layouts the F*H*W elements of one sample of an F-channel tensor are contiguous, and a 4F-channel
// gate tensor holds gate k of sample n as the contiguous chunk [k*F*H*W, (k+1)*F*H*W) of that sample, in the
// same element order as an F-channel state tensor. The fused gate loop relies on this.
#pragma once

#include <cstdint>

namespace convlstm::ops {

enum class Layout { nchw, nChw16c };

constexpr std::int64_t kChannelBlock = 16;

inline Layout choose_layout(bool blocked) {
  return blocked ? Layout::nChw16c : Layout::nchw;
}

// Channels a buffer holds for C logical channels: C rounded up to a multiple of 16 in nChw16c.
inline std::int64_t padded_channels(Layout layout, std::int64_t C) {
  return layout == Layout::nChw16c ? (C + kChannelBlock - 1) / kChannelBlock * kChannelBlock : C;
}

// Offset of element (n, c, p) of an [N, C, H*W] tensor, p being the pixel index y*W + x.
inline std::int64_t element_offset(Layout layout, std::int64_t C, std::int64_t HW, std::int64_t n,
                                   std::int64_t c, std::int64_t p) {
  if (layout == Layout::nchw) return (n * C + c) * HW + p;
  return n * padded_channels(layout, C) * HW + (c / kChannelBlock) * HW * kChannelBlock + p * kChannelBlock +
         c % kChannelBlock;
}

// Channel of the e-th element of one sample's contiguous chunk (see above), for a tensor of C channels.
inline std::int64_t channel_of(Layout layout, std::int64_t HW, std::int64_t e) {
  if (layout == Layout::nchw) return e / HW;
  return (e / (HW * kChannelBlock)) * kChannelBlock + e % kChannelBlock;
}

// Pixel of the e-th element of one sample's chunk.
inline std::int64_t pixel_of(Layout layout, std::int64_t HW, std::int64_t e) {
  if (layout == Layout::nchw) return e % HW;
  return (e / kChannelBlock) % HW;
}

// y[i] += x[i] for n elements, in parallel.
void add_into(float* y, const float* x, std::int64_t n);

// dst[i] = x[i] rounded to bfloat16 (to nearest, ties to even, as oneDNN's reorders do), in parallel.
void round_to_bf16(const float* x, std::uint16_t* dst, std::int64_t n);

}  // namespace convlstm::ops
