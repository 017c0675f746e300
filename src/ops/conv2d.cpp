#include "ops/conv2d.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"
#include "ops/engine.hpp"

namespace convlstm::ops {

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;

tag tag_of(Layout layout) {
  return layout == Layout::nchw ? tag::nchw : tag::nChw16c;
}

// Number of output positions o in [0, n) whose tap t in [0, k) reads an in-image input (same padding).
std::int64_t inside_taps(std::int64_t n, std::int64_t k) {
  std::int64_t count = 0;
  for (std::int64_t t = 0; t < k; ++t) {
    const std::int64_t shift = t - k / 2;  // input index = o + shift
    count += std::max<std::int64_t>(0, std::min(n, n - shift) - std::max<std::int64_t>(0, -shift));
  }
  return count;
}

// The weights in the layout a kernel wants: a reordered copy, or the user's OIHW buffer itself when the
// kernel wants plain OIHW.
struct WeightBuffer {
  memory::desc md;
  memory mem;               // reordered copy, allocated at the first load; empty when md is plain OIHW
  dnnl::reorder from_user;  // user OIHW -> mem, created with mem
  bool plain = true;
  bool current = false;  // mem holds the weights of the last set_weights()
};

}  // namespace

std::string Conv2dGeometry::str() const {
  std::ostringstream os;
  os << "conv2d N" << n << " IC" << ic << " OC" << oc << " " << h << "x" << w << " k" << k;
  return os.str();
}

double Conv2dGeometry::flops() const {
  return 2.0 * static_cast<double>(n) * oc * ic * inside_taps(h, k) * inside_taps(w, k);
}

struct Conv2d::Impl {
  Conv2dGeometry g;  // as the caller sees it
  // Channels as oneDNN sees them: padded to 16 in nChw16c, where the jit kernels want whole blocks (padded
  // memory descriptors fall back to reference kernels).
  std::int64_t icp = 0, ocp = 0;
  std::vector<float> w_pad, b_pad;  // zero-padded copies of weights and bias when icp/ocp differ
  Conv2dOptions opt;
  // src_md/dst_md: the caller's fp32 buffers. conv_src_md/conv_diff_dst_md: what the kernels read, the same
  // descriptors in fp32, bf16 copies in Precision::bf16.
  memory::desc src_md, dst_md, user_w_md, bias_md, conv_src_md, conv_diff_dst_md;
  bool low_precision = false;
  memory src_lp, diff_dst_lp;               // bf16 copies of src and diff_dst (bf16 only)
  void* own_diff_dst_lp = nullptr;          // diff_dst_lp's own buffer
  dnnl::reorder src_to_lp, diff_dst_to_lp;  // fp32 -> bf16, created once

  dnnl::convolution_forward::primitive_desc fwd_pd;
  dnnl::convolution_forward fwd;
  WeightBuffer fwd_w;

  std::optional<dnnl::convolution_backward_data::primitive_desc> bwd_data_pd;
  dnnl::convolution_backward_data bwd_data;
  WeightBuffer bwd_data_w;
  memory diff_src_scratch;  // bwd-data output before it is added to the caller's diff_src (accumulating)
  memory diff_src_mem;      // the caller's diff_src itself (overwriting)
  // The forward and backward-data copies of the weights share one allocation when both are reordered and of
  // equal size: each pass reloads it when the other used it last (one weight reorder per pass and update).
  bool shared_weights = false;

  std::optional<dnnl::convolution_backward_weights::primitive_desc> bwd_w_pd;
  dnnl::convolution_backward_weights bwd_w;
  memory diff_w_scratch;            // in the kernel's layout
  memory diff_w_plain_scratch;      // OIHW, when the kernel's layout differs and channels are padded
  memory diff_w_user_mem;           // the caller's diff_w, when the kernel's layout differs (no padding)
  dnnl::reorder diff_w_accumulate;  // diff_w_scratch -> diff_w_user_mem, adding (sum post-op)
  memory diff_b_scratch;

