// Same-padded, stride-1 2-D convolution on oneDNN: forward, backward-data and backward-weights as a pair of
// passes over one set of primitives, created once for a fixed geometry and reused for every call.
//
//   forward:           dst (+)= W * src + b
//   backward_data:     diff_src += W^T * diff_dst          (accumulates; oneDNN itself overwrites)
//   backward_weights:  diff_w += diff_dst ⋆ src,  diff_b += Σ_{n,y,x} diff_dst   (accumulate)
//
// Activations are passed in the Layout given at construction (nChw16c buffers hold padded channels); weights
// are always dense OIHW [OC, IC, K, K] and biases [OC]. After set_weights() the first pass that reads the
// weights reorders them into its kernel's layout, so once per change of the weights (an optimizer step) and
// pass, not once per time step; forward and backward-data share that copy's memory when they can.
//
// Precision::bf16 (docs/architecture.md, docs/performance.md): the kernels multiply in bf16 and accumulate in
// fp32. The caller's buffers stay fp32: src and diff_dst are rounded to bf16 into the wrapper's own scratch
// on each call, the weights once per set_weights(); dst, diff_src, diff_w and diff_b come out in fp32. Needs
// AVX512-BF16 (bf16_supported()).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ops/layout.hpp"
#include "ops/precision.hpp"

namespace convlstm::ops {

struct Conv2dGeometry {
  std::int64_t n = 1;   // samples (time steps stacked into the batch count here)
  std::int64_t ic = 1;  // input channels
  std::int64_t oc = 1;  // output channels
  std::int64_t h = 1;
  std::int64_t w = 1;
  std::int64_t k = 1;  // odd kernel size; padding k/2 on every side

  std::string str() const;
  // Multiply-adds that land inside the image (taps over zero padding excluded), times two.
  double flops() const;
};

struct Conv2dOptions {
  bool bias = false;              // forward adds b, backward_weights can produce diff_b
  bool accumulate = false;        // forward adds into dst instead of overwriting it
  bool backward_data = false;     // create the backward-data pass
  bool backward_weights = false;  // create the backward-weights pass
  Precision precision = Precision::fp32;
  ConvAlgorithm algorithm = ConvAlgorithm::direct;
  // Samples per oneDNN call when it divides the batch (0: the whole batch). Winograd's scratch grows with the
  // batch (about 140 MiB at N=60 on 25x25x64), and so does an accumulating backward-data's, so time-stacked
  // batches can run per step.
  std::int64_t max_batch = 0;
  // backward_data adds into diff_src (true) or overwrites it (false: no scratch of the input's size and no
  // extra pass over it).
  bool backward_data_accumulates = true;
};

class Conv2d {
 public:
  Conv2d(const Conv2dGeometry& geometry, Layout src_layout, Layout dst_layout, Conv2dOptions options);
  ~Conv2d();
  Conv2d(Conv2d&&) noexcept;
  Conv2d& operator=(Conv2d&&) noexcept;

  const Conv2dGeometry& geometry() const;

  // Takes the current weights (OIHW). Must be called before forward/backward_data and after each update; the
  // passes read (reorder) the buffer when they first need it, so it must stay unchanged until the next call.
  void set_weights(const float* w_oihw);

  // src (N, IC, H, W), dst (N, OC, H, W); bias (OC) or nullptr when built without bias.
  void forward(const float* src, const float* bias, float* dst);
  // diff_dst (N, OC, H, W) -> diff_src (N, IC, H, W) += (= when built with backward_data_accumulates false)
  void backward_data(const float* diff_dst, float* diff_src);
  // src (N, IC, H, W), diff_dst (N, OC, H, W) -> diff_w (OC, IC, K, K) +=, diff_b (OC) += (nullable)
  void backward_weights(const float* src, const float* diff_dst, float* diff_w, float* diff_b);

  // Precision::bf16 only: the same passes on a diff_dst the caller already rounded (ops::round_to_bf16), for
  // a gradient several passes read; it is then rounded once instead of once per pass.
  void backward_data(const std::uint16_t* diff_dst_bf16, float* diff_src);
  void backward_weights(const float* src, const std::uint16_t* diff_dst_bf16, float* diff_w, float* diff_b);
  bool low_precision() const;

  // The oneDNN kernels chosen, for logs and benchmarks ("fwd=jit:avx512_core bwd_d=... bwd_w=...").
  std::string kernels() const;

 private:
  void backward_data_impl(const float* diff_dst, const std::uint16_t* diff_dst_bf16, float* diff_src);
  void backward_weights_impl(const float* src, const float* diff_dst, const std::uint16_t* diff_dst_bf16,
                             float* diff_w, float* diff_b);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace convlstm::ops
