// A checkpoint written by this version of convlstm, committed as a fixture (tests/eval/fixtures/), must keep
// loading and forecasting the same: the checkpoint is a public contract, and its model description
// (checkpoint/checkpoint.hpp) is what a forecast is rebuilt from. Regenerate both files only for a deliberate
// format change: CONVLSTM_WRITE_FIXTURE=1 ./convlstm_tests "a committed checkpoint*".
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <vector>

#include "checkpoint/checkpoint.hpp"
#include "config/config.hpp"
#include "core/rng.hpp"
#include "data/h5.hpp"
#include "eval/forecaster.hpp"
#include "nn/parameters.hpp"

namespace convlstm {
namespace {

const std::string kDir = std::string(CONVLSTM_SOURCE_DIR) + "/tests/eval/fixtures/";

// The fixture's model: the paper's (no extrapolation, so no optical flow is needed), small, on 16x16 frames
// of rain rate in log normalisation, 3 frames in, 2 out.
void write_fixture() {
  const auto cfg = config::parse_config(
      "", "fixture",
      {"data.t_in=3", "data.t_out=2", "data.normalize.kind=log", "data.normalize.max=100", "model.patch=2",
       "model.layers=[{filters: 8, k: 3}]", "model.output=sigmoid"});
  const auto spec = config::model_spec(cfg, 1, 16, 16);
  nn::ParameterTable params(spec);
  Rng rng(7);
  for (auto& v : params.flat()) v = rng.uniform(-0.4f, 0.4f);
  checkpoint::CheckpointInfo info;
  info.config_yaml = config::to_yaml(cfg);
  info.step = 1;
  info.frame_height = info.frame_width = 16;
  info.data.quantity = data::Quantity::rain_rate;
  info.data.units = "mm/h";
  info.model = config::model_description(cfg, spec);
  checkpoint::write_checkpoint(kDir + "checkpoint_v1.h5", info, params, nullptr);

  std::vector<float> inputs(3 * 16 * 16), mask(inputs.size(), 1.0f), pred(2 * 16 * 16);
  for (std::size_t i = 0; i < inputs.size(); ++i)
    inputs[i] = rng.uniform(0.0f, 1.0f) < 0.3f ? rng.uniform(0.1f, 20.0f) : 0.0f;
  eval::Forecaster model(kDir + "checkpoint_v1.h5", 1);
  model.forecast(inputs.data(), mask.data(), pred.data());
  const auto f = data::h5::File::create(kDir + "forecast_v1.h5");
  f.create_dataset("/inputs", data::h5::Scalar::float32, {3, 16, 16})
      .write({0, 0, 0}, {3, 16, 16}, inputs.data());
  f.create_dataset("/pred", data::h5::Scalar::float32, {2, 16, 16})
      .write({0, 0, 0}, {2, 16, 16}, pred.data());
}

TEST_CASE("a committed checkpoint still loads and forecasts the same", "[eval]") {
  if (std::getenv("CONVLSTM_WRITE_FIXTURE")) write_fixture();
  const auto info = checkpoint::read_checkpoint_info(kDir + "checkpoint_v1.h5");
  REQUIRE(info.model);
  CHECK(info.model->spec.str() == "(3x3)-3x3-8, patch 2, 16x16x1, peephole channel");
  CHECK(info.model->t_in == 3);
  CHECK(info.model->t_out == 2);

  const auto f = data::h5::File::open_read(kDir + "forecast_v1.h5");
  std::vector<float> inputs(3 * 16 * 16), expected(2 * 16 * 16), mask(inputs.size(), 1.0f),
      pred(expected.size(), -1.0f);
  f.dataset("/inputs").read_all(inputs.data());
  f.dataset("/pred").read_all(expected.data());
  eval::Forecaster model(kDir + "checkpoint_v1.h5", 1);
  model.forecast(inputs.data(), mask.data(), pred.data());
  double worst = 0.0;
  for (std::size_t i = 0; i < pred.size(); ++i)
    worst = std::max(worst, std::abs(double(pred[i]) - expected[i]) / (1.0 + std::abs(double(expected[i]))));
  INFO("largest relative difference " << worst);
  CHECK(worst < 1e-5);  // (rounding may differ across CPUs' kernels; on one machine it is 0)
}

}  // namespace
}  // namespace convlstm
