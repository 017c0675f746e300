#include "nn/conv_lstm_cell.hpp"

#include "core/error.hpp"

namespace convlstm::nn {

namespace {

// Winograd convolutions run in per-step slices of the time-stacked batch (their scratch grows with the
// batch); direct ones run the whole stack in one call.
std::int64_t max_batch_for(const CellShape& s, std::int64_t k, ops::Layout in, ops::Layout out) {
  const bool winograd = s.algorithm == ops::ConvAlgorithm::winograd && k == 3 &&
                        s.precision == ops::Precision::fp32 && in == ops::Layout::nChw16c &&
                        out == ops::Layout::nChw16c;
  return winograd ? s.b : 0;
}

ops::Conv2d make_conv_h(const CellShape& s, std::int64_t n, ops::Layout layout, bool for_weight_grads,
                        bool trainable) {
  ops::Conv2dOptions o;
  // Without input, W_h's convolution carries the bias and writes the pre-activation; with input it adds onto
  // W_x * X + b, which forward_input wrote.
  o.bias = !s.has_input();
  o.accumulate = s.has_input();
  o.backward_data = !for_weight_grads && trainable;
  o.backward_weights = for_weight_grads;
  o.precision = s.precision;
  o.algorithm = s.algorithm;
  o.max_batch = max_batch_for(s, s.k_h, layout, layout);
  return ops::Conv2d({n, s.f, 4 * s.f, s.h, s.w, s.k_h}, layout, layout, o);
}

}  // namespace

CellShape cell_shape(const ModelSpec& spec, std::size_t k, bool forecaster, std::int64_t batch,
                     ops::Precision precision, ops::ConvAlgorithm algorithm) {
  const auto& l = spec.layers[k];
  CellShape s;
  s.b = batch;
  s.c = k > 0        ? spec.layers[k - 1].filters
        : forecaster ? spec.forecaster_input_channels()
                     : spec.patched_channels();
  s.f = l.filters;
  s.h = spec.grid_h();
  s.w = spec.grid_w();
  s.k_x = l.k_x;
  s.k_h = l.k_h;
  s.peephole = spec.peephole;
  s.precision = precision;
  s.algorithm = algorithm;
  return s;
}

void make_cells(const ModelSpec& spec, std::int64_t batch, std::int64_t enc_steps, std::int64_t fc_steps,
                ops::Layout x_layout, ops::Layout state_layout, ops::Precision precision,
                ops::ConvAlgorithm algorithm, bool trainable, std::vector<ConvLstmCell>& encoder,
                std::vector<ConvLstmCell>& forecaster) {
  spec.validate();
  CONVLSTM_CHECK(batch > 0 && enc_steps > 0 && fc_steps > 0,
                 "batch " << batch << ", steps " << enc_steps << " and " << fc_steps);
  for (std::size_t k = 0; k < spec.layers.size(); ++k) {
    const ops::Layout in = k == 0 ? x_layout : state_layout;
    encoder.emplace_back(cell_shape(spec, k, false, batch, precision, algorithm), enc_steps, in, state_layout,
                         trainable);
    forecaster.emplace_back(cell_shape(spec, k, true, batch, precision, algorithm), fc_steps, in,
                            state_layout, trainable);
  }
}

ConvLstmCell::ConvLstmCell(const CellShape& shape, std::int64_t steps, ops::Layout x_layout,
                           ops::Layout state_layout, bool trainable)
    : s_(shape),
      steps_(steps),
      state_layout_(state_layout),
      conv_h_(make_conv_h(shape, shape.b, state_layout, false, trainable)),
      peep_(Shape{3 * shape.f * shape.h * shape.w}) {
  if (trainable) conv_h_grad_.emplace(make_conv_h(shape, steps * shape.b, state_layout, true, true));
  CONVLSTM_CHECK(state_layout == ops::Layout::nchw || shape.f % ops::kChannelBlock == 0,
                 "nChw16c states need F a multiple of 16, got F=" << shape.f);
  if (s_.has_input()) {
    ops::Conv2dOptions o;
    o.bias = true;
    o.backward_data = trainable;
    o.backward_weights = trainable;
    o.backward_data_accumulates = false;  // dx is assigned (see backward_params)
    o.precision = s_.precision;
    o.algorithm = s_.algorithm;
    o.max_batch = max_batch_for(s_, s_.k_x, x_layout, state_layout);
    conv_x_.emplace(ops::Conv2dGeometry{steps * s_.b, s_.c, 4 * s_.f, s_.h, s_.w, s_.k_x}, x_layout,
                    state_layout, o);
  }
}

std::string ConvLstmCell::kernels() const {
  std::string out = "W_h: " + conv_h_.kernels();
  if (conv_h_grad_) out += "; dW_h: " + conv_h_grad_->kernels();
  if (conv_x_) out += "; W_x: " + conv_x_->kernels();
  return out;
}

std::int64_t ConvLstmCell::peephole_expanded_size() const {
  return s_.peephole == Peephole::none ? 0 : 3 * s_.f * s_.h * s_.w;
}

void ConvLstmCell::set_params(const CellParams& p) {
  CONVLSTM_CHECK(p.w_h.shape == (Shape{4 * s_.f, s_.f, s_.k_h, s_.k_h}),
                 "w_h " << p.w_h.shape << " does not fit the cell");
  conv_h_.set_weights(p.w_h.data);
  if (conv_x_) {
    CONVLSTM_CHECK(p.w_x.shape == (Shape{4 * s_.f, s_.c, s_.k_x, s_.k_x}),
                   "w_x " << p.w_x.shape << " does not fit the cell");
    conv_x_->set_weights(p.w_x.data);
  }
  if (s_.peephole != Peephole::none) {
    CONVLSTM_CHECK(p.w_c.numel() == 3 * ops::peephole_size(s_.peephole, s_.f, s_.h * s_.w),
                   "w_c " << p.w_c.shape << " does not fit the cell");
    ops::expand_peepholes(s_.peephole, p.w_c.data, s_.f, s_.h * s_.w, state_layout_, peep_.data());
  }
  bias_ = p.b.data;
}

void ConvLstmCell::forward_input(const float* x, float* gates) {
  if (conv_x_) conv_x_->forward(x, bias_, gates);
}

void ConvLstmCell::forward_step(const float* h_prev, bool h_prev_zero, const float* c_prev, float* gates_t,
                                float* c, float* h) {
  CONVLSTM_CHECK(!(h_prev_zero && !s_.has_input()), "a cell without input must run W_h * H_{t-1}");
  if (!h_prev_zero) conv_h_.forward(h_prev, s_.has_input() ? nullptr : bias_, gates_t);
  const float* peep = s_.peephole == Peephole::none ? nullptr : peep_.data();
  ops::lstm_gates_forward(gate_geometry(), peep, gates_t, c_prev, c, h);
}

void ConvLstmCell::backward_step(const float* gates_t, const float* c_prev, const float* c, const float* dh,
                                 const float* dc, float* dgates_t, float* dh_prev, float* dc_prev,
                                 float* dpeep, std::uint16_t* dgates_t_bf16) {
  const float* peep = s_.peephole == Peephole::none ? nullptr : peep_.data();
  ops::lstm_gates_backward(gate_geometry(), peep, gates_t, c_prev, c, dh, dc, dgates_t, dc_prev, dpeep);
  if (dgates_t_bf16 && s_.precision == ops::Precision::bf16) {
    ops::round_to_bf16(dgates_t, dgates_t_bf16, 4 * s_.b * s_.f * s_.h * s_.w);
    if (dh_prev) conv_h_.backward_data(dgates_t_bf16, dh_prev);
  } else if (dh_prev) {
    conv_h_.backward_data(dgates_t, dh_prev);
  }
}

void ConvLstmCell::backward_params(const float* x, const float* h_prevs, const float* dgates,
                                   const float* dpeep, CellParams& grads, float* dx,
                                   const std::uint16_t* dgates_bf16) {
  // Every pass reads the same gate gradients: in bf16 the copy backward_step rounded, else the fp32 ones.
  auto weights = [&](ops::Conv2d& conv, const float* src, float* dw, float* db) {
    if (dgates_bf16)
      conv.backward_weights(src, dgates_bf16, dw, db);
    else
      conv.backward_weights(src, dgates, dw, db);
  };
  if (conv_x_) {
    weights(*conv_x_, x, grads.w_x.data, grads.b.data);
    if (dx && dgates_bf16)
      conv_x_->backward_data(dgates_bf16, dx);
    else if (dx)
      conv_x_->backward_data(dgates, dx);
    weights(*conv_h_grad_, h_prevs, grads.w_h.data, nullptr);
  } else {
    weights(*conv_h_grad_, h_prevs, grads.w_h.data, grads.b.data);
  }
  if (s_.peephole != Peephole::none)
    ops::reduce_peephole_grads(s_.peephole, dpeep, s_.f, s_.h * s_.w, state_layout_, grads.w_c.data);
}

}  // namespace convlstm::nn
