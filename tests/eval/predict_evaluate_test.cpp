#include <catch2/catch.hpp>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "checkpoint/checkpoint.hpp"
#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/grid.hpp"
#include "data/h5.hpp"
#include "data/netcdf.hpp"
#include "data/radar.hpp"
#include "data/radar_import.hpp"
#include "data/synth_radar.hpp"
#include "eval/evaluate.hpp"
#include "eval/predict.hpp"
#include "motion/optical_flow.hpp"
#include "nn/parameters.hpp"
#include "support/figures.hpp"
#include "support/radar_files.hpp"
#include "support/run_binary.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"
#include "train/trainer.hpp"

namespace convlstm {
namespace {

namespace fs = std::filesystem;

// A tiny model trained for a few steps on 16x16 synthetic radar (shared by the tests of this file).
struct Trained {
  test::TempDir dir;
  std::string data, checkpoint;
  Trained() {
    data = dir.file("synth.h5");
    data::SynthRadarOptions o;
    o.frames = 60;
    o.height = o.width = 16;
    data::write_synth_radar(data, o);
    const auto cfg = config::parse_config(
        "", "tiny",
        {"data.train=" + data, "data.t_in=3", "data.t_out=4", "data.normalize.kind=log", "model.patch=2",
         "model.layers=[{filters: 16, k: 3}]", "train.batch_size=2", "train.max_steps=4", "train.val_every=4",
         "train.val_batches=1", "output.dir=" + dir.file("run")});
    train::train_model(cfg, {});
    checkpoint = dir.file("run/latest.h5");
  }
};

Trained& trained() {
  static Trained t;
  return t;
}

// The string attributes of a file's root.
std::map<std::string, std::string> root_strings(const std::string& path) {
  auto f = data::h5::File::open_read(path);
  std::map<std::string, std::string> out;
  for (const auto& name : f.root().attr_names())
    if (f.root().attr_is_string(name)) out[name] = f.root().attr_string(name);
  return out;
}

TEST_CASE("predict writes forecasts in physical units - with truth - times and images", "[eval]") {
  auto& t = trained();
  test::TempDir out;
  eval::PredictOptions o;
  o.checkpoint = t.checkpoint;
  o.inputs = {t.data};
  o.output = out.file("p.h5");
  o.all_windows = true;
  o.stride = 10;
  o.png_dir = out.file("png");
  o.gif = out.file("p.gif");
  const auto r = eval::predict(o);
  CHECK(r.with_target);
  CHECK(r.forecasts == 6);  // windows of 7 frames every 10 frames in 60
  auto f = data::h5::File::open_read(o.output);
  CHECK(f.root().attr_string("format") == "convlstm-predictions");
  CHECK(f.dataset("/pred").dims() == std::vector<std::int64_t>{6, 4, 16, 16});
  CHECK(f.dataset("/pred").attrs().attr_string("units") == "mm/h");
  CHECK(f.dataset("/target").dims() == std::vector<std::int64_t>{6, 4, 16, 16});
  CHECK(f.root().attr_doubles("lead_times_s") == std::vector<double>{300, 600, 900, 1200});
  std::vector<std::int64_t> times(24);
  f.dataset("/time").read_all(times.data());
  data::DatasetReader ds(t.data);
  CHECK(times[0] == ds.meta().field.time[2] + 300);  // first window: inputs 0..2, first lead at frame 3
  std::vector<float> pred(6 * 4 * 256);
  f.dataset("/pred").read_all(pred.data());
  CHECK(*std::min_element(pred.begin(), pred.end()) >= 0.0f);
  CHECK(*std::max_element(pred.begin(), pred.end()) <=
        60.0f);  // the config's normalisation range (default max)
  CHECK(fs::file_size(out.file("png/forecast_0005.png")) > 100);
  CHECK(fs::file_size(out.file("p.gif")) > 100);
  CHECK(r.images.size() == 7);
}

TEST_CASE("predict refuses inputs that do not fit the model", "[eval]") {
  auto& t = trained();
  test::TempDir out;
  eval::PredictOptions o;
  o.checkpoint = t.checkpoint;
  o.output = out.file("p.h5");
  SECTION("another channel count") {
    data::DatasetMeta m;
    m.channels = 2;
    m.height = m.width = 16;
    {
      data::DatasetWriter w(out.file("two.h5"), m);
      std::vector<float> frame(512, 1.0f);
      for (int i = 0; i < 5; ++i) w.append(frame.data());
      w.finish({}, {});
    }
    o.inputs = {out.file("two.h5")};
    CHECK_THROWS(eval::predict(o));
  }
  SECTION("too few frames") {
    data::SynthRadarOptions s;
    s.frames = 2;
    s.height = s.width = 16;
    data::write_synth_radar(out.file("short.h5"), s);
    o.inputs = {out.file("short.h5")};
    CHECK_THROWS_WITH(eval::predict(o), Catch::Contains("fewer than the 3"));
  }
  SECTION("another quantity") {
    data::DatasetMeta m;
    m.height = m.width = 16;
    m.field.quantity = data::Quantity::reflectivity;
    m.field.units = "dBZ";
    {
      data::DatasetWriter w(out.file("dbz.h5"), m);
      std::vector<float> frame(256, 10.0f);
      for (int i = 0; i < 5; ++i) w.append(frame.data());
      w.finish({}, {});
    }
    o.inputs = {out.file("dbz.h5")};
    CHECK_THROWS_WITH(eval::predict(o), Catch::Contains("quantity reflectivity"));
  }
  SECTION("raw radar files for a model not trained on imported data") {
    o.inputs = {out.file("a.h5"), out.file("b.h5"), out.file("c.h5")};
    for (const auto& p : o.inputs) data::h5::File::create(p);
    CHECK_THROWS_WITH(eval::predict(o), Catch::Contains("not made by 'convlstm import'"));
  }
  CHECK_FALSE(fs::exists(o.output));
}

TEST_CASE("evaluate scores the model next to persistence and writes CSV and JSON", "[eval]") {
  auto& t = trained();
  test::TempDir out;
  eval::EvaluateOptions o;
  o.checkpoint = t.checkpoint;
  o.data = t.data;
  o.stride = 5;
  const auto e = eval::evaluate(o);
  // The default baselines: persistence and, where OpenCV is built, optical flow and S-PROG.
  REQUIRE(e.sources.size() == (motion::optical_flow_available() ? 4u : 2u));
  CHECK(e.sources[1].name == "persistence");
  if (motion::optical_flow_available()) {
    CHECK(e.sources[2].name == "optical-flow");
    CHECK(e.sources[3].name == "sprog");
    // S-PROG forecasts rain, smoother than the flow's, scored on the same pixels; FSS grows with the scale.
    CHECK(e.sources[3].scores.lead(0).pixels == 11 * 256);
    const auto f = e.sources[3].scores.figures(-1);
    CHECK(test::figure(f, "fss@2/9px") >= test::figure(f, "fss@2/1px"));
    CHECK(test::figure(f, "csi@2") > 0.2);
  }
  CHECK(e.windows == 11);  // starts 0, 5, ..., 50 (windows of 7 in 60 frames)
  CHECK(e.lead_times_s.size() == 4);
  // Persistence at the first lead time is scored against the truth, pixel by pixel.
  CHECK(e.sources[1].scores.lead(0).pixels == 11 * 256);
  eval::write_csv(e, out.file("e.csv"));
  eval::write_json(e, out.file("e.json"));
  CHECK(fs::file_size(out.file("e.csv")) > 100);
  CHECK(fs::file_size(out.file("e.json")) > 100);
  const auto table = eval::format_table(e);
  CHECK_THAT(table, Catch::Contains("5 min"));
  o.baselines = {"rover"};
  CHECK_THROWS_AS(eval::evaluate(o), UsageError);
}

TEST_CASE("evaluate --baselines persistence,optical-flow scores three sources", "[eval]") {
  auto& t = trained();
  eval::EvaluateOptions o;
  o.checkpoint = t.checkpoint;
  o.data = t.data;
  o.stride = 5;
  o.baselines = {"persistence", "optical-flow"};
  if (!motion::optical_flow_available()) {
    CHECK_THROWS_WITH(eval::evaluate(o), Catch::Contains("without OpenCV"));
    return;
  }
  for (auto method : {motion::FlowMethod::dis, motion::FlowMethod::farneback}) {
    o.flow_method = method;
    const auto e = eval::evaluate(o);
    REQUIRE(e.sources.size() == 3);
    CHECK(e.sources[2].name == "optical-flow");
    CHECK(e.sources[2].scores.lead(0).pixels == 11 * 256);
    // Synthetic radar moves: at the last lead the flow forecast is closer than persistence.
    auto mse = [&](std::size_t source) { return test::figure(e.sources[source].scores.figures(3), "mse"); };
    CHECK(mse(2) >= 0.0);
    CHECK(mse(2) < mse(1));
  }
}

TEST_CASE("evaluate --baselines steps scores a reproducible ensemble by CRPS - Brier - reliability and ranks",
          "[eval]") {
  auto& t = trained();
  if (!motion::optical_flow_available()) {
    CONVLSTM_SKIP("opencv", "this build has no OpenCV (the ensemble moves with its optical flow)");
  }
  test::TempDir out;
  eval::EvaluateOptions o;
  o.checkpoint = t.checkpoint;
  o.data = t.data;
  o.stride = 5;
  o.baselines = {"sprog", "steps"};
  o.members = 5;
  o.seed = 3;
  const auto e = eval::evaluate(o);
  REQUIRE(e.sources.size() == 3);
  CHECK(e.sources[2].name == "steps");
  CHECK(e.sources[2].scores.ensemble());
  const auto steps = e.sources[2].scores.figures(-1), sprog = e.sources[1].scores.figures(-1);
  // Every source has the same figures (the bootstrap differences pair them by position).
  REQUIRE(steps.size() == sprog.size());
  for (std::size_t k = 0; k < steps.size(); ++k) CHECK(steps[k].first == sprog[k].first);
  // An ensemble's CRPS is at most the mean absolute error of its members' mean, and the fair estimator is
  // below the standard one; a single field's spread is 0, the ensemble's is not.
  CHECK(test::figure(steps, "crps") <= test::figure(steps, "mae") + 1e-9);
  CHECK(test::figure(steps, "crps_fair") < test::figure(steps, "crps"));
  CHECK(test::figure(sprog, "crps") == Approx(test::figure(sprog, "mae")));
  CHECK(test::figure(sprog, "spread_skill") == 0.0);
  CHECK(test::figure(steps, "spread_skill") > 0.0);
  const auto ranks = e.sources[2].scores.rank_histogram();
  REQUIRE(ranks.size() == 6);
  double total = 0;
  for (double r : ranks) total += r;
  CHECK(total == Approx(1.0));
  // The same seed gives the same scores; JSON carries the reliability table and the rank histogram.
  const auto again = eval::evaluate(o);
  CHECK(test::figure(again.sources[2].scores.figures(-1), "crps") == test::figure(steps, "crps"));
  eval::write_json(e, out.file("e.json"));
  const auto json = test::slurp(out.file("e.json"));
  CHECK_THAT(json, Catch::Contains("\"reliability\"") && Catch::Contains("\"rank_histogram\""));
  o.baselines = {"steps"};
  o.members = 1;
  CHECK_THROWS_AS(eval::evaluate(o), UsageError);
}

TEST_CASE("evaluate --bootstrap writes intervals of every score and of model - baseline", "[eval]") {
  auto& t = trained();
  test::TempDir out;
  eval::EvaluateOptions o;
  o.checkpoint = t.checkpoint;
  o.data = t.data;
  o.stride = 2;
  o.baselines = {"persistence"};
  o.bootstrap = 100;
  const auto e = eval::evaluate(o);
  REQUIRE(e.bootstrap);
  CHECK(e.bootstrap->options.block == 4);  // windows of 7 frames every 2 share a frame with 4 windows
  REQUIRE(e.bootstrap->differences.size() == 1);
  REQUIRE(e.bootstrap->sources[0].leads.size() == 5);  // 4 leads and the mean
  eval::write_csv(e, out.file("e.csv"));
  eval::write_json(e, out.file("e.json"));
  std::ifstream csv(out.file("e.csv")), json(out.file("e.json"));
  std::string header, text((std::istreambuf_iterator<char>(json)), std::istreambuf_iterator<char>());
  std::getline(csv, header);
  CHECK_THAT(header, Catch::Contains("csi@0.5,csi@0.5_lo,csi@0.5_hi"));
  std::string line, last;
  while (std::getline(csv, line)) last = line;
  CHECK(last.rfind("model-persistence,mean,", 0) == 0);
  CHECK_THAT(text, Catch::Contains("\"differences\"") && Catch::Contains("\"model-persistence\"") &&
                       Catch::Contains("\"per_lead_interval\""));
  // The printed table: one block per score, three decimals, the reference's difference with its interval.
  const auto table = eval::format_table(e);
  CHECK_THAT(table, Catch::Contains("model - persistence with 90% block-bootstrap intervals"));
  CHECK_THAT(table, Catch::Contains("CSI at 0.5 mm/h (higher is better)") && Catch::Contains("MSE, (") &&
                        Catch::Contains("FSS at 2 mm/h, 9 px"));
  // The mean row of the CSI block: model, persistence, difference and interval, each with three decimals.
  const auto mean_row = table.substr(table.find("\nmean", table.find("CSI at 0.5")) + 1);
  const auto row = mean_row.substr(0, mean_row.find('\n'));
  CHECK_THAT(
      row,
      Catch::Matches(
          R"(mean +[0-9]\.[0-9]{3} +[0-9]\.[0-9]{3} +[-+][0-9]\.[0-9]{3} \[[-+][0-9]\.[0-9]{3}, [-+][0-9]\.[0-9]{3}\]( [-+])?)"));
  o.reference = "optical-flow";  // not scored here
  CHECK_THROWS_AS(eval::evaluate(o), UsageError);
  o.reference.clear();
  // Free text from the data file is escaped in the JSON.
  auto odd = e;
  odd.units = "mm/h \"x\" \\ \n";
  eval::write_json(odd, out.file("odd.json"));
  std::ifstream odd_json(out.file("odd.json"));
  const std::string odd_text((std::istreambuf_iterator<char>(odd_json)), std::istreambuf_iterator<char>());
  CHECK_THAT(odd_text, Catch::Contains("\"units\": \"mm/h \\\"x\\\" \\\\ \\u000a\""));
  // The same seed gives the same intervals.
  const auto again = eval::evaluate(o);
  CHECK(again.bootstrap->differences[0].mean()[0].second.lo ==
        e.bootstrap->differences[0].mean()[0].second.lo);
}

TEST_CASE("the advection-conditioned model trains - predicts and with a zero head scores as its base",
          "[eval]") {
  if (!motion::optical_flow_available()) {
    CONVLSTM_SKIP("opencv", "this build has no OpenCV (the conditioned model needs its optical flow)");
  }
  // The extrapolation's model scores as the optical-flow baseline; S-PROG's as the sprog baseline.
  const std::string input = GENERATE("extrapolation", "sprog");
  const std::string baseline = input == "sprog" ? "sprog" : "optical-flow";
  INFO(input);
  test::TempDir dir;
  const std::string data = dir.file("synth.h5");
  data::SynthRadarOptions so;
  so.frames = 60;
  so.height = so.width = 16;
  data::write_synth_radar(data, so);
  const auto cfg = config::parse_config(
      "", "tiny",
      {"data.train=" + data, "data.t_in=3", "data.t_out=4", "data.normalize.kind=log", "model.patch=2",
       "model.layers=[{filters: 16, k: 3}]", "model.forecaster_input=" + input, "model.output=residual",
       "train.batch_size=2", "train.max_steps=4", "train.val_every=4", "train.val_batches=1",
       "output.dir=" + dir.file("run")});
  const auto result = train::train_model(cfg, {});
  CHECK(result.extrapolation_seconds > 0.0);
  const std::string ckpt = dir.file("run/latest.h5");
  CHECK_THAT(checkpoint::read_checkpoint_info(ckpt).config_yaml,
             Catch::Contains("forecaster_input: " + input) && Catch::Contains("output: residual"));
  eval::PredictOptions p;
  p.checkpoint = ckpt;
  p.inputs = {data};
  p.output = dir.file("pred.h5");
  CHECK(eval::predict(p).forecasts == 1);
  // Zero the head: the model is then exactly its base, and evaluate scores it as that baseline.
  {
    nn::ParameterTable params(config::model_spec(cfg, 1, 16, 16));
    checkpoint::read_checkpoint_tensors(ckpt, params, nullptr);
    params.model.head_w.zero();
    auto info = checkpoint::read_checkpoint_info(ckpt);
    checkpoint::write_checkpoint(dir.file("zero_head.h5"), info, params, nullptr);
  }
  eval::EvaluateOptions o;
  o.checkpoint = dir.file("zero_head.h5");
  o.data = data;
  o.stride = 3;
  o.baselines = {baseline};
  const auto e = eval::evaluate(o);
  const auto model = e.sources[0].scores.figures(-1), flow = e.sources[1].scores.figures(-1);
  for (std::size_t k = 0; k < model.size(); ++k) {
    INFO(model[k].first);
    if (std::isnan(flow[k].second)) continue;
    CHECK(model[k].second == Approx(flow[k].second).epsilon(1e-4).margin(1e-6));
  }
}

}  // namespace
}  // namespace convlstm