  const float* weights_user = nullptr;  // what set_weights() last received (or w_pad)

  // Memory objects bound once to the primitives' arguments; each call only points them at the caller's
  // buffers (set_data_handle), so nothing is allocated inside the time loop.
  memory src_mem, dst_mem, user_w_mem, bias_mem;
  std::unordered_map<int, memory> fwd_args, bwd_data_args, bwd_w_args;
  dnnl::reorder diff_w_to_plain;  // when the kernel's diff-weights layout is not OIHW

  // Samples per oneDNN call: g.n, or max_batch (Winograd's scratch grows with the batch); the calls
  // walk the batch in `pieces` contiguous slices of src_stride / dst_stride floats.
  std::int64_t n_call = 1, pieces = 1, src_stride = 0, dst_stride = 0;

  bool padded() const { return icp != g.ic || ocp != g.oc; }

  [[noreturn]] void fail(const char* what, const dnnl::error& e) const {
    throw BackendError(std::string("oneDNN ") + what + " failed for " + g.str() + ": " + e.what());
  }

  WeightBuffer make_weight_buffer(const memory::desc& wanted) {
    WeightBuffer b;
    b.md = wanted;
    b.plain = wanted == user_w_md;
    return b;
  }

  // Makes `b` hold the current weights before a pass reads them: allocates its copy at the first use (on the
  // other buffer's allocation when shared) and binds it to the pass's arguments; reorders when stale.
  void load_weights(WeightBuffer& b, WeightBuffer& other, std::unordered_map<int, memory>& args) {
    if (b.plain || b.current) return;
    if (!b.mem) {
      b.mem = shared_weights && other.mem ? memory(b.md, cpu_engine(), other.mem.get_data_handle())
                                          : memory(b.md, cpu_engine());
      b.from_user = dnnl::reorder(user_w_mem, b.mem);
      args[DNNL_ARG_WEIGHTS] = b.mem;
    }
    b.from_user.execute(cpu_stream(), user_w_mem, b.mem);
    b.current = true;
    if (shared_weights) other.current = false;
  }

  static void point(memory& m, const void* p) { m.set_data_handle(const_cast<void*>(p)); }

  // In bf16, rounds the caller's buffer (already pointed to by `from`) into the kernels' copy.
  void round_src() {
    if (low_precision) src_to_lp.execute(cpu_stream(), src_mem, src_lp);
  }
  void round_diff_dst() {
    if (low_precision) diff_dst_to_lp.execute(cpu_stream(), dst_mem, diff_dst_lp);
  }
  // The backward passes' diff_dst: the caller's fp32 buffer (rounded into diff_dst_lp in bf16), or, in bf16,
  // the caller's own bf16 copy, which diff_dst_lp then points at until release_diff_dst().
  void take_diff_dst(const float* f32, const std::uint16_t* bf16, std::int64_t offset) {
    if (bf16) {
      CONVLSTM_CHECK(low_precision, "a bf16 diff_dst given to the fp32 convolution " << g.str());
      point(diff_dst_lp, bf16 + offset);
    } else {
      point(dst_mem, f32 + offset);
      round_diff_dst();
    }
  }
  void release_diff_dst() {
    if (low_precision) point(diff_dst_lp, own_diff_dst_lp);
  }

  const memory& conv_src() const { return low_precision ? src_lp : src_mem; }
  const memory& conv_diff_dst() const { return low_precision ? diff_dst_lp : dst_mem; }

