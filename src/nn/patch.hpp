// Space-to-depth patching at the network's boundary (docs/architecture.md), in PyTorch's pixel_unshuffle
// order:
//   patched[t*B + b, c*p² + dy*p + dx, i, j] = frames[b, t, c, i*p + dy, j*p + dx]
// Frames are (B, T, C, H, W) NCHW; patched tensors are time-major (T*B, C p², H/p, W/p) in an activation
// Layout, so step t is the contiguous rows [t*B, (t+1)*B). Both functions are permutations and each other's
// adjoint: the backward of unpatch_frames is patch_frames.
#pragma once

#include <cstdint>

#include "ops/layout.hpp"

namespace convlstm::nn {

struct FrameGeometry {
  std::int64_t b = 1, t = 1, c = 1, h = 1, w = 1, p = 1;
};

void patch_frames(const FrameGeometry& g, const float* frames, ops::Layout layout, float* patched);
void unpatch_frames(const FrameGeometry& g, const float* patched, ops::Layout layout, float* frames);

// The patch tent: every (H, W) plane of the (B, T, C, H, W) frames convolved with the separable kernel
// k ⊗ k / p², k = [½, 1, ..., 1, ½] (p + 1 taps) for an even patch p and [1, ..., 1] (p taps) for an odd one,
// centred, zero outside the frame. Summed over any p consecutive positions a p-periodic pattern gives its
// mean, and k spans exactly one period (its two half taps fall on the same phase), so the tent maps every
// pattern that repeats with the patch to a constant: what remains carries no sub-pixel structure of the
// head. The kernel is symmetric and zero-padded, so the filter is its own adjoint (its backward is itself).
// out must not alias in; p = 1 copies.
void patch_tent(const FrameGeometry& g, const float* in, float* out);

}  // namespace convlstm::nn
