#include "checkpoint/checkpoint.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <limits>

#include "core/error.hpp"
#include "support/temp_dir.hpp"

namespace convlstm {
namespace {

nn::ModelSpec spec_of(std::int64_t filters) {
  nn::ModelSpec s;
  s.height = s.width = 8;
  s.patch = 2;
  s.layers = {{filters, 3, 3}, {filters, 1, 3}};
  return s;
}

checkpoint::CheckpointInfo info_of(std::int64_t step) {
  checkpoint::CheckpointInfo info;
  info.config_yaml = "train: {seed: 3}\n";
  info.step = step;
  info.epoch = 1;
  info.best_val_loss = 0.25;
  info.frame_height = info.frame_width = 8;
  info.data.quantity = data::Quantity::rain_rate;
  info.data.units = "mm/h";
  info.data.timestep_s = 300.0;
  info.data.provenance["import_zr"] = "200,1.6";
  return info;
}

TEST_CASE("checkpoints round-trip parameters - optimizer state and attributes", "[train]") {
  test::TempDir dir;
  const auto spec = spec_of(4);
  nn::ParameterTable params(spec), loaded(spec);
  Rng rng(4);
  nn::init_parameters(spec, params, rng);
  nn::ParameterTable m(spec), v(spec), m2(spec), v2(spec);
  m.flat().fill(0.5f);
  v.flat().fill(0.25f);
  const checkpoint::OptimizerState opt{"adam", 7, {{"m", &m}, {"v", &v}}};
  checkpoint::OptimizerState opt2{"adam", 0, {{"m", &m2}, {"v", &v2}}};
  checkpoint::write_checkpoint(dir.file("c.h5"), info_of(12), params, &opt);
  const auto info = checkpoint::read_checkpoint_info(dir.file("c.h5"));
  CHECK(info.step == 12);
  CHECK(info.best_val_loss == 0.25);
  CHECK(info.data.quantity == data::Quantity::rain_rate);
  CHECK(info.data.units == "mm/h");
  CHECK(info.data.timestep_s == 300.0);
  CHECK(info.data.provenance == std::map<std::string, std::string>{{"import_zr", "200,1.6"}});
  CHECK(info.optimizer_kind == "adam");
  checkpoint::read_checkpoint_tensors(dir.file("c.h5"), loaded, &opt2);
  CHECK(std::equal(params.flat().begin(), params.flat().end(), loaded.flat().begin()));
  CHECK(opt2.steps == 7);
  CHECK(m2.flat()[3] == 0.5f);
  CHECK(v2.flat()[3] == 0.25f);
  checkpoint::OptimizerState sgd{"sgd", 0, {}};
  CHECK_THROWS_WITH(checkpoint::read_checkpoint_tensors(dir.file("c.h5"), loaded, &sgd),
                    Catch::Contains("c.h5") && Catch::Contains("adam"));
  CHECK_FALSE(std::filesystem::exists(dir.file("c.h5.tmp")));
}

TEST_CASE("a checkpoint of another model shape is refused by name", "[train]") {
  test::TempDir dir;
  nn::ParameterTable small(spec_of(4)), big(spec_of(8));
  checkpoint::write_checkpoint(dir.file("c.h5"), info_of(1), small, nullptr);
  CHECK_THROWS_WITH(checkpoint::read_checkpoint_tensors(dir.file("c.h5"), big, nullptr),
                    Catch::Contains("encoder/layer0/w_x") && Catch::Contains("another model shape"));
}

TEST_CASE("a failed checkpoint write leaves the previous checkpoint readable", "[train]") {
  test::TempDir dir;
  const auto spec = spec_of(4);
  nn::ParameterTable params(spec);
  checkpoint::write_checkpoint(dir.file("latest.h5"), info_of(5), params, nullptr);
  std::filesystem::create_directory(dir.file("latest.h5.tmp"));  // the temporary file cannot be created
  CHECK_THROWS_AS(checkpoint::write_checkpoint(dir.file("latest.h5"), info_of(6), params, nullptr),
                  DataError);
  CHECK(checkpoint::read_checkpoint_info(dir.file("latest.h5")).step == 5);
}

TEST_CASE("a checkpoint describes its model explicitly - and an older one without it still reads",
          "[train]") {
  test::TempDir dir;
  auto spec = spec_of(4);
  spec.channels = 1;
  spec.peephole = nn::Peephole::none;
  spec.output = nn::OutputActivation::residual;
  spec.forecaster_input = nn::ForecasterInput::extrapolation_gaps;
  spec.output_filter = nn::OutputFilter::tent;
  nn::ParameterTable params(spec);
  auto info = info_of(3);
  checkpoint::ModelDescription m;
  m.spec = spec;
  m.t_in = 5;
  m.t_out = 12;
  m.normalize.kind = data::NormalizeKind::log;
  m.normalize.max = 100.0;
  m.flow_method = "farneback";
  m.conv_algorithm = "direct";
  m.crop = data::Crop{2, 4, 6, 8};
  m.downsample = 2;
  info.model = m;
  checkpoint::write_checkpoint(dir.file("c.h5"), info, params, nullptr);
  const auto back = checkpoint::read_checkpoint_info(dir.file("c.h5"));
  REQUIRE(back.model);
  CHECK(back.model->spec.str() == spec.str());
  CHECK(back.model->spec.layers.size() == 2);
  CHECK(back.model->spec.layers[1].k_x == 1);
  CHECK(back.model->spec.peephole == nn::Peephole::none);
  CHECK(back.model->spec.output == nn::OutputActivation::residual);
  CHECK(back.model->spec.forecaster_input == nn::ForecasterInput::extrapolation_gaps);
  CHECK(back.model->spec.output_filter == nn::OutputFilter::tent);
  CHECK(back.model->t_in == 5);
  CHECK(back.model->t_out == 12);
  CHECK(back.model->normalize.kind == data::NormalizeKind::log);
  CHECK(back.model->normalize.max == 100.0);
  CHECK(back.model->flow_method == "farneback");
  CHECK(back.model->conv_algorithm == "direct");
  REQUIRE(back.model->crop);
  CHECK(back.model->crop->width == 8);
  CHECK(back.model->downsample == 2);
  // Without the description (a checkpoint written before it existed) the info has none.
  info.model.reset();
  checkpoint::write_checkpoint(dir.file("old.h5"), info, params, nullptr);
  CHECK_FALSE(checkpoint::read_checkpoint_info(dir.file("old.h5")).model);
}

}  // namespace
}  // namespace convlstm
