#include "train/bptt.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "config/config.hpp"
#include "core/error.hpp"
#include "nn/inference.hpp"

#include "support/grad_check.hpp"
#include "support/reference_conv.hpp"
#include "support/skip.hpp"
#include "train/loss.hpp"
#include "train/optimizer.hpp"
#include "train/step.hpp"

namespace convlstm {
namespace {

using nn::ModelSpec;

// (not inlined: inlined into a test body, GCC 12 reports a false -Wmaybe-uninitialized in ModelSpec's default
// layers)
[[gnu::noinline]] ModelSpec small_model(std::vector<nn::LayerSpec> layers, std::int64_t h, std::int64_t w,
                                        nn::Peephole peephole) {
  ModelSpec s;
  s.channels = 1;
  s.height = h;
  s.width = w;
  s.patch = 2;
  s.layers = std::move(layers);
  s.peephole = peephole;
  s.output = nn::OutputActivation::sigmoid;
  return s;
}

struct ModelHarness {
  ModelSpec spec;
  std::int64_t b, t_in, t_out;
  nn::ParameterTable params, grads;
  train::Bptt net;
  std::vector<float> inputs, probe_r, pred, extrapolation;  // extrapolation: for conditioned models
  std::vector<float> gaps;                                  // its gaps (0 or 1), for extrapolation+gaps
  std::vector<float> noise;                                 // a stochastic model's (B, K, H, W), fixed