namespace convlstm {
namespace {

TEST_CASE("predict on raw KNMI files repeats the import's processing", "[eval][radar][slow]") {
  const std::string dir = std::string(CONVLSTM_SOURCE_DIR) + "/../shared/data/radar/knmi-20100826";
  if (!fs::exists(dir)) {
    CONVLSTM_SKIP("shared", "the real radar samples are not at " << dir);
  }
  // The paper's model, and the advection-conditioned one (whose optical flow then runs on the raw files too).
  const bool conditioned = GENERATE(false, true);
  if (conditioned && !motion::optical_flow_available()) {
    CONVLSTM_SKIP("opencv", "this build has no OpenCV (the conditioned model needs its optical flow)");
  }
  test::TempDir out;
  auto knmi = [&](int minute) {
    char name[64];
    std::snprintf(name, sizeof name, "/RAD_NL25_RAP_5min_20100826%02d%02d.h5", minute / 60, minute % 60);
    return dir + name;
  };
  std::vector<std::string> files;
  for (int m = 0; m < 12 * 5; m += 5) files.push_back(knmi(m));
  data::ImportOptions io;
  io.crop = data::Crop{200, 150, 448, 448};
  io.downsample = 8;
  data::import_radar(files, out.file("knmi.h5"), io);
  std::vector<std::string> keys{"data.train=" + out.file("knmi.h5"),
                                "data.t_in=3",
                                "data.t_out=2",
                                "data.normalize.kind=log",
                                "model.patch=2",
                                "model.layers=[{filters: 16, k: 3}]",
                                "train.batch_size=2",
                                "train.max_steps=2",
                                "data.val_fraction=0",
                                "output.dir=" + out.file("run")};
  if (conditioned) {
    keys.push_back("model.forecaster_input=extrapolation");
    keys.push_back("model.output=residual");
  }
  train::train_model(config::parse_config("", "knmi", keys), {});
  eval::PredictOptions o;
  o.checkpoint = out.file("run/latest.h5");
  o.inputs = {knmi(65), knmi(55), knmi(60), knmi(50)};  // any order; the last three are used
  o.output = out.file("raw.h5");
  const auto r = eval::predict(o);
  CHECK(r.forecasts == 1);
  auto f = data::h5::File::open_read(o.output);
  CHECK(f.dataset("/pred").dims() == std::vector<std::int64_t>{1, 2, 56, 56});
  std::vector<std::int64_t> times(2);
  f.dataset("/time").read_all(times.data());
  CHECK(times[0] == data::parse_knmi_time("26-AUG-2010;01:10:00.000"));
  // The same frames through a dataset give the same forecast.
  data::import_radar({knmi(55), knmi(60), knmi(65)}, out.file("three.h5"), io);
  eval::PredictOptions d = o;
  d.inputs = {out.file("three.h5")};
  d.output = out.file("ds.h5");
  eval::predict(d);
  std::vector<float> a(2 * 56 * 56), b(a.size());
  f.dataset("/pred").read_all(a.data());
  data::h5::File::open_read(d.output).dataset("/pred").read_all(b.data());
  // Equal values, NaN (outside the radar coverage) at the same pixels.
  CHECK(std::equal(a.begin(), a.end(), b.begin(),
                   [](float x, float y) { return x == y || (std::isnan(x) && std::isnan(y)); }));
  CHECK(std::count_if(a.begin(), a.end(), [](float x) { return std::isnan(x); }) > 0);
  // Both forecasts carry the dataset's grid: the raw grid's outer corner moved by the import's crop, 8 km
  // pixels; to 1 m.
  const data::Grid knmi_grid = data::DatasetReader(out.file("knmi.h5")).meta().field.grid;
  const auto* dataset_grid = &knmi_grid;
  REQUIRE(dataset_grid->known());
  CHECK(dataset_grid->x0 == Approx(150000.0).margin(1.0));
  CHECK(dataset_grid->y0 == Approx(-3650000.0 - 200000.0).margin(1.0));
  for (const auto& path : {o.output, d.output}) {
    const auto g = data::grid_from_attributes(root_strings(path), path);
    REQUIRE(g);
    CHECK(std::abs(g->x0 - dataset_grid->x0) < 1.0);
    CHECK(std::abs(g->y0 - dataset_grid->y0) < 1.0);
    CHECK(g->dx == dataset_grid->dx);
    CHECK(g->rows == 56);
    CHECK(g->proj == dataset_grid->proj);
  }
  // A larger domain at the trained resolution: the crop given in the raw grid's pixels, 8 km pixels.
  eval::PredictOptions big = o;
  big.crop = data::Crop{136, 86, 576, 576};
  big.output = out.file("big.h5");
  eval::predict(big);
  std::vector<float> c(2 * 72 * 72);
  auto g = data::h5::File::open_read(big.output);
  REQUIRE(g.dataset("/pred").dims() == std::vector<std::int64_t>{1, 2, 72, 72});
  g.dataset("/pred").read_all(c.data());
  const auto big_grid = data::grid_from_attributes(root_strings(big.output), big.output);
  REQUIRE(big_grid);
  CHECK(big_grid->x0 == Approx(86000.0).margin(1.0));
  CHECK(big_grid->y0 == Approx(-3650000.0 - 136000.0).margin(1.0));
  CHECK(big_grid->cols == 72);
  // The old domain sits 8 pixels in from the new one's corner: the radar's coverage lands there.
  std::int64_t shifted = 0;
  for (std::int64_t t = 0; t < 2; ++t)
    for (std::int64_t y = 0; y < 56; ++y)
      for (std::int64_t x = 0; x < 56; ++x)
        shifted += std::isnan(a[(t * 56 + y) * 56 + x]) == std::isnan(c[(t * 72 + y + 8) * 72 + x + 8]);
  CHECK(shifted == 2 * 56 * 56);
  big.downsample = 4;  // 4 km pixels for a model of 8 km ones
  big.output = out.file("fine.h5");
  CHECK_THROWS_WITH(eval::predict(big),
                    Catch::Contains("forecast pixels would be") && Catch::Contains("projection units"));
  CHECK_FALSE(fs::exists(big.output));
  o.inputs = {knmi(50), knmi(55), knmi(65)};  // a gap at 01:00
  o.output = out.file("gap.h5");
  CHECK_THROWS_WITH(eval::predict(o), Catch::Contains("a gap in the series"));
  o.output = out.file("gap.nc");
  CHECK_THROWS_WITH(eval::predict(o), Catch::Contains("a gap in the series"));
  CHECK_FALSE(fs::exists(o.output));

  // The georeferenced forms from the raw files: ODIM (one file per lead) read back by convlstm's reader,
  // then netCDF-CF and COG by GDAL, xarray, netCDF4 and rasterio (scripts/check_georeferenced.py).
  o.inputs = {knmi(55), knmi(60), knmi(65)};
  o.output = out.file("fc");
  o.format = "odim";
  o.one_file_per_lead = true;
  CHECK(eval::predict(o).files == std::vector<std::string>{out.file("fc_005.h5"), out.file("fc_010.h5")});
  std::vector<float> lead2(56 * 56);
  f.dataset("/pred").read({0, 1, 0, 0}, {1, 1, 56, 56}, lead2.data());
  const auto odim = data::read_radar(out.file("fc_010.h5"));
  REQUIRE(odim.grid.known());
  CHECK(std::abs(odim.grid.x0 - dataset_grid->x0) < 1.0);
  CHECK(std::abs(odim.grid.y0 - dataset_grid->y0) < 1.0);
  for (std::size_t i = 0; i < lead2.size(); ++i) {
    REQUIRE(odim.valid[i] == !std::isnan(lead2[i]));
    if (odim.valid[i]) REQUIRE(odim.values[i] == Approx(std::max(lead2[i], 0.0f)).margin(0.0051));
  }
  o.format.clear();  // from the suffixes
  o.one_file_per_lead = false;
  o.output = out.file("fc.nc");
  eval::predict(o);
  o.output = out.file("fc.tif");
  CHECK(eval::predict(o).files.size() == 2);
  const auto check = test::run_in(
      out, "/usr/bin/python3 " + std::string(CONVLSTM_SOURCE_DIR) +
               "/scripts/check_georeferenced.py --corner 150000,-3850000 --pixel 8000,8000 --shape 56,56 "
               "--analysis 2010-08-26T01:05:00 --leads 300,600 --netcdf fc.nc --cog fc_201008260105_005.tif "
               "fc_201008260105_010.tif");
  if (check.status == 77) {
    CONVLSTM_SKIP("geo", "python3-xarray, -netcdf4, -rasterio or gdal-bin missing: " << check.err);
  }
  INFO(check.err);
  CHECK(check.status == 0);
}

}  // namespace
}  // namespace convlstm