  // The memory descriptors and the caller-facing memory objects (pointed at the caller's buffers per call).
  void set_up_memory(Layout src_layout, Layout dst_layout, memory::data_type cdt) {
    const auto f32 = memory::data_type::f32;
    src_md = memory::desc({n_call, icp, g.h, g.w}, f32, tag_of(src_layout));
    dst_md = memory::desc({n_call, ocp, g.h, g.w}, f32, tag_of(dst_layout));
    user_w_md = memory::desc({ocp, icp, g.k, g.k}, f32, tag::oihw);
    bias_md = opt.bias ? memory::desc({ocp}, f32, tag::x) : memory::desc();
    conv_src_md = memory::desc({n_call, icp, g.h, g.w}, cdt, tag_of(src_layout));
    conv_diff_dst_md = memory::desc({n_call, ocp, g.h, g.w}, cdt, tag_of(dst_layout));
    src_mem = memory(src_md, cpu_engine(), DNNL_MEMORY_NONE);
    dst_mem = memory(dst_md, cpu_engine(), DNNL_MEMORY_NONE);
    if (low_precision) {
      src_lp = memory(conv_src_md, cpu_engine());
      src_to_lp = dnnl::reorder(src_mem, src_lp);
      if (opt.backward_data || opt.backward_weights) {
        diff_dst_lp = memory(conv_diff_dst_md, cpu_engine());
        own_diff_dst_lp = diff_dst_lp.get_data_handle();
        diff_dst_to_lp = dnnl::reorder(dst_mem, diff_dst_lp);
      }
    }
    user_w_mem = memory(user_w_md, cpu_engine(), DNNL_MEMORY_NONE);
    if (opt.bias) bias_mem = memory(bias_md, cpu_engine(), DNNL_MEMORY_NONE);
  }

  // The passes' primitive descriptors for one algorithm; throws dnnl::error where oneDNN has no kernel.
  void describe(dnnl::algorithm alg, const dnnl::primitive_attr& attr, memory::data_type cdt) {
    const memory::dims strides{1, 1}, pad{g.k / 2, g.k / 2};
    const memory::desc any_w({ocp, icp, g.k, g.k}, cdt, tag::any);
    const memory::desc diff_w_any({ocp, icp, g.k, g.k}, memory::data_type::f32, tag::any);  // fp32 gradients
    fwd_pd = dnnl::convolution_forward::primitive_desc(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, alg, conv_src_md, any_w, bias_md,
                                        dst_md, strides, pad, pad),
        attr, cpu_engine());
    if (opt.backward_data)
      bwd_data_pd.emplace(
          dnnl::convolution_backward_data::desc(alg, src_md, any_w, conv_diff_dst_md, strides, pad, pad),
          cpu_engine(), fwd_pd);
    if (opt.backward_weights)
      bwd_w_pd.emplace(dnnl::convolution_backward_weights::desc(alg, conv_src_md, diff_w_any, bias_md,
                                                                conv_diff_dst_md, strides, pad, pad),
                       cpu_engine(), fwd_pd);
  }

  // The forward pass's primitive and arguments.
  void bind_forward() {
    fwd = dnnl::convolution_forward(fwd_pd);
    fwd_w = make_weight_buffer(fwd_pd.weights_desc());
    fwd_args = {{DNNL_ARG_SRC, conv_src()}, {DNNL_ARG_DST, dst_mem}};
    if (fwd_w.plain) fwd_args.emplace(DNNL_ARG_WEIGHTS, user_w_mem);
    if (opt.bias) fwd_args.emplace(DNNL_ARG_BIAS, bias_mem);
  }

  // The backward-data pass's primitive, weight copy (shared with the forward's when the layouts agree) and
  // arguments.
  void bind_backward_data() {
    bwd_data = dnnl::convolution_backward_data(*bwd_data_pd);
    bwd_data_w = make_weight_buffer(bwd_data_pd->weights_desc());
    shared_weights = !fwd_w.plain && !bwd_data_w.plain && fwd_w.md.get_size() == bwd_data_w.md.get_size();
    if (opt.backward_data_accumulates)
      diff_src_scratch = memory(src_md, cpu_engine());
    else
      diff_src_mem = memory(src_md, cpu_engine(), DNNL_MEMORY_NONE);
    bwd_data_args = {{DNNL_ARG_DIFF_DST, conv_diff_dst()},
                     {DNNL_ARG_DIFF_SRC, opt.backward_data_accumulates ? diff_src_scratch : diff_src_mem}};
    if (bwd_data_w.plain) bwd_data_args.emplace(DNNL_ARG_WEIGHTS, user_w_mem);
  }

  // The backward-weights pass's primitive, its gradient scratch and the reorder that adds it to the caller's.
  void bind_backward_weights() {
    bwd_w = dnnl::convolution_backward_weights(*bwd_w_pd);
    diff_w_scratch = memory(bwd_w_pd->diff_weights_desc(), cpu_engine());
    if (!(bwd_w_pd->diff_weights_desc() == user_w_md)) {
      if (padded()) {
        diff_w_plain_scratch = memory(user_w_md, cpu_engine());
        diff_w_to_plain = dnnl::reorder(diff_w_scratch, diff_w_plain_scratch);
      } else {
        diff_w_user_mem = memory(user_w_md, cpu_engine(), DNNL_MEMORY_NONE);
        dnnl::primitive_attr add;
        dnnl::post_ops sum;
        sum.append_sum(1.0f);
        add.set_post_ops(sum);
        diff_w_accumulate = dnnl::reorder(diff_w_scratch, diff_w_user_mem, add);
      }
    }
    bwd_w_args = {{DNNL_ARG_SRC, conv_src()},
                  {DNNL_ARG_DIFF_DST, conv_diff_dst()},
                  {DNNL_ARG_DIFF_WEIGHTS, diff_w_scratch}};
    if (opt.bias) {
      diff_b_scratch = memory(bias_md, cpu_engine());
      bwd_w_args.emplace(DNNL_ARG_DIFF_BIAS, diff_b_scratch);
    }
  }
};

