#include "train/checkpoint.hpp"

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

train::CheckpointInfo info_of(std::int64_t step) {
  train::CheckpointInfo info;
  info.config_yaml = "train: {seed: 3}\n";
  info.step = step;
  info.epoch = 1;
  info.best_val_loss = 0.25;
  info.frame_height = info.frame_width = 8;
  info.data["quantity"] = "rain_rate";
  return info;
}

TEST_CASE("checkpoints round-trip parameters - optimizer state and attributes", "[train]") {
  test::TempDir dir;
  const auto spec = spec_of(4);
  nn::ParameterTable params(spec), loaded(spec);
  Rng rng(4);
  nn::init_parameters(spec, params, rng);
  config::OptimizerConfig oc;
  oc.kind = "adam";
  train::Optimizer opt(oc, spec), opt2(oc, spec);
  opt.state()[0].second->flat().fill(0.5f);
  opt.set_steps(7);
  train::write_checkpoint(dir.file("c.h5"), info_of(12), params, &opt);
  const auto info = train::read_checkpoint_info(dir.file("c.h5"));
  CHECK(info.step == 12);
  CHECK(info.best_val_loss == 0.25);
  CHECK(info.data.at("quantity") == "rain_rate");
  CHECK(info.optimizer_kind == "adam");
  train::read_checkpoint_tensors(dir.file("c.h5"), loaded, &opt2);
  CHECK(std::equal(params.flat().begin(), params.flat().end(), loaded.flat().begin()));
  CHECK(opt2.steps() == 7);
  CHECK(opt2.state()[0].second->flat()[3] == 0.5f);
  CHECK_FALSE(std::filesystem::exists(dir.file("c.h5.tmp")));
}

TEST_CASE("a checkpoint of another model shape is refused by name", "[train]") {
  test::TempDir dir;
  nn::ParameterTable small(spec_of(4)), big(spec_of(8));
  train::write_checkpoint(dir.file("c.h5"), info_of(1), small, nullptr);
  CHECK_THROWS_WITH(train::read_checkpoint_tensors(dir.file("c.h5"), big, nullptr),
                    Catch::Contains("encoder/layer0/w_x") && Catch::Contains("another model shape"));
}

TEST_CASE("a failed checkpoint write leaves the previous checkpoint readable", "[train]") {
  test::TempDir dir;
  const auto spec = spec_of(4);
  nn::ParameterTable params(spec);
  train::write_checkpoint(dir.file("latest.h5"), info_of(5), params, nullptr);
  std::filesystem::create_directory(dir.file("latest.h5.tmp"));  // the temporary file cannot be created
  CHECK_THROWS_AS(train::write_checkpoint(dir.file("latest.h5"), info_of(6), params, nullptr), DataError);
  CHECK(train::read_checkpoint_info(dir.file("latest.h5")).step == 5);
}

}  // namespace
}  // namespace convlstm