namespace convlstm {
namespace {

TEST_CASE("persistence on a static field scores CSI 1 and MSE 0", "[eval]") {
  auto& t = trained();
  test::TempDir out;
  data::DatasetMeta m;
  m.height = m.width = 16;
  m.field.quantity = data::Quantity::rain_rate;
  m.field.units = "mm/h";
  m.field.timestep_s = 300;
  {
    data::DatasetWriter w(out.file("static.h5"), m);
    std::vector<float> frame(256);
    for (int i = 0; i < 256; ++i) frame[i] = static_cast<float>((i * 7) % 40);  // 0 to 39 mm/h
    std::vector<std::int64_t> times;
    for (int k = 0; k < 12; ++k) {
      w.append(frame.data());
      times.push_back(1000000 + 300 * k);
    }
    w.finish(times, {});
  }
  eval::EvaluateOptions o;
  o.checkpoint = t.checkpoint;
  o.data = out.file("static.h5");
  const auto e = eval::evaluate(o);
  const auto f = e.sources[1].scores.figures(-1);
  for (const char* name : {"csi@0.5", "csi@2", "csi@5"}) CHECK(test::figure(f, name) == Approx(1.0));
  CHECK(test::figure(f, "mse") == 0.0);
  CHECK(test::figure(f, "mae") == 0.0);
}

}  // namespace
}  // namespace convlstm

