#include "train/bptt.hpp"

#include <algorithm>
#include <cstring>

#include "core/error.hpp"
#include "nn/inference.hpp"
#include "nn/noise.hpp"
#include "nn/patch.hpp"

namespace convlstm::train {

namespace {

// Carves the tape out of one arena: run once with base == nullptr to measure, then again to assign.
struct Carver {
  float* base = nullptr;
  std::int64_t used = 0;
  float* take(std::int64_t n) {
    float* p = base ? base + used : nullptr;
    used += (n + 15) / 16 * 16;  // keep every buffer 64-byte aligned
    return p;
  }
};

void carve_layer(Carver& cv, LayerTape& t, const nn::ConvLstmCell& cell) {
  const auto& s = cell.shape();
  const std::int64_t state = s.b * s.f * s.h * s.w;
  t.gates = cv.take(t.steps * 4 * state);
  t.c = cv.take((t.steps + 1) * state);
  t.h = cv.take((t.steps + 1) * state);
  t.dh = cv.take((t.steps + 1) * state);
  t.dc = cv.take(2 * state);
  t.dpeep = cv.take(cell.peephole_expanded_size());
}

std::int64_t state_size(const nn::ConvLstmCell& cell) {
  const auto& s = cell.shape();
  return s.b * s.f * s.h * s.w;
}

}  // namespace

Bptt::Bptt(const nn::ModelSpec& spec, std::int64_t batch, std::int64_t t_in, std::int64_t t_out,
           ops::Precision precision, ops::ConvAlgorithm algorithm)
    : spec_(spec),
      b_(batch),
      t_in_(t_in),
      t_out_(t_out),
      state_layout_(spec.blocked_layout() ? ops::Layout::nChw16c : ops::Layout::nchw),
      x_layout_(ops::choose_layout(spec.blocked_layout())),
      y_layout_(x_layout_),
      head_(t_out * batch, batch, spec.filters(), spec.patched_channels(), spec.grid_h(), spec.grid_w(),
            state_layout_, y_layout_, spec.output, precision),
      held_(spec) {
  nn::make_cells(spec, batch, t_in, t_out, x_layout_, state_layout_, precision, algorithm, /*trainable=*/true,
                 enc_cells_, fc_cells_);
  const std::size_t L = spec.layers.size();
  enc_.resize(L);
  fc_.resize(L);
  const std::int64_t hw = spec.grid_h() * spec.grid_w();
  auto carve = [&](Carver& cv) {
    for (std::size_t k = 0; k < L; ++k) {
      enc_[k].steps = t_in;
      fc_[k].steps = t_out;
      carve_layer(cv, enc_[k], enc_cells_[k]);
      carve_layer(cv, fc_[k], fc_cells_[k]);
    }
    const std::int64_t cp = ops::padded_channels(x_layout_, spec.patched_channels());
    x_ = cv.take(t_in * batch * cp * hw);
    if (spec.forecaster_input_channels() > 0)
      xe_ = cv.take(t_out * batch * ops::padded_channels(x_layout_, spec.forecaster_input_channels()) * hw);
    y_ = cv.take(t_out * batch * cp * hw);
    dy_ = cv.take(t_out * batch * cp * hw);
    if (spec.output_filter != nn::OutputFilter::none)
      corr_ = cv.take(batch * t_out * spec.channels * spec.height * spec.width);
  };
  if (precision == ops::Precision::bf16) {
    std::int64_t most = 0;
    for (std::size_t k = 0; k < L; ++k)
      most = std::max(most, std::max(t_in, t_out) * 4 * state_size(enc_cells_[k]));
    dgates_bf16_.resize(static_cast<std::size_t>(most));
  }
  if (held_.active()) {
    std::int64_t most = 0;
    for (std::size_t k = 0; k < L; ++k) most = std::max(most, spec.layers[k].filters);
    held_grad_.resize(static_cast<std::size_t>(most));
  }
  Carver measure;
  carve(measure);
  tape_ = Tensor(Shape{measure.used});
  Carver assign{tape_.data()};
  carve(assign);
}

void Bptt::set_params(const nn::ModelParams& p) {
  for (std::size_t k = 0; k < enc_cells_.size(); ++k) {
    enc_cells_[k].set_params(held_.encoder(p, k));
    fc_cells_[k].set_params(held_.forecaster(p, k));
  }
  head_.set_params(p.head_w.data, held_.head_bias(p));
}

void Bptt::run_layer_forward(nn::ConvLstmCell& cell, LayerTape& tp, const float* x, bool zero_initial_state) {
  const std::int64_t st = state_size(cell);
  cell.forward_input(x, tp.gates);
  for (std::int64_t t = 0; t < tp.steps; ++t) {
    cell.forward_step(tp.h + t * st, zero_initial_state && t == 0, tp.c + t * st, tp.gates + t * 4 * st,
                      tp.c + (t + 1) * st, tp.h + (t + 1) * st);
  }
}

void Bptt::forward(const nn::ModelParams& params, const float* inputs, float* pred,
                   const float* extrapolation, const float* gaps, const float* noise) {
  CONVLSTM_CHECK(extrapolation || !spec_.needs_extrapolation(),
                 "this model (" << spec_.str() << ") needs the extrapolation of every lead");
  CONVLSTM_CHECK(gaps || !spec_.needs_gaps(),
                 "this model (" << spec_.str() << ") needs the extrapolation's gaps");
  CONVLSTM_CHECK(noise || !spec_.stochastic(), "this model (" << spec_.str() << ") needs its noise");
  set_params(params);
  const std::size_t L = enc_.size();
  nn::FrameGeometry in{b_, t_in_, spec_.channels, spec_.height, spec_.width, spec_.patch};
  nn::patch_frames(in, inputs, x_layout_, x_);
  nn::FrameGeometry out{b_, t_out_, spec_.channels, spec_.height, spec_.width, spec_.patch};
  if (xe_ && (spec_.needs_gaps() || spec_.stochastic())) {
    // Forecaster layer 0 reads [E, gaps, noise] per frame (nn/noise.hpp), patched like any frame.
    const std::int64_t fs = spec_.channels * spec_.height * spec_.width;
    const std::int64_t cf = spec_.forecaster_frame_channels(), ffs = cf * spec_.height * spec_.width;
    const std::int64_t ns = spec_.noise.channels * spec_.height * spec_.width;
    eg_.resize(static_cast<std::size_t>(b_ * t_out_ * ffs));
    for (std::int64_t b = 0; b < b_; ++b)
      for (std::int64_t t = 0; t < t_out_; ++t) {
        const std::int64_t i = b * t_out_ + t;
        nn::forecaster_frame(spec_, extrapolation ? extrapolation + i * fs : nullptr,
                             gaps ? gaps + i * fs : nullptr, noise ? noise + b * ns : nullptr,
                             eg_.data() + i * ffs);
      }
    nn::FrameGeometry all = out;
    all.c = cf;
    nn::patch_frames(all, eg_.data(), x_layout_, xe_);
  } else if (xe_) {
    nn::patch_frames(out, extrapolation, x_layout_, xe_);
  }

  for (std::size_t k = 0; k < L; ++k) {
    const std::int64_t st = state_size(enc_cells_[k]);
    std::fill(enc_[k].h, enc_[k].h + st, 0.0f);  // zero initial state
    std::fill(enc_[k].c, enc_[k].c + st, 0.0f);
    const float* x = k == 0 ? x_ : enc_[k - 1].h + state_size(enc_cells_[k - 1]);  // H^{k-1}_{1..T}
    run_layer_forward(enc_cells_[k], enc_[k], x, /*zero_initial_state=*/true);
  }
  for (std::size_t k = 0; k < L; ++k) {
    const std::int64_t st = state_size(fc_cells_[k]);
    std::memcpy(fc_[k].h, enc_[k].h + t_in_ * st,
                sizeof(float) * st);  // start from the encoder's final state
    std::memcpy(fc_[k].c, enc_[k].c + t_in_ * st, sizeof(float) * st);
    const float* x = k == 0 ? xe_ : fc_[k - 1].h + state_size(fc_cells_[k - 1]);
    run_layer_forward(fc_cells_[k], fc_[k], x, /*zero_initial_state=*/false);
  }

  head_.forward(forecaster_outputs(), y_);
  if (corr_) {
    nn::unpatch_frames(out, y_, y_layout_, corr_);
    nn::patch_tent(out, corr_, pred);
  } else {
    nn::unpatch_frames(out, y_, y_layout_, pred);
  }
  tape_recorded_ = true;
  if (spec_.output == nn::OutputActivation::residual)
    ops::add_into(pred, extrapolation, b_ * t_out_ * spec_.channels * spec_.height * spec_.width);
}

void Bptt::run_layer_backward(nn::ConvLstmCell& cell, LayerTape& tp, const float* x, nn::CellParams& grads,
                              float* dx, bool initial_state_needs_grad) {
  const std::int64_t st = state_size(cell);
  // Residual output: the g-gate biases are held at zero, so their gradients stay as they were.
  const std::int64_t f = cell.shape().f;
  float* held_g = held_.active() ? grads.b.data + 2 * f : nullptr;
  if (held_g) std::copy_n(held_g, f, held_grad_.data());
  float* dc_next = tp.dc;       // ∂L/∂C_{t+1}... reaching step t from later steps
  float* dc_prev = tp.dc + st;  // ∂L/∂C_{t-1}, accumulated by step t
  std::uint16_t* lp = dgates_bf16_.empty() ? nullptr : dgates_bf16_.data();
  for (std::int64_t t = tp.steps - 1; t >= 0; --t) {
    const bool need_dh_prev = t > 0 || initial_state_needs_grad;
    float* gates_t = tp.gates + t * 4 * st;
    std::fill(dc_prev, dc_prev + st, 0.0f);
    cell.backward_step(gates_t, tp.c + t * st, tp.c + (t + 1) * st, tp.dh + (t + 1) * st, dc_next,
                       /*dgates_t=*/gates_t, need_dh_prev ? tp.dh + t * st : nullptr, dc_prev, tp.dpeep,
                       lp ? lp + t * 4 * st : nullptr);
    std::swap(dc_next, dc_prev);
  }
  if (dc_next != tp.dc) std::memcpy(tp.dc, dc_next, sizeof(float) * st);  // ∂L/∂C_0 into slot 0
  // Weights from all steps at once: H_{t-1} for t = 0..T-1 is slots 0..T-1 of h, contiguous; the gates now
  // hold their gradients.
  cell.backward_params(x, tp.h, tp.gates, tp.dpeep, grads, dx, lp);
  if (held_g) std::copy_n(held_grad_.data(), f, held_g);
}

void Bptt::backward(const float* dpred, nn::ModelParams& grads) {
  CONVLSTM_CHECK(tape_recorded_, "backward without a forward since the last backward: the tape is consumed");
  tape_recorded_ = false;  // the gates are about to be overwritten by their gradients
  const std::size_t L = enc_.size();
  nn::FrameGeometry out{b_, t_out_, spec_.channels, spec_.height, spec_.width, spec_.patch};
  if (corr_) {  // the tent is its own adjoint
    nn::patch_tent(out, dpred, corr_);
    nn::patch_frames(out, corr_, y_layout_, dy_);
  } else {
    nn::patch_frames(out, dpred, y_layout_, dy_);  // the adjoint of unpatch
  }

  const std::int64_t hw = spec_.grid_h() * spec_.grid_w();
  // Residual: pred = unpatch(y) + extrapolation, so ∂L/∂y is dy as it is; the head's bias is held at zero.
  const bool held = held_.active();
  head_.backward_params(forecaster_outputs(), y_, dy_, grads.head_w.data, held ? nullptr : grads.head_b.data);

  for (std::size_t k = 0; k < L; ++k) {
    for (auto* tp : {&enc_[k], &fc_[k]}) {
      const std::int64_t st = b_ * spec_.layers[k].filters * hw;
      std::fill(tp->dh, tp->dh + (tp->steps + 1) * st, 0.0f);
      std::fill(tp->dc, tp->dc + 2 * st, 0.0f);
      std::fill(tp->dpeep, tp->dpeep + enc_cells_[k].peephole_expanded_size(), 0.0f);
    }
  }
  // Layers run top-down. A layer's input gradient dx is ASSIGNED to the layer below's dH_{1..T} (no scratch,
  // no extra pass), so every other contribution to those slots is added after the layer above has run.
  //
  // Forecaster: layer k's dH_{1..T_out} = dx of layer k+1, plus the head's share.
  for (std::size_t k = L; k-- > 0;) {
    head_.backward_data(k, fc_[k].dh + state_size(fc_cells_[k]));
    const float* x = k == 0 ? xe_ : fc_[k - 1].h + state_size(fc_cells_[k - 1]);
    float* dx = k == 0 ? nullptr : fc_[k - 1].dh + state_size(fc_cells_[k - 1]);  // none for E
    run_layer_backward(fc_cells_[k], fc_[k], x, grads.forecaster[k], dx, /*initial_state_needs_grad=*/true);
  }
  // Encoder: layer k's dH_{1..T_in} = dx of layer k+1; the forecaster started from its final state, so
  // dH_{T_in} and dC_{T_in} also receive the forecaster's initial-state gradients.
  for (std::size_t k = L; k-- > 0;) {
    const std::int64_t st = state_size(enc_cells_[k]);
    ops::add_into(enc_[k].dh + t_in_ * st, fc_[k].dh, st);
    ops::add_into(enc_[k].dc, fc_[k].dc, st);
    const float* x = k == 0 ? x_ : enc_[k - 1].h + state_size(enc_cells_[k - 1]);
    float* dx =
        k == 0 ? nullptr : enc_[k - 1].dh + state_size(enc_cells_[k - 1]);  // no gradient for the frames
    run_layer_backward(enc_cells_[k], enc_[k], x, grads.encoder[k], dx, /*initial_state_needs_grad=*/false);
  }
}

std::vector<const float*> Bptt::forecaster_outputs() const {
  std::vector<const float*> hs;
  for (std::size_t k = 0; k < fc_.size(); ++k) hs.push_back(fc_[k].h + state_size(fc_cells_[k]));  // H_{1..T}
  return hs;
}

double Bptt::forward_flops() const {
  return nn::forward_flops(spec_, b_, t_in_, t_out_);
}

double Bptt::backward_flops() const {
  // Weight gradients for every convolution, data gradients for all but encoder layer 0's input.
  double total = 0.0;
  const std::int64_t h = spec_.grid_h(), w = spec_.grid_w();
  for (std::size_t k = 0; k < enc_cells_.size(); ++k) {
    for (const auto* cell : {&enc_cells_[k], &fc_cells_[k]}) {
      const auto& s = cell->shape();
      const bool enc = cell == &enc_cells_[k];
      const std::int64_t steps = enc ? t_in_ : t_out_;
      const double fx =
          s.has_input() ? ops::Conv2dGeometry{steps * b_, s.c, 4 * s.f, h, w, s.k_x}.flops() : 0.0;
      const double fh = ops::Conv2dGeometry{steps * b_, s.f, 4 * s.f, h, w, s.k_h}.flops();
      total += fx * (k == 0 ? 1.0 : 2.0) + fh * 2.0;  // no data gradient for frames or the extrapolation
    }
  }
  total +=
      2.0 * ops::Conv2dGeometry{t_out_ * b_, spec_.hidden_sum(), spec_.patched_channels(), h, w, 1}.flops();
  return total;
}

}  // namespace convlstm::train