  ModelHarness(const ModelSpec& s, std::int64_t batch, std::int64_t tin, std::int64_t tout,
               ops::ConvAlgorithm algorithm = ops::ConvAlgorithm::direct)
      : spec(s),
        b(batch),
        t_in(tin),
        t_out(tout),
        params(s),
        grads(s),
        net(s, batch, tin, tout, ops::Precision::fp32, algorithm) {
    Rng rng(31);
    // Weights larger than init_parameters' so that the encoder's parameters, many steps from the output, get
    // gradients well above the fp32 forward's rounding noise; peepholes and biases random so every path
    // carries signal.
    for (auto& v : params.flat()) v = rng.uniform(-0.5f, 0.5f);
    const std::int64_t frame = spec.channels * spec.height * spec.width;
    inputs = test::random_vector(b * t_in * frame, rng, 0.0f, 1.0f);
    probe_r = test::random_vector(b * t_out * frame, rng);
    pred.assign(b * t_out * frame, 0.0f);
    if (spec.needs_extrapolation()) extrapolation = test::random_vector(b * t_out * frame, rng, 0.0f, 1.0f);
    if (spec.needs_gaps()) {
      gaps.resize(extrapolation.size());
      for (auto& g : gaps) g = rng.uniform(0.0f, 1.0f) < 0.1f ? 1.0f : 0.0f;
    }
    if (spec.stochastic()) {
      noise.resize(static_cast<std::size_t>(b * spec.noise.channels * spec.height * spec.width));
      for (auto& v : noise) v = rng.normal(0.0f, 0.5f);  // (N(0, 1) saturates these large random gates)
    }
  }
  const float* noise_or_null() const { return noise.empty() ? nullptr : noise.data(); }
  double probe() {
    net.forward(params.model, inputs.data(), pred.data(),
                extrapolation.empty() ? nullptr : extrapolation.data(), gaps.empty() ? nullptr : gaps.data(),
                noise_or_null());
    return test::dot(pred.data(), probe_r.data(), pred.size());
  }
  void backward(float start) {
    probe();
    grads.flat().fill(start);
    net.backward(probe_r.data(), grads.model);
  }
};

// Every parameter tensor's gradient against five-point central differences (all elements when max_elements
// is 0, else a random sample of that many per tensor).
void check_model_gradients(ModelHarness& m, std::int64_t max_elements = 0, std::uint64_t seed = 0,
                           double eps = 1e-1) {
  m.backward(0.0f);
  Rng rng(seed);
  test::GradCheck r;
  for (std::size_t i = 0; i < m.params.tensors.size(); ++i) {
    auto& p = m.params.tensors[i];
    test::check_tensor(
        r, p.name, p.view.data, p.view.numel(), m.grads.tensors[i].view.data, [&] { return m.probe(); }, eps,
        max_elements, max_elements > 0 ? &rng : nullptr);
  }
  INFO(r.report());
  CHECK(r.max_rel_error() < 1e-3);
}

// `steps` steps of the training step the trainer runs (train/step.hpp) on one fixed batch, every pixel
// observed, mse loss; returns each step's loss.
std::vector<double> step_losses(const ModelSpec& spec, nn::ParameterTable& params, train::Bptt& net,
                                const std::vector<float>& inputs, const std::vector<float>& target,
                                std::int64_t B, std::int64_t T_in, std::int64_t T_out,
                                const config::OptimizerConfig& oc, double lr, int steps) {
  const std::int64_t C = spec.channels, H = spec.height, W = spec.width;
  train::Batch batch{Tensor(Shape{B, T_in, C, H, W}),
                     Tensor(Shape{B, T_out, C, H, W}),
                     Tensor(Shape{B, T_out, C, H, W}),
                     B,
                     Tensor(),
                     Tensor(),
                     Tensor()};
  std::copy(inputs.begin(), inputs.end(), batch.inputs.begin());
  std::copy(target.begin(), target.end(), batch.targets.begin());
  std::fill(batch.mask.begin(), batch.mask.end(), 1.0f);
  train::BatchObjective objective{
      train::parse_objective("mse"), config::Config{}.data.normalize, data::Quantity::intensity, {}, {}};
  train::Optimizer optimizer(oc, spec);
  train::Communicator single;
  train::TrainStep step(net, objective, optimizer, single, std::nullopt);
  nn::ParameterTable grads(spec);
  std::vector<double> losses;
  for (int i = 0; i < steps; ++i) losses.push_back(step.run(params, grads, batch, lr, i).loss);
  return losses;
}

TEST_CASE("encoder-forecaster BPTT matches central differences", "[train][grad]") {
  // 2 layers, T_in = T_out = 3, patch 2; F = 4 and 3 (not multiples of 16: nchw), k_x != k_h.
  const auto mode = GENERATE(nn::Peephole::channel, nn::Peephole::pixel, nn::Peephole::none);
  ModelHarness m(small_model({{4, 3, 5}, {3, 3, 3}}, 6, 10, mode), 2, 3, 3);
  check_model_gradients(m);
}

TEST_CASE("encoder-forecaster BPTT matches central differences in the blocked layout", "[train][grad]") {
  // F = 16: activations in nChw16c; a random sample of each tensor's elements.
  ModelHarness m(small_model({{16, 3, 3}, {16, 1, 3}}, 6, 10, nn::Peephole::channel), 2, 3, 3);
  check_model_gradients(m, /*max_elements=*/40, /*seed=*/8);
}

TEST_CASE("encoder-forecaster BPTT with Winograd convolutions matches central differences", "[train][grad]") {
  ModelHarness m(small_model({{16, 3, 3}, {16, 3, 3}}, 8, 12, nn::Peephole::channel), 2, 3, 3,
                 ops::ConvAlgorithm::winograd);
  check_model_gradients(m, /*max_elements=*/30, /*seed=*/9);
}

ModelSpec conditioned(ModelSpec s, nn::ForecasterInput input, nn::OutputActivation output) {
  s.forecaster_input = input;
  s.output = output;
  return s;
}

TEST_CASE("the advection-conditioned model's BPTT matches central differences", "[train][grad]") {
  // Through forecaster layer 0's new W_x (the extrapolation input) and the residual output, separately and
  // together; the held g-gate and head biases must get exactly zero, analytic and numeric.
  using FI = nn::ForecasterInput;
  using OA = nn::OutputActivation;
  // (sprog, sprog+gaps: the same network reading S-PROG's forecast in place of the extrapolation; the base
  // is an input, so the tape is the same, and the check covers their channel counts and flags.)
  const auto input = GENERATE(FI::none, FI::extrapolation, FI::extrapolation_gaps, FI::sprog, FI::sprog_gaps);
  const auto output = GENERATE(OA::sigmoid, OA::residual);
  if (input == FI::none && output == OA::sigmoid) return;  // the paper's model, checked above
  ModelHarness m(
      conditioned(small_model({{4, 3, 5}, {3, 3, 3}}, 6, 10, nn::Peephole::channel), input, output), 2, 3, 3);
  const bool has_w_x =
      std::any_of(m.params.tensors.begin(), m.params.tensors.end(),
                  [](const nn::NamedTensor& t) { return t.name == "forecaster/layer0/w_x"; });
  REQUIRE(has_w_x == (input != FI::none));
  // W_x reads the patched extrapolation (C p² = 4 channels), and as many more for its gaps.
  if (has_w_x)
    CHECK(m.params.find("forecaster/layer0/w_x").shape == (Shape{4 * 4, m.spec.needs_gaps() ? 8 : 4, 3, 3}));
  // (the gaps drive forecaster layer 0's gates harder: a shorter step keeps the differences' higher-order
  // terms below the tolerance)
  check_model_gradients(m, 0, 0, m.spec.needs_gaps() ? 5e-2 : 1e-1);
}

TEST_CASE("the advection-conditioned model's BPTT matches central differences in the blocked layout",
          "[train][grad]") {
  const auto base = small_model({{16, 3, 3}, {16, 3, 3}}, 8, 12, nn::Peephole::channel);
  for (const auto input : {nn::ForecasterInput::extrapolation, nn::ForecasterInput::extrapolation_gaps,
                           nn::ForecasterInput::sprog_gaps}) {
    INFO(nn::to_string(input));
    ModelHarness m(conditioned(base, input, nn::OutputActivation::residual), 2, 3, 3,
                   ops::ConvAlgorithm::winograd);
    check_model_gradients(m, /*max_elements=*/40, /*seed=*/10);
  }
}

TEST_CASE("forecaster layer 0 reads the extrapolation's gaps through their own weights", "[train]") {
  // Changing the gaps changes the forecast, through the second half of W_x's input channels only.
  ModelHarness m(conditioned(small_model({{4, 3, 3}, {4, 3, 3}}, 6, 10, nn::Peephole::channel),
                             nn::ForecasterInput::extrapolation_gaps, nn::OutputActivation::residual),
                 2, 3, 3);
  m.probe();
  const auto with = m.pred;
  std::fill(m.gaps.begin(), m.gaps.end(), 0.0f);
  m.probe();
  CHECK(m.pred != with);
  auto w_x = m.params.find("forecaster/layer0/w_x");  // (4F, 2 C p², k, k): extrapolation, then gaps
  const std::int64_t oc = w_x.shape.dims[0], ic = w_x.shape.dims[1],
                     kk = w_x.shape.dims[2] * w_x.shape.dims[3];
  REQUIRE(ic == 8);
  for (std::int64_t o = 0; o < oc; ++o)
    for (std::int64_t i = ic / 2; i < ic; ++i) std::fill_n(w_x.data + (o * ic + i) * kk, kk, 0.0f);
  m.probe();
  const auto zero_gap_weights = m.pred;
  for (auto& g : m.gaps) g = 1.0f;
  m.probe();
  CHECK(m.pred == zero_gap_weights);
  CHECK_THROWS_AS(m.net.forward(m.params.model, m.inputs.data(), m.pred.data(), m.extrapolation.data()),
                  Error);
}

TEST_CASE("the residual model's BPTT through the patch tent matches central differences", "[train][grad]") {
  auto spec = conditioned(small_model({{4, 3, 5}, {3, 3, 3}}, 6, 10, nn::Peephole::channel),
                          nn::ForecasterInput::extrapolation, nn::OutputActivation::residual);
  spec.output_filter = nn::OutputFilter::tent;
  ModelHarness m(spec, 2, 3, 3);
  check_model_gradients(m);
  auto wide = conditioned(small_model({{16, 3, 3}, {16, 3, 3}}, 8, 12, nn::Peephole::channel),
                          nn::ForecasterInput::extrapolation, nn::OutputActivation::residual);
  wide.output_filter = nn::OutputFilter::tent;
  wide.patch = 4;
  ModelHarness blocked(wide, 2, 3, 3);
  check_model_gradients(blocked, /*max_elements=*/40, /*seed=*/11);
}

TEST_CASE("a residual model with a zero head forecasts the extrapolation exactly", "[train]") {
  ModelHarness m(conditioned(small_model({{4, 3, 3}, {4, 3, 3}}, 6, 10, nn::Peephole::channel),
                             nn::ForecasterInput::extrapolation, nn::OutputActivation::residual),
                 2, 3, 4);
  m.params.model.head_w.zero();
  m.probe();
  CHECK(m.pred == m.extrapolation);
}

TEST_CASE("a residual model forecasts a dry input as exactly dry at every lead", "[train]") {
  // Random weights and biases, forget and output biases included: with the g-gate and head biases held at
  // zero, all-zero inputs and extrapolation leave every state at zero, so no drizzle veil can appear.
  // (A dry input has no motion, so its extrapolation has no gaps either.)
  const auto base = small_model({{16, 3, 3}, {16, 3, 3}}, 8, 12, nn::Peephole::channel);
  for (const auto input : {nn::ForecasterInput::extrapolation, nn::ForecasterInput::extrapolation_gaps}) {
    ModelHarness m(conditioned(base, input, nn::OutputActivation::residual), 2, 3, 4);
    std::fill(m.inputs.begin(), m.inputs.end(), 0.0f);
    std::fill(m.extrapolation.begin(), m.extrapolation.end(), 0.0f);
    std::fill(m.gaps.begin(), m.gaps.end(), 0.0f);
    m.probe();
    const auto worst = std::max_element(m.pred.begin(), m.pred.end(),
                                        [](float a, float c) { return std::abs(a) < std::abs(c); });
    INFO(nn::to_string(input) << ": largest |forecast| " << *worst << " at element "
                              << (worst - m.pred.begin()) << " of " << m.pred.size());
    CHECK(std::all_of(m.pred.begin(), m.pred.end(), [](float v) { return v == 0.0f; }));
  }
  // The paper's model does not have this property: its biases alone make a forecast.
  ModelHarness paper(base, 2, 3, 4);
  std::fill(paper.inputs.begin(), paper.inputs.end(), 0.0f);
  paper.probe();
  CHECK(*std::max_element(paper.pred.begin(), paper.pred.end()) > 0.01f);
}

TEST_CASE("a second backward without a forward throws instead of giving wrong gradients", "[train]") {
  ModelHarness m(small_model({{4, 3, 3}}, 6, 10, nn::Peephole::channel), 1, 2, 2);
  m.backward(0.0f);
  CHECK_FALSE(m.net.tape_recorded());
  CHECK_THROWS_AS(m.net.backward(m.probe_r.data(), m.grads.model), Error);
  m.probe();
  CHECK(m.net.tape_recorded());
  CHECK_NOTHROW(m.net.backward(m.probe_r.data(), m.grads.model));
  // The head's backward-data needs its backward-params of the same forward.
  nn::OutputHead head(2, 1, {4}, 4, 3, 5, ops::Layout::nchw, ops::Layout::nchw,
                      nn::OutputActivation::identity);
  std::vector<float> w(16, 0.1f), b(4, 0.0f), h(2 * 4 * 15, 0.5f), y(2 * 4 * 15), dy(y.size(), 1.0f),
      dh(h.size(), 0.0f), dw(16, 0.0f), db(4, 0.0f);
  head.set_params(w.data(), b.data());
  head.forward({h.data()}, y.data());
  CHECK_THROWS_AS(head.backward_data(0, dh.data()), Error);
  head.backward_params({h.data()}, y.data(), dy.data(), dw.data(), db.data());
  CHECK_NOTHROW(head.backward_data(0, dh.data()));
}

TEST_CASE("forward refuses a conditioned model without its extrapolation", "[train]") {
  ModelHarness m(conditioned(small_model({{4, 3, 3}}, 6, 10, nn::Peephole::channel),
                             nn::ForecasterInput::extrapolation, nn::OutputActivation::sigmoid),
                 1, 2, 2);
  CHECK_THROWS_AS(m.net.forward(m.params.model, m.inputs.data(), m.pred.data()), Error);
}

TEST_CASE("encoder-forecaster backward accumulates into the gradient arena", "[train][grad]") {
  ModelHarness m(small_model({{4, 3, 3}, {4, 3, 3}}, 6, 10, nn::Peephole::channel), 2, 3, 2);
  m.backward(0.0f);
  const std::vector<float> fresh(m.grads.flat().begin(), m.grads.flat().end());
  m.backward(0.25f);
  for (std::size_t i = 0; i < fresh.size(); ++i)
    REQUIRE(m.grads.flat()[i] == Approx(fresh[i] + 0.25f).margin(1e-6));
  // Run twice with the same parameters: the tape is reset, nothing leaks between passes.
  m.backward(0.0f);
  for (std::size_t i = 0; i < fresh.size(); ++i) REQUIRE(m.grads.flat()[i] == Approx(fresh[i]).margin(1e-6));
}

TEST_CASE("the encoder-forecaster overfits one tiny batch with plain SGD", "[train]") {
  // A bright square moving one pixel right per frame: predictable only by carrying state through time.
  ModelSpec spec = small_model({{8, 3, 3}}, 8, 8, nn::Peephole::channel);
  const std::int64_t B = 2, T_in = 3, T_out = 3, T = T_in + T_out, HW = 64;
  std::vector<float> seq(B * T * HW, 0.0f);
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t t = 0; t < T; ++t)
      for (std::int64_t y = 2 + b; y < 4 + b; ++y)
        for (std::int64_t x = t; x < t + 2; ++x) seq[(b * T + t) * HW + y * 8 + x] = 1.0f;
  std::vector<float> inputs(B * T_in * HW), target(B * T_out * HW);
  for (std::int64_t b = 0; b < B; ++b) {
    std::copy_n(&seq[b * T * HW], T_in * HW, &inputs[b * T_in * HW]);
    std::copy_n(&seq[(b * T + T_in) * HW], T_out * HW, &target[b * T_out * HW]);
  }
  nn::ParameterTable params(spec);
  Rng rng(1);
  nn::init_parameters(spec, params, rng);
  train::Bptt net(spec, B, T_in, T_out);
  config::OptimizerConfig plain;
  plain.kind = "sgd";
  plain.momentum = 0.0;
  const auto losses = step_losses(spec, params, net, inputs, target, B, T_in, T_out, plain, 10.0, 200);
  // (the loss before the last update, as the loop reports it)
  const double first = losses.front(), last = losses.back();
  INFO("loss " << first << " -> " << last);
  CHECK(last < first / 10.0);
}

}  // namespace
}  // namespace convlstm