namespace convlstm {
namespace {

TEST_CASE("predict on raw KNMI-like files written here: processing repeated, a gap refused", "[eval]") {
  test::TempDir out;
  // Twelve 5-minute files of 32x32 with a rain cell moving one pixel per frame, a missing corner.
  std::vector<std::string> files;
  for (int k = 0; k < 12; ++k) {
    std::vector<float> raw(32 * 32, 0.0f);
    for (int y = 10; y < 18; ++y)
      for (int x = 4 + k; x < 12 + k; ++x) raw[y * 32 + x] = 40.0f;  // 0.4 mm in 5 min = 4.8 mm/h
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) raw[y * 32 + x] = 65535.0f;
    files.push_back(out.file("knmi_" + std::to_string(k) + ".h5"));
    test::write_knmi_file(files.back(), 5 * k, "GEO=0.01*PV+0.0", 32, 32, raw);
  }
  data::ImportOptions io;
  io.crop = data::Crop{0, 0, 32, 32};
  io.downsample = 2;
  data::import_radar(files, out.file("ds.h5"), io);
  const auto cfg =
      config::parse_config("", "knmi-like",
                           {"data.train=" + out.file("ds.h5"), "data.t_in=3", "data.t_out=2",
                            "data.val_fraction=0", "model.patch=2", "model.layers=[{filters: 16, k: 3}]",
                            "train.batch_size=2", "train.max_steps=2", "output.dir=" + out.file("run")});
  train::train_model(cfg, {});
  eval::PredictOptions o;
  o.checkpoint = out.file("run/latest.h5");
  o.inputs = {files[11], files[9], files[10], files[8]};
  o.output = out.file("raw.h5");
  CHECK(eval::predict(o).forecasts == 1);
  {
    auto f = data::h5::File::open_read(o.output);
    CHECK(f.dataset("/pred").dims() == std::vector<std::int64_t>{1, 2, 16, 16});
    std::vector<float> last(256);
    f.dataset("/input_last").read_all(last.data());
    CHECK(std::isnan(last[0]));               // the missing corner, downsampled
    CHECK(last[7 * 16 + 8] == Approx(4.8f));  // inside the cell at frame 11: x in [15, 23), y in [10, 18)
  }
  o.inputs = {files[7], files[8], files[10]};  // 00:45 is missing
  o.output = out.file("gap.h5");
  CHECK_THROWS_WITH(eval::predict(o),
                    Catch::Contains("a gap in the series") && Catch::Contains("knmi_10.h5"));
  CHECK_FALSE(fs::exists(o.output));
}

}  // namespace
}  // namespace convlstm