Conv2d::Conv2d(const Conv2dGeometry& geometry, Layout src_layout, Layout dst_layout, Conv2dOptions options)
    : impl_(std::make_unique<Impl>()) {
  auto& s = *impl_;
  s.g = geometry;
  s.opt = options;
  const auto& g = s.g;
  CONVLSTM_CHECK(g.k % 2 == 1 && g.k >= 1, "kernel size must be odd, got " << g.k << " in " << g.str());
  CONVLSTM_CHECK(g.n > 0 && g.ic > 0 && g.oc > 0 && g.h > 0 && g.w > 0, "empty " << g.str());
  s.low_precision = options.precision == Precision::bf16;
  require_precision_supported(options.precision, "precision");
  const auto cdt =
      s.low_precision ? memory::data_type::bf16 : memory::data_type::f32;  // what the kernels multiply
  s.icp = padded_channels(src_layout, g.ic);
  s.ocp = padded_channels(dst_layout, g.oc);
  // Winograd F(4x4, 3x3): fp32, 3x3, blocked activations; elsewhere, or where oneDNN has no such kernel for
  // one of the passes, the direct algorithm for all of them.
  bool winograd = options.algorithm == ConvAlgorithm::winograd && g.k == 3 && !s.low_precision &&
                  src_layout == Layout::nChw16c && dst_layout == Layout::nChw16c;
  s.n_call = options.max_batch > 0 && options.max_batch < g.n && g.n % options.max_batch == 0
                 ? options.max_batch
                 : g.n;
  s.pieces = g.n / s.n_call;
  s.src_stride = s.n_call * s.icp * g.h * g.w;
  s.dst_stride = s.n_call * s.ocp * g.h * g.w;
  if (s.padded()) {
    s.w_pad.assign(static_cast<std::size_t>(s.ocp * s.icp * g.k * g.k), 0.0f);
    s.b_pad.assign(static_cast<std::size_t>(s.ocp), 0.0f);
  }
  try {
    s.set_up_memory(src_layout, dst_layout, cdt);
    dnnl::primitive_attr attr;
    if (options.accumulate) {
      dnnl::post_ops ops;
      ops.append_sum(1.0f);
      attr.set_post_ops(ops);
    }
    if (winograd) {
      try {
        s.describe(dnnl::algorithm::convolution_winograd, attr, cdt);
      } catch (const dnnl::error&) {
        winograd = false;
        s.bwd_data_pd.reset();
        s.bwd_w_pd.reset();
        log::info("oneDNN has no Winograd kernel for {} on this CPU: direct convolution", g.str());
      }
    }
    if (!winograd) s.describe(dnnl::algorithm::convolution_direct, attr, cdt);
    s.bind_forward();
    if (options.backward_data) s.bind_backward_data();
    if (options.backward_weights) s.bind_backward_weights();
  } catch (const dnnl::error& e) {
    s.fail("primitive creation", e);
  }
}