namespace convlstm {
namespace {

// Losses of `steps` Adam steps on a moving square, from the same initial weights, in the given precision.
std::vector<double> moving_square_losses(ops::Precision precision, int steps) {
  ModelSpec spec = small_model({{16, 3, 3}, {16, 3, 3}}, 16, 16, nn::Peephole::channel);  // blocked layout
  const std::int64_t B = 2, T_in = 4, T_out = 4, T = T_in + T_out, W = 16, HW = W * W;
  std::vector<float> inputs(B * T_in * HW, 0.0f), target(B * T_out * HW, 0.0f);
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t t = 0; t < T; ++t)
      for (std::int64_t y = 3 + 2 * b; y < 7 + 2 * b; ++y)
        for (std::int64_t x = t; x < t + 4; ++x) {
          float* frame = t < T_in ? &inputs[(b * T_in + t) * HW] : &target[(b * T_out + t - T_in) * HW];
          frame[y * W + x] = 1.0f;
        }
  nn::ParameterTable params(spec);
  Rng rng(5);
  nn::init_parameters(spec, params, rng);
  train::Bptt net(spec, B, T_in, T_out, precision);
  config::OptimizerConfig adam;
  adam.kind = "adam";
  return step_losses(spec, params, net, inputs, target, B, T_in, T_out, adam, 0.01, steps);
}

TEST_CASE("bf16 gradients stay within bf16 rounding of the fp32 ones", "[train][bf16]") {
  if (!ops::bf16_supported()) {
    CONVLSTM_SKIP("bf16", "this CPU has no AVX512-BF16 (" << ops::cpu_isa_name() << ")");
  }
  const ModelSpec spec = small_model({{16, 3, 3}, {16, 5, 3}}, 16, 16, nn::Peephole::channel);
  const std::int64_t B = 2, T_in = 3, T_out = 3, frame = 16 * 16;
  nn::ParameterTable params(spec), g32(spec), g16(spec);
  Rng rng(21);
  nn::init_parameters(spec, params, rng);
  const auto inputs = test::random_vector(B * T_in * frame, rng, 0.0f, 1.0f);
  const auto dpred = test::random_vector(B * T_out * frame, rng);
  std::vector<float> pred(dpred.size());
  train::Bptt fp32(spec, B, T_in, T_out), bf16(spec, B, T_in, T_out, ops::Precision::bf16);
  for (auto* run : {&fp32, &bf16}) {
    auto& g = run == &fp32 ? g32 : g16;
    run->forward(params.model, inputs.data(), pred.data());
    g.zero();
    run->backward(dpred.data(), g.model);
  }
  for (std::size_t i = 0; i < g32.tensors.size(); ++i) {
    const auto& a = g32.tensors[i].view;
    const auto& b = g16.tensors[i].view;
    double diff = 0.0, norm = 0.0;
    for (std::int64_t e = 0; e < a.numel(); ++e) {
      diff += (double(a.data[e]) - b.data[e]) * (double(a.data[e]) - b.data[e]);
      norm += double(a.data[e]) * a.data[e];
    }
    INFO(g32.tensors[i].name << ": |bf16 - fp32| / |fp32| = " << std::sqrt(diff / norm));
    CHECK(std::sqrt(diff / std::max(norm, 1e-30)) < 0.03);
  }
}

TEST_CASE("a bf16 run's loss curve tracks the fp32 run's", "[train][bf16]") {
  if (!ops::bf16_supported()) {
    CONVLSTM_SKIP("bf16", "this CPU has no AVX512-BF16 (" << ops::cpu_isa_name() << ")");
  }
  const int steps = 60;
  const auto fp32 = moving_square_losses(ops::Precision::fp32, steps);
  const auto bf16 = moving_square_losses(ops::Precision::bf16, steps);
  CHECK(fp32.back() < 0.3 * fp32.front());  // the problem is learnable...
  CHECK(bf16.back() < 0.3 * bf16.front());  // ...in both precisions
  CHECK(bf16 != fp32);                      // and bf16 really ran in lower precision
  for (int s = 0; s < steps; ++s) {
    INFO("step " << s << ": fp32 " << fp32[s] << ", bf16 " << bf16[s]);
    CHECK(std::abs(bf16[s] - fp32[s]) <= 0.05 * fp32[s] + 1e-4);
  }
}

// The inference pass (nn/inference.hpp) runs the same network step by step without the tape: its forecast
// must be the tape's, for every kind of model, layout and convolution algorithm.
void check_inference_equals_tape(const ModelSpec& spec, std::int64_t b, std::int64_t t_in, std::int64_t t_out,
                                 ops::ConvAlgorithm algorithm = ops::ConvAlgorithm::direct) {
  ModelHarness m(spec, b, t_in, t_out, algorithm);
  m.probe();
  nn::Inference inference(spec, b, t_in, t_out, algorithm);
  std::vector<float> pred(m.pred.size(), -1.0f);
  inference.forward(m.params.model, m.inputs.data(), pred.data(),
                    m.extrapolation.empty() ? nullptr : m.extrapolation.data(),
                    m.gaps.empty() ? nullptr : m.gaps.data(), m.noise_or_null());
  double worst = 0.0;
  for (std::size_t i = 0; i < pred.size(); ++i)
    worst = std::max(worst, double(std::abs(pred[i] - m.pred[i])));
  INFO(spec.str() << ", " << nn::to_string(spec.forecaster_input) << ", " << nn::to_string(spec.output)
                  << ": largest difference " << worst);
  CHECK(pred == m.pred);
  CHECK(inference.scratch_floats() < m.net.tape_floats());
}

TEST_CASE("the inference pass forecasts exactly what the training tape's forward does", "[train][nn]") {
  const auto plain = small_model({{4, 3, 3}, {4, 5, 3}}, 6, 10, nn::Peephole::channel);
  check_inference_equals_tape(plain, 2, 3, 4);
  auto identity = small_model({{4, 3, 3}}, 6, 10, nn::Peephole::pixel);
  identity.output = nn::OutputActivation::identity;
  check_inference_equals_tape(identity, 1, 2, 3);
  check_inference_equals_tape(small_model({{4, 3, 3}}, 6, 10, nn::Peephole::none), 3, 4, 2);
  const auto blocked = small_model({{16, 3, 3}, {16, 3, 3}}, 8, 12, nn::Peephole::channel);
  check_inference_equals_tape(blocked, 2, 3, 4);
  check_inference_equals_tape(blocked, 2, 3, 4, ops::ConvAlgorithm::winograd);
  for (const auto input : {nn::ForecasterInput::extrapolation, nn::ForecasterInput::extrapolation_gaps}) {
    check_inference_equals_tape(conditioned(plain, input, nn::OutputActivation::residual), 2, 3, 4);
    check_inference_equals_tape(conditioned(blocked, input, nn::OutputActivation::residual), 2, 3, 4,
                                ops::ConvAlgorithm::winograd);
    auto tent = conditioned(blocked, input, nn::OutputActivation::residual);
    tent.output_filter = nn::OutputFilter::tent;
    check_inference_equals_tape(tent, 2, 3, 4);
  }
  for (const auto input : {nn::ForecasterInput::none, nn::ForecasterInput::sprog_gaps}) {
    auto noisy = conditioned(plain, input, nn::OutputActivation::residual);
    noisy.noise = {2, 3};
    check_inference_equals_tape(noisy, 2, 3, 4);
    auto noisy_blocked = conditioned(blocked, input, nn::OutputActivation::residual);
    noisy_blocked.noise = {1, 4};
    check_inference_equals_tape(noisy_blocked, 2, 3, 4, ops::ConvAlgorithm::winograd);
  }
}

ModelSpec stochastic(ModelSpec s, nn::ForecasterInput input, std::int64_t channels, std::int64_t scale) {
  s = conditioned(std::move(s), input, nn::OutputActivation::residual);
  s.noise = {channels, scale};
  return s;
}

TEST_CASE("the stochastic model's BPTT matches central differences for a fixed noise draw", "[train][grad]") {
  // The noise planes enter forecaster layer 0 after the base nowcast and its gaps, through the same W_x: K p²
  // more input channels, with or without a base the layer reads.
  using FI = nn::ForecasterInput;
  const auto input = GENERATE(FI::none, FI::extrapolation, FI::sprog_gaps);
  ModelHarness m(stochastic(small_model({{4, 3, 5}, {3, 3, 3}}, 6, 10, nn::Peephole::channel), input, 2, 3),
                 2, 3, 3);
  const std::int64_t base_channels = input == FI::none ? 0 : (m.spec.needs_gaps() ? 8 : 4);
  CHECK(m.params.find("forecaster/layer0/w_x").shape == (Shape{16, base_channels + 2 * 4, 3, 3}));
  // (the noise drives forecaster layer 0's gates harder still: a shorter step, as for the gaps)
  check_model_gradients(m, 0, 0, 3e-2);
}

TEST_CASE("the stochastic model's BPTT matches central differences in the blocked layout", "[train][grad]") {
  ModelHarness m(stochastic(small_model({{16, 3, 3}, {16, 3, 3}}, 8, 12, nn::Peephole::channel),
                            nn::ForecasterInput::sprog, 2, 4),
                 2, 3, 3, ops::ConvAlgorithm::winograd);
  check_model_gradients(m, /*max_elements=*/40, /*seed=*/11, 3e-2);
}

TEST_CASE("a stochastic model's members differ by their noise alone, and a zero head gives the base",
          "[train]") {
  auto spec =
      stochastic(small_model({{4, 3, 3}}, 6, 10, nn::Peephole::channel), nn::ForecasterInput::sprog, 1, 3);
  ModelHarness m(spec, 2, 3, 3);
  // Two rows with the same inputs and base but other noise: other forecasts.
  const std::int64_t in = m.t_in * 60, out = m.t_out * 60;
  std::copy_n(m.inputs.begin(), in, m.inputs.begin() + in);
  std::copy_n(m.extrapolation.begin(), out, m.extrapolation.begin() + out);
  m.probe();
  CHECK(!std::equal(m.pred.begin(), m.pred.begin() + out, m.pred.begin() + out));
  // The same noise too: the same forecast.
  std::copy_n(m.noise.begin(), 60, m.noise.begin() + 60);
  m.probe();
  CHECK(std::equal(m.pred.begin(), m.pred.begin() + out, m.pred.begin() + out));
  // A head of zeros: every member is the base nowcast, whatever its noise.
  std::fill(m.params.model.head_w.begin(), m.params.model.head_w.end(), 0.0f);
  for (auto& v : m.noise) v *= 5.0f;
  m.probe();
  CHECK(m.pred == m.extrapolation);
}

}  // namespace
}  // namespace convlstm