namespace convlstm {
namespace {

TEST_CASE("evaluate --forecast scores convlstm's own predictions file exactly as the model", "[eval]") {
  auto& t = trained();
  test::TempDir out;
  eval::PredictOptions p;
  p.checkpoint = t.checkpoint;
  p.inputs = {t.data};
  p.output = out.file("mine.h5");
  p.all_windows = true;
  p.stride = 5;
  eval::predict(p);
  eval::EvaluateOptions o;
  o.checkpoint = t.checkpoint;
  o.data = t.data;
  o.stride = 5;
  o.baselines = {"persistence"};
  o.forecasts = {eval::parse_forecast_option("mine=" + p.output)};
  const auto e = eval::evaluate(o);
  REQUIRE(e.sources.size() == 3);
  CHECK(e.sources[2].name == "mine");
  CHECK(e.windows == 11);
  for (const char* f : {"csi@0.5", "mse", "fss@2/9px", "crps"})
    CHECK(test::figure(e.sources[2].scores.figures(-1), f) ==
          test::figure(e.sources[0].scores.figures(-1), f));
  CHECK_THROWS_AS(eval::parse_forecast_option("mine"), UsageError);
  o.forecasts = {eval::parse_forecast_option("persistence=" + p.output)};
  CHECK_THROWS_WITH(eval::evaluate(o), Catch::Contains("another source"));
}

// A pysteps-exporter netCDF forecast: (ens_number, time, y, x), rows south-first, x and y in km, lead times
// in seconds since the analysis time.
void write_pysteps_forecast(const std::string& path, const std::vector<float>& north_first,
                            std::int64_t members, std::int64_t leads, const data::Grid& g,
                            std::int64_t analysis, std::int64_t lead_step) {
  auto nc = data::nc::File::create(path);
  nc.define_dim("ens_number", members);
  nc.define_dim("time", leads);
  nc.define_dim("y", g.rows);
  nc.define_dim("x", g.cols);
  nc.define_var("time", data::nc::File::Type::int64, {"time"});
  char date[64];
  const std::time_t at = analysis;
  std::strftime(date, sizeof date, "seconds since %Y-%m-%d %H:%M:%S", std::gmtime(&at));
  nc.put_att("time", "units", date);
  nc.define_var("x", data::nc::File::Type::float64, {"x"});
  nc.put_att("x", "units", "km");
  nc.define_var("y", data::nc::File::Type::float64, {"y"});
  nc.put_att("y", "units", "km");
  nc.define_var("precip_intensity", data::nc::File::Type::float32, {"ens_number", "time", "y", "x"});
  nc.put_att("precip_intensity", "units", "mm h-1");
  nc.put_att("", "projection", g.proj);
  nc.end_define();
  std::vector<std::int64_t> lead;
  for (std::int64_t k = 1; k <= leads; ++k) lead.push_back(k * lead_step);
  nc.put("time", lead);
  std::vector<double> x, y;
  for (std::int64_t c = 0; c < g.cols; ++c) x.push_back(g.x_centre(c) / 1000);
  for (std::int64_t r = g.rows - 1; r >= 0; --r) y.push_back(g.y_centre(r) / 1000);
  nc.put("x", x);
  nc.put("y", y);
  std::vector<float> south_first(north_first.size());
  const std::int64_t plane = g.rows * g.cols;
  for (std::int64_t p = 0; p < static_cast<std::int64_t>(north_first.size()) / plane; ++p)
    for (std::int64_t r = 0; r < g.rows; ++r)
      std::copy_n(north_first.begin() + p * plane + r * g.cols, g.cols,
                  south_first.begin() + p * plane + (g.rows - 1 - r) * g.cols);
  nc.put("precip_intensity", south_first);
  nc.close();
}

TEST_CASE("evaluate --forecast reads pysteps' netCDF ensembles matched by analysis time - lead and grid",
          "[eval]") {
  auto& t = trained();
  test::TempDir dir;
  // The fixture's frames, on a georeferenced grid, five minutes apart.
  data::DatasetReader src(t.data);
  const std::int64_t n = 16, frames = 30, plane = n * n;
  std::vector<float> v(static_cast<std::size_t>(frames * plane)), m(v.size());
  src.read(0, frames, v.data(), m.data());
  data::DatasetMeta meta;
  meta.height = meta.width = n;
  meta.field = data::field_of(data::Quantity::rain_rate);
  meta.field.timestep_s = 300;
  auto& g = meta.field.grid;
  g.proj = "+proj=stere +lat_0=90 +lon_0=0 +lat_ts=60 +a=6378137 +b=6356752 +x_0=0 +y_0=0";
  g.x0 = 100000;
  g.y0 = -3600000;
  g.dx = g.dy = 1000;
  g.rows = g.cols = n;
  std::vector<std::int64_t> times;
  {
    data::DatasetWriter w(dir.file("geo.h5"), meta);
    for (std::int64_t k = 0; k < frames; ++k) {
      w.append(v.data() + k * plane);
      times.push_back(1282800000 + 300 * k);
    }
    w.finish(times, {});
  }
  // Three members, each the truth of the window starting at frame 0 (inputs 0..2, leads at frames 3..6).
  const std::int64_t members = 3, leads = 4;
  std::vector<float> truth(static_cast<std::size_t>(members * leads * plane));
  for (std::int64_t k = 0; k < members; ++k)
    std::copy_n(v.begin() + 3 * plane, leads * plane, truth.begin() + k * leads * plane);
  write_pysteps_forecast(dir.file("steps.nc"), truth, members, leads, g, times[2], 300);
  eval::EvaluateOptions o;
  o.checkpoint = t.checkpoint;
  o.data = dir.file("geo.h5");
  o.baselines = {};
  o.forecasts = {eval::parse_forecast_option("pysteps=" + dir.file("steps.nc"))};
  const auto e = eval::evaluate(o);
  REQUIRE(e.sources.size() == 2);
  CHECK(e.windows == 1);  // the one window with a forecast
  CHECK(e.sources[1].scores.ensemble());
  const auto f = e.sources[1].scores.figures(-1);
  CHECK(test::figure(f, "crps") == Approx(0.0).margin(1e-6));  // rows flipped back, leads matched
  CHECK(test::figure(f, "mse") == Approx(0.0).margin(1e-9));
  // FSS neighbourhoods in km where the grid is known (1 km pixels here).
  CHECK(e.pixel_m == 1000.0);
  CHECK_THAT(eval::format_table(e), Catch::Contains("FSS at 2 mm/h, 9 px (9 km)"));
  // A grid five pixels off, and lead times 10 minutes apart: one-line errors naming the file and both.
  auto shifted = g;
  shifted.x0 += 5000;
  write_pysteps_forecast(dir.file("off.nc"), truth, members, leads, shifted, times[2], 300);
  o.forecasts = {eval::parse_forecast_option("off=" + dir.file("off.nc"))};
  CHECK_THROWS_WITH(eval::evaluate(o), Catch::Contains("off.nc: forecast grid 16x16 from (105000") &&
                                           Catch::Contains("the evaluated frames' 16x16 from (100000"));
  write_pysteps_forecast(dir.file("slow.nc"), truth, members, leads, g, times[2], 600);
  o.forecasts = {eval::parse_forecast_option("slow=" + dir.file("slow.nc"))};
  CHECK_THROWS_WITH(eval::evaluate(o), Catch::Contains("slow.nc: no lead of 300 s"));
  write_pysteps_forecast(dir.file("late.nc"), truth, members, leads, g, times[2] + 7, 300);
  o.forecasts = {eval::parse_forecast_option("late=" + dir.file("late.nc"))};
  CHECK_THROWS_WITH(eval::evaluate(o), Catch::Contains("late.nc: analysis time") &&
                                           Catch::Contains("is the valid time of no frame of"));
  // At a frame's time that is no window's analysis time (too close to the end): no window to score.
  write_pysteps_forecast(dir.file("end.nc"), truth, members, leads, g, times[frames - 1], 300);
  o.forecasts = {eval::parse_forecast_option("end=" + dir.file("end.nc"))};
  CHECK_THROWS_WITH(eval::evaluate(o), Catch::Contains("no forecast has the analysis time"));
}

}  // namespace
}  // namespace convlstm
