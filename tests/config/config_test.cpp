#include "config/config.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.hpp"

namespace convlstm {
namespace {

std::string error_of(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  try {
    config::parse_config(yaml, "c.yaml", overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("configs/default.yaml documents every key", "[config]") {
  // Every key the parser knows appears in the default config, so users see it documented there.
  std::ifstream in(std::string(CONVLSTM_SOURCE_DIR) + "/configs/default.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto c = config::parse_config(ss.str(), "configs/default.yaml");
  const auto dumped = config::to_yaml(config::Config{});
  std::istringstream keys(dumped);
  std::string line;
  while (std::getline(keys, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos || line.find_first_not_of(' ') == std::string::npos) continue;
    const std::string key = line.substr(line.find_first_not_of(' '), colon - line.find_first_not_of(' '));
    if (key.rfind("- ", 0) == 0 || key.find('{') != std::string::npos) continue;
    INFO(key);
    CHECK(ss.str().find(key + ":") != std::string::npos);
  }
  CHECK(c.data.train == std::vector<std::string>{"data/synth_radar_train.h5"});
}

TEST_CASE("every preset in configs/ parses and gives a valid model", "[config]") {
  // A preset that no longer parses (a renamed key, a value out of range) fails here, not in a user's run.
  namespace fs = std::filesystem;
  int presets = 0;
  for (const auto& e : fs::recursive_directory_iterator(std::string(CONVLSTM_SOURCE_DIR) + "/configs")) {
    if (e.path().extension() != ".yaml") continue;
    INFO(e.path().string());
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    const auto c = config::parse_config(ss.str(), e.path().string());
    const std::int64_t side = 16 * c.model.patch;
    const auto [h, w] = c.data.random_crop.value_or(std::make_pair(side, side));
    CHECK_NOTHROW(config::model_spec(c, 1, h, w).validate());
    ++presets;
  }
  CHECK(presets >= 10);
  // The every-radar preset trains on three series, each alike, with S-PROG as its base.
  std::ifstream in(std::string(CONVLSTM_SOURCE_DIR) + "/configs/every_radar.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto radars = config::parse_config(ss.str(), "configs/every_radar.yaml");
  CHECK(radars.data.train.size() == 3);
  CHECK(radars.data.weights == std::vector<double>{1.0, 1.0, 1.0});
  CHECK(radars.model.forecaster_input == nn::ForecasterInput::sprog);
}

TEST_CASE("the defaults listing is exactly the code's defaults - key by key", "[config]") {
  // One source of truth: the code (`convlstm config --defaults` prints it). The file pins the listing so that
  // a changed default shows in review; regenerate it with CONVLSTM_WRITE_DEFAULTS=1 ./convlstm_tests "the
  // defaults listing*" after changing a default.
  const std::string path = std::string(CONVLSTM_SOURCE_DIR) + "/tests/config/defaults_listing.yaml";
  const std::string expected = config::defaults_listing();
  if (std::getenv("CONVLSTM_WRITE_DEFAULTS")) std::ofstream(path) << expected;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str() == expected);
  const auto parsed = config::parse_config(ss.str(), "tests/config/defaults_listing.yaml");
  const auto changed = config::changed_keys(parsed, config::Config{});
  INFO("keys that differ: " << changed.size());
  for (const auto& k : changed) INFO(k);
  CHECK(changed.empty());
  // And the comparison itself sees a changed key.
  auto other = parsed;
  other.train.batch_size += 1;
  CHECK(config::changed_keys(other, config::Config{}) == std::vector<std::string>{"train.batch_size"});
}

TEST_CASE("an unknown key names the file - the line and the closest known key", "[config]") {
  const auto e = error_of("train:\n  batch_size: 4\n  max_step: 100\n");
  CHECK_THAT(e, Catch::Contains("c.yaml:3"));
  CHECK_THAT(e, Catch::Contains("train.max_step"));
  CHECK_THAT(e, Catch::Contains("did you mean 'train.max_steps'"));
  CHECK_THAT(error_of("modle:\n  patch: 2\n"), Catch::Contains("did you mean 'model'"));
}

TEST_CASE("a wrong type names the line and what was expected", "[config]") {
  const auto e = error_of("data:\n  t_in: five\n");
  CHECK_THAT(e, Catch::Contains("c.yaml:2"));
  CHECK_THAT(e, Catch::Contains("data.t_in: expected an integer, got 'five'"));
  CHECK_THAT(error_of("train:\n  optimizer: {kind: sgdd}\n"),
             Catch::Contains("expected one of sgd, rmsprop, adam"));
  CHECK_THAT(error_of("model:\n  layers: 3\n"), Catch::Contains("model.layers"));
  CHECK_THAT(error_of("- a\n- b\n"), Catch::Contains("expected a mapping"));
  CHECK_THAT(error_of("data: [unclosed\n"), Catch::Contains("not valid YAML"));
}

TEST_CASE("out-of-range values are refused", "[config]") {
  CHECK_THAT(error_of("data:\n  t_in: 0\n"), Catch::Contains("c.yaml:2: data.t_in: must be in [1, 10000]"));
  // Upper bounds: sums and products of these would overflow int64 further down.
  CHECK_THAT(error_of("data:\n  t_out: 4611686018427387904\n"), Catch::Contains("c.yaml:2: data.t_out"));
  CHECK_THAT(error_of("data:\n  t_in: 10001\n"), Catch::Contains("data.t_in"));
  CHECK_THAT(error_of("train:\n  epochs: 1000000000000\n"), Catch::Contains("c.yaml:2: train.epochs"));
  // A range error in a --set value names --set, not the file.
  try {
    config::parse_config("data:\n  t_in: 3\n", "c.yaml", {"data.t_in=0"});
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("--set: data.t_in: must be in"));
  }
  CHECK_THAT(error_of("train:\n  batch_size: -3\n"), Catch::Contains("train.batch_size"));
  CHECK_THAT(error_of("model:\n  layers: []\n"), Catch::Contains("needs at least one layer"));
  CHECK_THAT(error_of("model:\n  layers: [{filters: 8, k_x: 4, k_h: 3}]\n"),
             Catch::Contains("k_x must be odd"));
  CHECK_THAT(error_of("data:\n  normalize: {min: 5, max: 1}\n"), Catch::Contains("data.normalize.max"));
  CHECK_THAT(error_of("bench:\n  frame: [1, 0, 64]\n"), Catch::Contains("c.yaml:2: bench.frame"));
  CHECK_THAT(error_of("bench:\n  frame: [64, 64]\n"), Catch::Contains("[channels, height, width]"));
  // Weights of the forecast rate exist for the balanced losses only; lead weights take a known name.
  CHECK_THAT(error_of("train:\n  loss: mse\n  balance: max\n"),
             Catch::Contains("train.balance: max applies to the balanced losses"));
  CHECK_THAT(error_of("train:\n  loss: bce\n  balance: max\n"), Catch::Contains("train.balance"));
  CHECK_THAT(error_of("train:\n  lead_weights: linear\n"), Catch::Contains("train.lead_weights"));
  CHECK_NOTHROW(
      config::parse_config("train:\n  loss: bmae\n  balance: max\n  lead_weights: inverse\n", "c.yaml"));
}

TEST_CASE("overrides (--set) reach any key by its dotted path", "[config]") {
  const auto c = config::parse_config("train:\n  max_steps: 5\n", "c.yaml",
                                      {"train.max_steps=100", "model.layers=[{filters: 16, k: 5}]",
                                       "data.crop=[0, 0, 32, 32]", "train.optimizer.lr=0.5"});
  CHECK(*c.train.max_steps == 100);
  REQUIRE(c.model.layers.size() == 1);
  CHECK(c.model.layers[0].k_x == 5);
  CHECK(c.model.layers[0].k_h == 5);
  CHECK(c.data.crop->width == 32);
  CHECK(c.train.optimizer.lr == 0.5);
  CHECK_THAT(error_of("", {"train.max_stpes=3"}), Catch::Contains("--set: train.max_stpes"));
  CHECK_THAT(error_of("", {"train.max_steps"}), Catch::Contains("expected key=value"));
  CHECK_THAT(error_of("", {"train.max_steps=abc"}), Catch::Contains("expected an integer"));
}

TEST_CASE("the effective config written out parses back to the same config", "[config]") {
  auto c = config::parse_config(
      "", "c.yaml", {"data.crop=[1, 2, 30, 40]", "train.clip_grad_norm=2.5", "bench.frame=[2, 32, 48]"});
  const auto again = config::parse_config(config::to_yaml(c), "again.yaml");
  CHECK(config::to_yaml(again) == config::to_yaml(c));
  CHECK(again.data.crop->x0 == 2);
  CHECK(again.bench.frame->channels == 2);
  CHECK(again.bench.frame->width == 48);
  CHECK(*again.train.clip_grad_norm == 2.5);
}

TEST_CASE("every config key is declared once - with its type and help - and a resume may change only some",
          "[config]") {
  const auto listing = config::defaults_listing();
  std::set<std::string> seen;
  for (const char* key :
       {"train.max_steps", "train.val_every", "train.val_batches", "train.early_stopping.patience",
        "train.threads", "train.init_from", "output.dir", "output.checkpoint_every", "bench.frame"})
    CHECK(config::resume_may_change(key));
  for (const char* key : {"train.seed", "train.batch_size", "data.train", "model.layers",
                          "train.optimizer.lr", "train.precision", "no.such.key"})
    CHECK_FALSE(config::resume_may_change(key));
  // Every line of the listing that sets a key carries its type and help after a '#'.
  std::istringstream in(listing);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.back() == ':') continue;
    INFO(line);
    CHECK(line.find(" # ") != std::string::npos);
    CHECK(line.size() > line.find(" # ") + 6);
  }
}

}  // namespace
}  // namespace convlstm
