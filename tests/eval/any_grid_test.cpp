// A checkpoint forecasts any grid (eval/forecaster.hpp): the network on a large grid equals the same network
// on a crop of it away from the crop's border, padding for a grid the patch does not divide does not reach
// the unpadded forecast, and pixel peepholes, tied to their grid, are refused elsewhere.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "checkpoint/checkpoint.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "data/dataset.hpp"
#include "data/h5.hpp"
#include "data/synth_radar.hpp"
#include "eval/forecaster.hpp"
#include "eval/predict.hpp"
#include "nn/parameters.hpp"
#include "support/temp_dir.hpp"
#include "train/bptt.hpp"

namespace convlstm {
namespace {

constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::min() / 4;  // depends on no input

// How far (in patched cells) a forecast cell can see: each step of a layer widens what its state depends on
// by the W_h radius from its own last state and by the W_x radius from the layer below (or the inputs);
// the forecaster starts from the encoder's states; the head is 1x1 and the residual pointwise.
std::int64_t receptive_radius(const nn::ModelSpec& s, std::int64_t t_in, std::int64_t t_out) {
  const std::size_t L = s.layers.size();
  std::vector<std::int64_t> r(L, kNone);
  auto step = [&](std::int64_t input_radius) {
    std::int64_t below = input_radius;
    for (std::size_t l = 0; l < L; ++l) {
      const std::int64_t rx = (s.layers[l].k_x - 1) / 2, rh = (s.layers[l].k_h - 1) / 2;
      const std::int64_t from_x = below == kNone ? kNone : below + rx;
      const std::int64_t from_h = r[l] == kNone ? kNone : r[l] + rh;
      r[l] = std::max(from_x, from_h);
      below = r[l];
    }
  };
  for (std::int64_t t = 0; t < t_in; ++t) step(0);
  std::int64_t out = 0;
  for (std::int64_t t = 0; t < t_out; ++t) {
    step(s.needs_extrapolation() ? 0 : kNone);
    for (auto v : r) out = std::max(out, v);
  }
  return out;
}

nn::ModelSpec spec_of(std::int64_t h, std::int64_t w, nn::ForecasterInput input,
                      nn::OutputActivation output) {
  nn::ModelSpec s;
  s.channels = 1;
  s.height = h;
  s.width = w;
  s.patch = 2;
  s.layers = {{8, 3, 3}, {8, 3, 3}};
  s.peephole = nn::Peephole::channel;
  s.forecaster_input = input;
  s.output = output;
  return s;
}

void randomise(nn::ParameterTable& p, std::uint64_t seed) {
  Rng rng(seed);
  for (auto& v : p.flat()) v = rng.uniform(-0.4f, 0.4f);
}

// planes of (h, w) -> the (y0, x0, ch, cw) region of each
std::vector<float> crop_of(const std::vector<float>& v, std::int64_t planes, std::int64_t h, std::int64_t w,
                           std::int64_t y0, std::int64_t x0, std::int64_t ch, std::int64_t cw) {
  std::vector<float> out(static_cast<std::size_t>(planes * ch * cw));
  for (std::int64_t p = 0; p < planes; ++p)
    for (std::int64_t y = 0; y < ch; ++y)
      for (std::int64_t x = 0; x < cw; ++x) out[(p * ch + y) * cw + x] = v[(p * h + y0 + y) * w + x0 + x];
  return out;
}

TEST_CASE("the model on a large grid equals the model on a crop of it beyond the receptive field", "[eval]") {
  using FI = nn::ForecasterInput;
  using OA = nn::OutputActivation;
  const auto kind = GENERATE(0, 1);  // the paper's model; the advection-conditioned residual model
  const FI input = kind ? FI::extrapolation : FI::none;
  const OA output = kind ? OA::residual : OA::sigmoid;
  const std::int64_t t_in = 2, t_out = 2, H = 64, W = 60, y0 = 12, x0 = 10, ch = 40, cw = 40;
  const auto big = spec_of(H, W, input, output), small = spec_of(ch, cw, input, output);
  nn::ParameterTable params(big);
  randomise(params, 3);
  Rng rng(5);
  std::vector<float> in(static_cast<std::size_t>(t_in * H * W)), ex(static_cast<std::size_t>(t_out * H * W));
  for (auto& v : in) v = rng.uniform(0.0f, 1.0f);
  for (auto& v : ex) v = rng.uniform(0.0f, 1.0f);
  std::vector<float> pred_big(ex.size()), pred_small(static_cast<std::size_t>(t_out * ch * cw));
  train::Bptt net_big(big, 1, t_in, t_out), net_small(small, 1, t_in, t_out);
  net_big.forward(params.model, in.data(), pred_big.data(), ex.data());
  const auto in_crop = crop_of(in, t_in, H, W, y0, x0, ch, cw),
             ex_crop = crop_of(ex, t_out, H, W, y0, x0, ch, cw);
  net_small.forward(params.model, in_crop.data(), pred_small.data(), ex_crop.data());

  const std::int64_t r = receptive_radius(big, t_in, t_out);
  CHECK(r == 5);  // 2 + 2 steps of two 3x3 layers: worked out by hand in the comment above
  const std::int64_t margin = (r + 1) * big.patch;  // in pixels: a patched cell spans `patch` of them
  const auto cropped_big = crop_of(pred_big, t_out, H, W, y0, x0, ch, cw);
  double inner = 0.0, border = 0.0;
  for (std::int64_t t = 0; t < t_out; ++t)
    for (std::int64_t y = 0; y < ch; ++y)
      for (std::int64_t x = 0; x < cw; ++x) {
        const std::int64_t i = (t * ch + y) * cw + x;
        const double d = std::abs(cropped_big[i] - pred_small[i]);
        const bool interior = y >= margin && y < ch - margin && x >= margin && x < cw - margin;
        (interior ? inner : border) = std::max(interior ? inner : border, d);
      }
  CHECK(inner < 1e-5);
  // The border does see the crop's edge (zero padding there): the test would notice a wrong margin.
  CHECK(border > 1e-3);
}

// A checkpoint of random parameters for `spec` (patch 4), trained on synthetic rain rates.
std::string random_checkpoint(const test::TempDir& dir, nn::Peephole peephole, std::int64_t grid) {
  const auto cfg = config::parse_config(
      "", "any-grid",
      {"data.t_in=2", "data.t_out=2", "data.normalize.kind=log", "model.patch=4",
       "model.layers=[{filters: 8, k: 3}]", std::string("model.peephole=") + nn::to_string(peephole)});
  const auto spec = config::model_spec(cfg, 1, grid, grid);
  nn::ParameterTable params(spec);
  randomise(params, 11);
  checkpoint::CheckpointInfo info;
  info.config_yaml = config::to_yaml(cfg);
  info.frame_height = info.frame_width = grid;
  info.data.quantity = data::Quantity::rain_rate;
  info.data.units = "mm/h";
  const std::string path = dir.file(std::string("ckpt_") + nn::to_string(peephole) + ".h5");
  checkpoint::write_checkpoint(path, info, params, nullptr);
  return path;
}

TEST_CASE("padding a grid the patch does not divide leaves the unpadded forecast independent of it",
          "[eval]") {
  test::TempDir dir;
  const auto ckpt = random_checkpoint(dir, nn::Peephole::channel, 16);
  const std::int64_t t_in = 2, t_out = 2, h = 18, w = 21, ph = 20, pw = 24;
  Rng rng(2);
  std::vector<float> in(static_cast<std::size_t>(t_in * h * w)), mask(in.size(), 1.0f);
  for (auto& v : in) v = rng.uniform(0.0f, 1.0f) < 0.3f ? rng.uniform(0.0f, 20.0f) : 0.0f;
  eval::Forecaster model(ckpt, 1);
  model.set_grid(h, w, "test frames");
  CHECK(model.padded_height() == ph);
  CHECK(model.padded_width() == pw);
  std::vector<float> pred(static_cast<std::size_t>(t_out * h * w));
  model.forecast(in.data(), mask.data(), pred.data());
  CHECK(std::all_of(pred.begin(), pred.end(), [](float v) { return std::isfinite(v); }));

  // The same frames inside a grid the patch divides, with anything under unobserved pixels around them.
  std::vector<float> big_in(static_cast<std::size_t>(t_in * ph * pw)), big_mask(big_in.size(), 0.0f);
  for (auto& v : big_in) v = rng.uniform(0.0f, 100.0f);
  for (std::int64_t t = 0; t < t_in; ++t)
    for (std::int64_t y = 0; y < h; ++y)
      for (std::int64_t x = 0; x < w; ++x) {
        big_in[(t * ph + y) * pw + x] = in[(t * h + y) * w + x];
        big_mask[(t * ph + y) * pw + x] = 1.0f;
      }
  model.set_grid(ph, pw, "padded test frames");
  std::vector<float> big_pred(static_cast<std::size_t>(t_out * ph * pw));
  model.forecast(big_in.data(), big_mask.data(), big_pred.data());
  double d = 0.0;
  for (std::int64_t t = 0; t < t_out; ++t)
    for (std::int64_t y = 0; y < h; ++y)
      for (std::int64_t x = 0; x < w; ++x)
        d = std::max<double>(d, std::abs(big_pred[(t * ph + y) * pw + x] - pred[(t * h + y) * w + x]));
  CHECK(d < 1e-4);  // mm/h
}

TEST_CASE("pixel peepholes forecast their training grid and are refused on another, by name", "[eval]") {
  test::TempDir dir;
  const auto ckpt = random_checkpoint(dir, nn::Peephole::pixel, 16);
  eval::Forecaster model(ckpt, 1);
  CHECK_NOTHROW(model.set_grid(16, 16, "frames.h5"));
  CHECK_THROWS_AS(model.set_grid(32, 16, "frames.h5"), DataError);
  CHECK_THROWS_WITH(model.set_grid(32, 16, "frames.h5"),
                    Catch::Contains("frames.h5") && Catch::Contains("32x16") &&
                        Catch::Contains("model.peephole: pixel") && Catch::Contains("16x16"));
}

TEST_CASE("predict forecasts a dataset of another grid size, and refuses another pixel size", "[eval]") {
  test::TempDir dir;
  const auto ckpt = random_checkpoint(dir, nn::Peephole::channel, 16);
  data::SynthRadarOptions s;
  s.frames = 6;
  s.height = 30;
  s.width = 44;
  data::write_synth_radar(dir.file("big.h5"), s);
  eval::PredictOptions o;
  o.checkpoint = ckpt;
  o.inputs = {dir.file("big.h5")};
  o.output = dir.file("p.h5");
  eval::predict(o);
  CHECK(data::h5::File::open_read(o.output).dataset("/pred").dims() ==
        std::vector<std::int64_t>{1, 2, 30, 44});

  o.crop = data::Crop{2, 4, 20, 36};  // a crop of it: the forecast has the crop's grid
  o.output = dir.file("crop.h5");
  eval::predict(o);
  CHECK(data::h5::File::open_read(o.output).dataset("/pred").dims() ==
        std::vector<std::int64_t>{1, 2, 20, 36});

  o.crop.reset();
  o.downsample = 2;  // pixels twice the size the model trained on
  o.output = dir.file("coarse.h5");
  CHECK_THROWS_WITH(eval::predict(o),
                    Catch::Contains("2 source pixels") && Catch::Contains("1 source pixel"));
  CHECK_FALSE(std::filesystem::exists(o.output));
}

}  // namespace
}  // namespace convlstm
