#include "nn/inference.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "nn/noise.hpp"
#include "nn/patch.hpp"

namespace convlstm::nn {

Inference::Inference(const ModelSpec& spec, std::int64_t batch, std::int64_t t_in, std::int64_t t_out,
                     ops::ConvAlgorithm algorithm, ops::Precision precision)
    : spec_(spec),
      b_(batch),
      t_in_(t_in),
      t_out_(t_out),
      state_layout_(spec.blocked_layout() ? ops::Layout::nChw16c : ops::Layout::nchw),
      x_layout_(ops::choose_layout(spec.blocked_layout())),
      head_(batch, batch, spec.filters(), spec.patched_channels(), spec.grid_h(), spec.grid_w(),
            state_layout_, x_layout_, spec.output, precision),
      held_(spec) {
  CONVLSTM_CHECK(t_in > 0 && t_out > 0, "t_in " << t_in << ", t_out " << t_out);
  make_cells(spec, batch, 1, 1, x_layout_, state_layout_, precision, algorithm, /*trainable=*/false,
             enc_cells_, fc_cells_);
  const std::size_t L = spec.layers.size();
  // One arena, carved twice: to measure, then to assign (every buffer 64-byte aligned).
  const std::int64_t hw = spec.grid_h() * spec.grid_w();
  states_.resize(L);
  auto carve = [&](float* base) {
    std::int64_t used = 0;
    auto take = [&](std::int64_t n) {
      float* p = base ? base + used : nullptr;
      used += (n + 15) / 16 * 16;
      return p;
    };
    for (std::size_t k = 0; k < L; ++k) {
      const std::int64_t st = batch * spec.layers[k].filters * hw;
      auto& s = states_[k];
      for (int i = 0; i < 2; ++i) {
        s.h[i] = take(st);
        s.c[i] = take(st);
      }
      s.gates = take(4 * st);
    }
    x_ = take(batch * ops::padded_channels(x_layout_, spec.patched_channels()) * hw);
    if (spec.forecaster_input_channels() > 0)
      xe_ = take(batch * ops::padded_channels(x_layout_, spec.forecaster_input_channels()) * hw);
    y_ = take(batch * ops::padded_channels(x_layout_, spec.patched_channels()) * hw);
    return used;
  };
  arena_ = Tensor(Shape{carve(nullptr)});
  carve(arena_.data());
  const std::int64_t fs = spec.channels * spec.height * spec.width;
  frame_.resize(static_cast<std::size_t>(
      batch * std::max(fs, spec.forecaster_frame_channels() * spec.height * spec.width)));
  if (spec.output_filter != OutputFilter::none) corr_.resize(static_cast<std::size_t>(batch * fs));
}

void Inference::set_params(const ModelParams& p) {
  for (std::size_t k = 0; k < enc_cells_.size(); ++k) {
    enc_cells_[k].set_params(held_.encoder(p, k));
    fc_cells_[k].set_params(held_.forecaster(p, k));
  }
  head_.set_params(p.head_w.data, held_.head_bias(p));
}

void Inference::step(ConvLstmCell& cell, LayerState& s, const float* x, bool zero_state) {
  const int next = 1 - s.cur;
  cell.forward_input(x, s.gates);  // a no-op without input: W_h's convolution then writes the bias too
  cell.forward_step(s.h[s.cur], zero_state, s.c[s.cur], s.gates, s.c[next], s.h[next]);
  s.cur = next;
}

void Inference::patch_step(const float* frames, std::int64_t t, std::int64_t steps, std::int64_t c,
                           float* dst) {
  const std::int64_t fs = c * spec_.height * spec_.width;
  for (std::int64_t b = 0; b < b_; ++b)
    std::copy_n(frames + (b * steps + t) * fs, fs, frame_.data() + b * fs);
  patch_frames({b_, 1, c, spec_.height, spec_.width, spec_.patch}, frame_.data(), x_layout_, dst);
}

void Inference::forward(const ModelParams& params, const float* inputs, float* pred,
                        const float* extrapolation, const float* gaps, const float* noise) {
  CONVLSTM_CHECK(extrapolation || !spec_.needs_extrapolation(),
                 "this model (" << spec_.str() << ") needs the extrapolation of every lead");
  CONVLSTM_CHECK(gaps || !spec_.needs_gaps(),
                 "this model (" << spec_.str() << ") needs the extrapolation's gaps");
  CONVLSTM_CHECK(noise || !spec_.stochastic(), "this model (" << spec_.str() << ") needs its noise");
  set_params(params);
  const std::size_t L = states_.size();
  const std::int64_t C = spec_.channels, fs = C * spec_.height * spec_.width;
  for (std::size_t k = 0; k < L; ++k) {  // zero initial state (H_0 is never read: W_h * 0 is skipped)
    auto& s = states_[k];
    s.cur = 0;
    std::fill(s.c[0], s.c[0] + b_ * spec_.layers[k].filters * spec_.grid_h() * spec_.grid_w(), 0.0f);
  }
  for (std::int64_t t = 0; t < t_in_; ++t) {
    patch_step(inputs, t, t_in_, C, x_);
    for (std::size_t k = 0; k < L; ++k)
      step(enc_cells_[k], states_[k], k == 0 ? x_ : states_[k - 1].h[states_[k - 1].cur], t == 0);
  }
  // The forecaster's layers start from the encoder's final states, which states_ hold.
  const FrameGeometry one{b_, 1, C, spec_.height, spec_.width, spec_.patch};
  std::vector<const float*> hs(L);
  for (std::int64_t t = 0; t < t_out_; ++t) {
    if (xe_ && (spec_.needs_gaps() || spec_.stochastic())) {
      // Forecaster layer 0 reads [E, gaps, noise] per frame (nn/noise.hpp), patched like any frame.
      const std::int64_t cf = spec_.forecaster_frame_channels(), ffs = cf * spec_.height * spec_.width;
      const std::int64_t ns = spec_.noise.channels * spec_.height * spec_.width;
      for (std::int64_t b = 0; b < b_; ++b) {
        const std::int64_t i = b * t_out_ + t;
        forecaster_frame(spec_, extrapolation ? extrapolation + i * fs : nullptr,
                         gaps ? gaps + i * fs : nullptr, noise ? noise + b * ns : nullptr,
                         frame_.data() + b * ffs);
      }
      FrameGeometry all = one;
      all.c = cf;
      patch_frames(all, frame_.data(), x_layout_, xe_);
    } else if (xe_) {
      patch_step(extrapolation, t, t_out_, C, xe_);
    }
    for (std::size_t k = 0; k < L; ++k)
      step(fc_cells_[k], states_[k], k == 0 ? xe_ : states_[k - 1].h[states_[k - 1].cur], false);
    for (std::size_t k = 0; k < L; ++k) hs[k] = states_[k].h[states_[k].cur];
    head_.forward(hs, y_);
    if (!corr_.empty()) {
      unpatch_frames(one, y_, x_layout_, corr_.data());
      patch_tent(one, corr_.data(), frame_.data());
    } else {
      unpatch_frames(one, y_, x_layout_, frame_.data());
    }
    for (std::int64_t b = 0; b < b_; ++b)
      std::copy_n(frame_.data() + b * fs, fs, pred + (b * t_out_ + t) * fs);
  }
  if (spec_.output == OutputActivation::residual) ops::add_into(pred, extrapolation, b_ * t_out_ * fs);
}

double forward_flops(const ModelSpec& spec, std::int64_t batch, std::int64_t t_in, std::int64_t t_out) {
  double total = 0.0;
  const std::int64_t h = spec.grid_h(), w = spec.grid_w();
  for (std::size_t k = 0; k < spec.layers.size(); ++k) {
    for (const bool forecaster : {false, true}) {
      const auto s = cell_shape(spec, k, forecaster, batch, ops::Precision::fp32, ops::ConvAlgorithm::direct);
      const std::int64_t steps = forecaster ? t_out : t_in;
      const std::int64_t h_steps = forecaster ? t_out : t_in - 1;  // the encoder skips W_h * 0
      if (s.has_input()) total += ops::Conv2dGeometry{steps * batch, s.c, 4 * s.f, h, w, s.k_x}.flops();
      total += ops::Conv2dGeometry{h_steps * batch, s.f, 4 * s.f, h, w, s.k_h}.flops();
    }
  }
  total += ops::Conv2dGeometry{t_out * batch, spec.hidden_sum(), spec.patched_channels(), h, w, 1}.flops();
  return total;
}

}  // namespace convlstm::nn