Conv2d::~Conv2d() = default;
Conv2d::Conv2d(Conv2d&&) noexcept = default;
Conv2d& Conv2d::operator=(Conv2d&&) noexcept = default;

const Conv2dGeometry& Conv2d::geometry() const {
  return impl_->g;
}

bool Conv2d::low_precision() const {
  return impl_->low_precision;
}

void Conv2d::set_weights(const float* w_oihw) {
  auto& s = *impl_;
  s.weights_user = w_oihw;
  if (s.padded()) {
    const std::int64_t kk = s.g.k * s.g.k;
    for (std::int64_t o = 0; o < s.g.oc; ++o)
      for (std::int64_t i = 0; i < s.g.ic; ++i)
        std::copy_n(w_oihw + (o * s.g.ic + i) * kk, kk, s.w_pad.data() + (o * s.icp + i) * kk);
    s.weights_user = s.w_pad.data();
  }
  Impl::point(s.user_w_mem, s.weights_user);
  s.fwd_w.current = s.bwd_data_w.current = false;  // reordered by the next pass that reads them
}

void Conv2d::forward(const float* src, const float* bias, float* dst) {
  auto& s = *impl_;
  CONVLSTM_CHECK(s.weights_user != nullptr, "set_weights() not called before forward on " << s.g.str());
  CONVLSTM_CHECK((bias != nullptr) == s.opt.bias, "bias given/absent does not match " << s.g.str());
  try {
    if (bias && s.padded()) {
      std::copy_n(bias, s.g.oc, s.b_pad.data());
      bias = s.b_pad.data();
    }
    if (bias) Impl::point(s.bias_mem, bias);
    s.load_weights(s.fwd_w, s.bwd_data_w, s.fwd_args);
    for (std::int64_t p = 0; p < s.pieces; ++p) {
      Impl::point(s.src_mem, src + p * s.src_stride);
      Impl::point(s.dst_mem, dst + p * s.dst_stride);
      s.round_src();
      s.fwd.execute(cpu_stream(), s.fwd_args);
    }
    cpu_stream().wait();
  } catch (const dnnl::error& e) {
    s.fail("forward", e);
  }
}

void Conv2d::backward_data(const float* diff_dst, float* diff_src) {
  backward_data_impl(diff_dst, nullptr, diff_src);
}

void Conv2d::backward_data(const std::uint16_t* diff_dst_bf16, float* diff_src) {
  backward_data_impl(nullptr, diff_dst_bf16, diff_src);
}

void Conv2d::backward_weights(const float* src, const float* diff_dst, float* diff_w, float* diff_b) {
  backward_weights_impl(src, diff_dst, nullptr, diff_w, diff_b);
}

void Conv2d::backward_weights(const float* src, const std::uint16_t* diff_dst_bf16, float* diff_w,
                              float* diff_b) {
  backward_weights_impl(src, nullptr, diff_dst_bf16, diff_w, diff_b);
}

void Conv2d::backward_data_impl(const float* diff_dst, const std::uint16_t* diff_dst_bf16, float* diff_src) {
  auto& s = *impl_;
  CONVLSTM_CHECK(s.bwd_data_pd.has_value(), "backward_data not enabled on " << s.g.str());
  CONVLSTM_CHECK(s.weights_user != nullptr, "set_weights() not called before backward_data on " << s.g.str());
  for (std::int64_t p = 0; p < s.pieces; ++p) {
    try {
      s.load_weights(s.bwd_data_w, s.fwd_w, s.bwd_data_args);
      s.take_diff_dst(diff_dst, diff_dst_bf16, p * s.dst_stride);
      if (!s.opt.backward_data_accumulates) Impl::point(s.diff_src_mem, diff_src + p * s.src_stride);
      s.bwd_data.execute(cpu_stream(), s.bwd_data_args);
      cpu_stream().wait();
    } catch (const dnnl::error& e) {
      s.fail("backward-data", e);
    }
    if (s.opt.backward_data_accumulates)
      add_into(diff_src + p * s.src_stride, static_cast<const float*>(s.diff_src_scratch.get_data_handle()),
               s.src_stride);  // padded channels included
  }
  s.release_diff_dst();
}

void Conv2d::backward_weights_impl(const float* src, const float* diff_dst,
                                   const std::uint16_t* diff_dst_bf16, float* diff_w, float* diff_b) {
  auto& s = *impl_;
  CONVLSTM_CHECK(s.bwd_w_pd.has_value(), "backward_weights not enabled on " << s.g.str());
  CONVLSTM_CHECK(diff_b == nullptr || s.opt.bias,
                 "diff_b requested from a convolution without bias, " << s.g.str());
  for (std::int64_t p = 0; p < s.pieces; ++p) {
    const float* plain = nullptr;
    try {
      Impl::point(s.src_mem, src + p * s.src_stride);
      s.round_src();
      s.take_diff_dst(diff_dst, diff_dst_bf16, p * s.dst_stride);
      s.bwd_w.execute(cpu_stream(), s.bwd_w_args);
      if (s.diff_w_plain_scratch) {
        s.diff_w_to_plain.execute(cpu_stream(), s.diff_w_scratch, s.diff_w_plain_scratch);
        plain = static_cast<const float*>(s.diff_w_plain_scratch.get_data_handle());
      } else if (s.diff_w_user_mem) {
        Impl::point(s.diff_w_user_mem, diff_w);
        s.diff_w_accumulate.execute(cpu_stream(), s.diff_w_scratch, s.diff_w_user_mem);  // diff_w += ...
      } else {
        plain = static_cast<const float*>(s.diff_w_scratch.get_data_handle());
      }
      cpu_stream().wait();
    } catch (const dnnl::error& e) {
      s.fail("backward-weights", e);
    }
    const std::int64_t kk = s.g.k * s.g.k;
    if (s.padded()) {
      for (std::int64_t o = 0; o < s.g.oc; ++o)
        for (std::int64_t i = 0; i < s.g.ic; ++i)
          for (std::int64_t t = 0; t < kk; ++t)
            diff_w[(o * s.g.ic + i) * kk + t] += plain[(o * s.icp + i) * kk + t];
    } else if (plain) {
      add_into(diff_w, plain, s.g.oc * s.g.ic * kk);
    }
    if (diff_b) add_into(diff_b, static_cast<const float*>(s.diff_b_scratch.get_data_handle()), s.g.oc);
  }
  s.release_diff_dst();
}

std::string Conv2d::kernels() const {
  const auto& s = *impl_;
  std::string out = std::string("fwd=") + s.fwd_pd.impl_info_str();
  if (s.bwd_data_pd) out += std::string(" bwd_d=") + s.bwd_data_pd->impl_info_str();
  if (s.bwd_w_pd) out += std::string(" bwd_w=") + s.bwd_w_pd->impl_info_str();
  return out;
}

}  // namespace convlstm::ops
