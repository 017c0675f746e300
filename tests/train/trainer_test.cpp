#include "train/trainer.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <sstream>

#include "cascade/base_nowcast.hpp"
#include "checkpoint/checkpoint.hpp"
#include "core/error.hpp"
#include "core/sysinfo.hpp"
#include "data/dataset.hpp"
#include "data/synth_radar.hpp"
#include "data/windows.hpp"
#include "eval/forecaster.hpp"
#include "motion/optical_flow.hpp"
#include "nn/parameters.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"
#include "train/batches.hpp"

namespace convlstm {
namespace {

// A tiny run on 16x16 synthetic radar: 16 filters (the blocked layout), 3 frames in, 3 out.
config::Config tiny_config(const test::TempDir& dir, const std::string& run, std::int64_t steps,
                           std::vector<std::string> extra = {}) {
  // One data file per test process, in its own directory: ctest runs test cases as parallel processes.
  static const test::TempDir data_dir;
  const std::string data = data_dir.file("synth.h5");
  if (!std::filesystem::exists(data)) {
    data::SynthRadarOptions o;
    o.frames = 120;
    o.height = o.width = 16;
    data::write_synth_radar(data, o);
  }
  std::vector<std::string> overrides{"data.train=" + data,
                                     "data.t_in=3",
                                     "data.t_out=3",
                                     "data.normalize.kind=log",
                                     "data.normalize.max=100",
                                     "model.patch=2",
                                     "model.layers=[{filters: 16, k: 3}]",
                                     "train.batch_size=2",
                                     "train.max_steps=" + std::to_string(steps),
                                     "train.optimizer.kind=adam",
                                     "train.optimizer.lr=0.003",
                                     "train.val_every=4",
                                     "train.val_batches=2",
                                     "train.threads=2",
                                     "output.checkpoint_every=4",
                                     "output.dir=" + dir.file(run)};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  return config::parse_config("", "tiny", overrides);
}

std::vector<std::string> train_losses(const std::string& csv) {
  std::ifstream in(csv);
  std::vector<std::string> out;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string step, epoch, loss;
    std::getline(ss, step, ',');
    std::getline(ss, epoch, ',');
    std::getline(ss, loss, ',');
    out.push_back(step + ":" + loss);
  }
  return out;
}

TEST_CASE("training writes checkpoints - metrics - config and log - and learns", "[train][slow]") {
  test::TempDir dir;
  const auto cfg = tiny_config(dir, "run", 20);
  const auto r = train::train_model(cfg, {});
  CHECK(r.steps == 20);
  for (const char* f : {"latest.h5", "best.h5", "metrics.csv", "config.yaml", "train.log"})
    CHECK(std::filesystem::exists(dir.file(std::string("run/") + f)));
  const auto losses = train_losses(dir.file("run/metrics.csv"));
  CHECK(losses.size() == 20);
  // ...and learns: the validation loss at the end is below the first validation's (steps 4 and 20).
  std::ifstream csv(dir.file("run/metrics.csv"));
  std::vector<double> val;
  for (std::string line; std::getline(csv, line);) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cols.push_back(c);
    if (cols.size() > 3 && !cols[3].empty() && cols[0] != "step") val.push_back(std::stod(cols[3]));
  }
  REQUIRE(val.size() == 5);
  CHECK(val.back() < val.front());
  CHECK(r.persistence_val_loss > 0.0);
  CHECK(checkpoint::read_checkpoint_info(dir.file("run/latest.h5")).step == 20);
  // The written config is the effective one and parses back.
  CHECK(config::load_config(dir.file("run/config.yaml")).train.max_steps == 20);
}

// Trains `run` for `steps`, stopped after step `stop_at` (as SIGINT does) and resumed from its latest.h5;
// returns the training losses of metrics.csv.
std::vector<std::string> interrupted_then_resumed(const test::TempDir& dir, const std::string& run,
                                                  std::int64_t steps, std::int64_t stop_at,
                                                  const std::vector<std::string>& extra) {
  std::atomic<bool> stop{false};
  train::TrainOptions first;
  first.stop = &stop;
  first.on_step = [&](const train::StepReport& s) {
    if (s.step == stop_at) stop = true;
  };
  train::train_model(tiny_config(dir, run, steps, extra), first);
  train::TrainOptions resume;
  resume.resume = dir.file(run + "/latest.h5");
  train::train_model(tiny_config(dir, run, steps, extra), resume);
  return train_losses(dir.file(run + "/metrics.csv"));
}

TEST_CASE("a run stopped at step N and resumed logs the same losses as an uninterrupted run",
          "[train][slow]") {
  test::TempDir dir;
  const auto full = train::train_model(tiny_config(dir, "full", 12), {});
  CHECK(full.steps == 12);

  // Interrupted like SIGINT does: the stop flag is seen after step 6, latest.h5 is written.
  std::atomic<bool> stop{false};
  train::TrainOptions first;
  first.stop = &stop;
  first.on_step = [&](const train::StepReport& s) {
    if (s.step == 6) stop = true;
  };
  const auto part = train::train_model(tiny_config(dir, "part", 12), first);
  CHECK(part.interrupted);
  CHECK(checkpoint::read_checkpoint_info(dir.file("part/latest.h5")).step == 6);
  {
    // A run killed mid-write leaves a torn last row (and worse): resume must neither throw nor keep them.
    std::ofstream torn(dir.file("part/metrics.csv"), std::ios::app);
    torn << ",,\n3x,0,1,,1,1,1,1,\n5,0,0.1\n99999999999999999999,0,1,,1,1,1,1,\n";
  }
  train::TrainOptions resume;
  resume.resume = dir.file("part/latest.h5");
  train::train_model(tiny_config(dir, "part", 12), resume);
  CHECK(train_losses(dir.file("part/metrics.csv")) == train_losses(dir.file("full/metrics.csv")));

  // A shorter run extended by max_steps continues the same way (constant schedule).
  train::train_model(tiny_config(dir, "short", 6), {});
  train::TrainOptions more;
  more.resume = dir.file("short/latest.h5");
  train::train_model(tiny_config(dir, "short", 12), more);
  CHECK(train_losses(dir.file("short/metrics.csv")) == train_losses(dir.file("full/metrics.csv")));
}

TEST_CASE("an advection-conditioned run resumed with a cold extrapolation cache logs the same losses",
          "[train][slow]") {
  if (!motion::optical_flow_available()) {
    CONVLSTM_SKIP("opencv", "this build has no OpenCV (the conditioned model needs its optical flow)");
  }
  // The uninterrupted run reads windows of its second epoch from the cache; the resumed one recomputes
  // them: the losses agree only if a cached extrapolation (and its gaps) equals a fresh one bit for bit.
  // The second variant is the default's: gaps, and the loss weighted by the forecast's rate and the lead.
  const std::vector<std::vector<std::string>> variants{
      {"model.forecaster_input=extrapolation", "model.output=residual"},
      {"model.forecaster_input=extrapolation+gaps", "model.output=residual", "train.loss=bmse+bmae",
       "train.balance=max", "train.lead_weights=inverse"}};
  for (auto conditioned : variants) {
    conditioned.push_back("data.stride=5");  // about 10 steps an epoch: epochs 2-3 cached
    INFO(conditioned[0]);
    test::TempDir dir;
    const auto full = train::train_model(tiny_config(dir, "full", 30, conditioned), {});
    CHECK(full.extrapolation_seconds > 0.0);
    const auto a = interrupted_then_resumed(dir, "part", 30, 20, conditioned);
    const auto b = train_losses(dir.file("full/metrics.csv"));
    CHECK(a.size() == 30);
    CHECK(a == b);
  }
}

TEST_CASE("a CRPS-trained stochastic run: members as rows, its noise drawn again on resume, exact losses",
          "[train][slow]") {
  // The noise of a step's members comes from (seed, step, sequence, member): a run stopped and resumed draws
  // what the uninterrupted run drew, so the losses agree step for step.
  std::vector<std::vector<std::string>> variants{
      {"model.noise.channels=2", "model.noise.scale=4", "train.loss=crps", "train.members=2"}};
  if (motion::optical_flow_available())
    variants.push_back({"model.noise.channels=1", "model.noise.scale=8", "model.forecaster_input=sprog+gaps",
                        "model.output=residual", "train.loss=bcrps", "train.members=3",
                        "train.lead_weights=inverse"});
  for (auto v : variants) {
    INFO(v.back());
    test::TempDir dir;
    const auto full = train::train_model(tiny_config(dir, "full", 12, v), {});
    CHECK(full.steps == 12);
    CHECK(std::isfinite(full.last_val_loss));
    CHECK(full.persistence_val_loss > 0.0);
    // The checkpoint describes the noise, so predict and evaluate rebuild the stochastic model.
    const auto info = checkpoint::read_checkpoint_info(dir.file("full/latest.h5"));
    REQUIRE(info.model);
    CHECK(info.model->spec.noise.channels == (v[0] == "model.noise.channels=2" ? 2 : 1));
    const auto a = interrupted_then_resumed(dir, "part", 12, 7, v);
    CHECK(a == train_losses(dir.file("full/metrics.csv")));
  }
}

TEST_CASE("crps needs members and noise, members need crps: refused by key", "[train]") {
  test::TempDir dir;
  const auto refused = [&](const std::vector<std::string>& extra, const std::string& needle) {
    try {
      tiny_config(dir, "x", 2, extra);
      FAIL("accepted " << extra.back());
    } catch (const ConfigError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  refused({"model.noise.channels=1", "train.loss=crps"}, "train.members");
  refused({"train.loss=crps", "train.members=2"}, "model.noise.channels");
  refused({"model.noise.channels=1", "train.members=2"}, "crps");
  refused({"model.noise.scale=0"}, "model.noise.scale");
  refused({"model.noise.channels=1", "train.loss=bcrps", "train.members=2", "train.balance=max"},
          "train.balance");
}

TEST_CASE("the batch loader's cached frames equal a fresh read of the window", "[train]") {
  test::TempDir dir;
  const auto cfg = tiny_config(dir, "x", 1);
  data::DatasetReader file(cfg.data.train.front());
  data::WindowReader reader(file, std::nullopt, 1, cfg.data.normalize);
  train::BatchLoader loader(reader, 2, 3, 3);
  const std::int64_t first[2] = {10, 12}, overlapping[2] = {11, 40};  // frames 11-15 come from the cache
  loader.load(first, 2);
  const auto& b = loader.load(overlapping, 2);
  const std::int64_t fs = reader.frame_size();
  std::vector<float> v(static_cast<std::size_t>(6 * fs)), m(v.size());
  for (int k = 0; k < 2; ++k) {
    reader.read(overlapping[k], 6, v.data(), m.data());
    CHECK(std::equal(v.begin(), v.begin() + 3 * fs, b.inputs.data() + k * 3 * fs));
    CHECK(std::equal(v.begin() + 3 * fs, v.end(), b.targets.data() + k * 3 * fs));
    CHECK(std::equal(m.begin() + 3 * fs, m.end(), b.mask.data() + k * 3 * fs));
  }
}

TEST_CASE("the batch loader's cached extrapolation equals a fresh one", "[train]") {
  if (!motion::optical_flow_available()) {
    CONVLSTM_SKIP("opencv", "this build has no OpenCV");
  }
  // The plain extrapolation, and S-PROG as the base (model.forecaster_input sprog), cached alike.
  const std::string input = GENERATE("extrapolation", "sprog");
  INFO(input);
  test::TempDir dir;
  const auto cfg = tiny_config(dir, "x", 1, {"model.forecaster_input=" + input});
  data::DatasetReader file(cfg.data.train.front());
  data::WindowReader reader(file, std::nullopt, 1, cfg.data.normalize);
  const auto spec = config::model_spec(cfg, 1, reader.height(), reader.width());
  auto loader = [&] {
    return train::BatchLoader(
        reader, 2, 3, 3,
        cascade::make_base_nowcast(spec, spec.height, spec.width, 3, 3, cfg.data.normalize,
                                   data::Quantity::rain_rate, "dis"));
  };
  train::BatchLoader cached = loader(), fresh = loader();
  const std::int64_t starts[2] = {10, 40}, other[2] = {60, 70};
  cached.load(starts, 2);
  cached.load(other, 2);
  const auto& again = cached.load(starts, 2);
  CHECK(cached.extrapolations_computed() == 4);
  CHECK(cached.extrapolations_cached() == 2);
  const std::vector<float> a(again.extrapolation.begin(), again.extrapolation.end());
  const auto& b = fresh.load(starts, 2);
  CHECK(a == std::vector<float>(b.extrapolation.begin(), b.extrapolation.end()));
  // Something moved: the extrapolation is not the last input frame repeated everywhere.
  CHECK(std::any_of(a.begin(), a.end(), [](float v) { return v > 0.0f; }));
}

TEST_CASE("the batch loader carries the extrapolation's gaps cached and fresh alike", "[train]") {
  if (!motion::optical_flow_available()) {
    CONVLSTM_SKIP("opencv", "this build has no OpenCV");
  }
  test::TempDir dir;
  const auto cfg = tiny_config(dir, "x", 1, {"model.forecaster_input=extrapolation+gaps"});
  data::DatasetReader file(cfg.data.train.front());
  data::WindowReader reader(file, std::nullopt, 1, cfg.data.normalize);
  const auto spec = config::model_spec(cfg, 1, reader.height(), reader.width());
  REQUIRE(spec.needs_gaps());
  auto extrapolator = [&] {
    return cascade::make_base_nowcast(spec, spec.height, spec.width, 3, 3, cfg.data.normalize,
                                      data::Quantity::rain_rate, "dis");
  };
  train::BatchLoader cached(reader, 2, 3, 3, extrapolator(), std::nullopt, true);
  train::BatchLoader fresh(reader, 2, 3, 3, extrapolator(), std::nullopt, true);
  const std::int64_t starts[2] = {10, 40}, other[2] = {60, 70};
  cached.load(starts, 2);
  cached.load(other, 2);
  const auto& again = cached.load(starts, 2);
  REQUIRE(cached.extrapolations_cached() == 2);
  const std::vector<float> gaps(again.gaps.begin(), again.gaps.end());
  const auto& b = fresh.load(starts, 2);
  CHECK(gaps == std::vector<float>(b.gaps.begin(), b.gaps.end()));
  // The gaps are the extrapolator's own, for each window of the batch.
  const std::int64_t fs = reader.frame_size();
  std::vector<float> frames(static_cast<std::size_t>(6 * fs)), mask(frames.size()), e(3 * fs), g(3 * fs);
  auto direct = extrapolator();
  for (int k = 0; k < 2; ++k) {
    reader.read(starts[k], 6, frames.data(), mask.data());
    direct->run(frames.data(), mask.data(), e.data(), g.data());
    CHECK(std::equal(g.begin(), g.end(), gaps.begin() + k * 3 * fs));
  }
  // Every value is 0 or 1, and the wind of the synthetic series carries trajectories off the grid.
  CHECK(std::all_of(gaps.begin(), gaps.end(), [](float v) { return v == 0.0f || v == 1.0f; }));
  CHECK(std::any_of(gaps.begin(), gaps.end(), [](float v) { return v == 1.0f; }));
}

TEST_CASE("random crops are drawn from (seed, epoch, window), inside the frame, and favour rain on request",
          "[train]") {
  // 32x32 frames wet in their left half only: an 8x8 crop is at least half wet for 13 of 25 column offsets.
  const std::int64_t n = 2, h = 32, w = 32;
  std::vector<float> values(static_cast<std::size_t>(n * h * w), 0.0f), mask(values.size(), 1.0f);
  for (std::int64_t i = 0; i < n * h * w; ++i) values[i] = (i % w) < 16 ? 0.5f : 0.0f;
  train::RandomCrop crop{8, 8, 0.0, 0.25f, 7};
  const auto a = train::draw_crop(crop, 3, 40, values.data(), mask.data(), n, 1, h, w);
  const auto b = train::draw_crop(crop, 3, 40, values.data(), mask.data(), n, 1, h, w);
  CHECK((a.y0 == b.y0 && a.x0 == b.x0));
  int moved = 0, half_wet = 0, half_wet_favoured = 0;
  double wet = 0.0, wet_favoured = 0.0;
  train::RandomCrop favour = crop;
  favour.min_wet = 0.5;
  for (std::int64_t start = 0; start < 200; ++start) {
    const auto p = train::draw_crop(crop, 0, start, values.data(), mask.data(), n, 1, h, w);
    const auto q = train::draw_crop(crop, 1, start, values.data(), mask.data(), n, 1, h, w);
    REQUIRE((p.y0 >= 0 && p.x0 >= 0 && p.y0 + 8 <= h && p.x0 + 8 <= w));
    moved += p.y0 != q.y0 || p.x0 != q.x0;  // another epoch, another crop
    const double s = train::wet_share(values.data(), mask.data(), n, 1, h, w, p.y0, p.x0, 8, 8, 0.25f);
    wet += s;
    half_wet += s >= 0.5;
    const auto f = train::draw_crop(favour, 0, start, values.data(), mask.data(), n, 1, h, w);
    CHECK(f.wet == train::wet_share(values.data(), mask.data(), n, 1, h, w, f.y0, f.x0, 8, 8, 0.25f));
    wet_favoured += f.wet;
    half_wet_favoured += f.wet >= 0.5;
  }
  CHECK(moved > 180);
  CHECK(half_wet > 60);
  CHECK(half_wet < 150);            // about 13/25 of 200 without the requirement
  CHECK(half_wet_favoured >= 195);  // missing it ten times running: (12/25)^10, about 1 in 1,500
  CHECK(wet_favoured > wet + 20.0);
}

TEST_CASE("training on random crops: the crop's grid, fixed validation crops, and exact resume",
          "[train][slow]") {
  if (!motion::optical_flow_available()) {
    CONVLSTM_SKIP("opencv", "this build has no OpenCV (the conditioned model needs its optical flow)");
  }
  const std::vector<std::string> cropped{"data.random_crop=[8, 12]", "data.crop_min_wet=0.1",
                                         "model.forecaster_input=extrapolation", "model.output=residual",
                                         "data.stride=5"};
  test::TempDir dir;
  const auto full = train::train_model(tiny_config(dir, "full", 24, cropped), {});
  const auto info = checkpoint::read_checkpoint_info(dir.file("full/latest.h5"));
  CHECK(info.frame_height == 8);
  CHECK(info.frame_width == 12);
  CHECK(full.crop_wet_share > 0.0);
  CHECK(full.crop_wet_share >= full.window_wet_share);
  // The memory estimate is the crop's: smaller than the whole frame's.
  const auto cfg = tiny_config(dir, "full", 24, cropped);
  CHECK(train::training_memory_bytes(cfg, 1, 8, 12) < train::training_memory_bytes(cfg, 1, 16, 16));

  const auto a = interrupted_then_resumed(dir, "part", 24, 14, cropped);
  const auto b = train_losses(dir.file("full/metrics.csv"));
  CHECK(a.size() == 24);
  CHECK(a == b);

  // Validation batches: the same crop of a window every time; training: another crop in another epoch.
  data::DatasetReader file(cfg.data.train.front());
  data::WindowReader reader(file, std::nullopt, 1, cfg.data.normalize);
  train::BatchLoader loader(reader, 2, 3, 3, nullptr, train::RandomCrop{8, 12, 0.0, 0.0f, 1});
  const std::int64_t starts[2] = {10, 50};
  auto inputs = [&](std::int64_t epoch) {
    const auto& t = loader.load(starts, 2, epoch).inputs;
    return std::vector<float>(t.begin(), t.end());
  };
  const auto v1 = inputs(train::kFixedCropEpoch), e1 = inputs(1);
  const auto v2 = inputs(train::kFixedCropEpoch), e2 = inputs(2);
  CHECK(v1 == v2);
  CHECK(e1 != e2);
  CHECK(loader.height() == 8);
  CHECK(loader.width() == 12);
}

// A second synthetic series of another size, for training on several datasets.
std::string other_synth(const test::TempDir& dir, std::int64_t h, std::int64_t w, std::uint64_t seed) {
  const std::string path = dir.file("other_" + std::to_string(h) + "x" + std::to_string(w) + ".h5");
  data::SynthRadarOptions o;
  o.frames = 60;
  o.height = h;
  o.width = w;
  o.seed = seed;
  data::write_synth_radar(path, o);
  return path;
}

TEST_CASE("training on several datasets: windows from each, by weight, S-PROG as the base, exact resume",
          "[train][slow]") {
  if (!motion::optical_flow_available()) {
    CONVLSTM_SKIP("opencv", "this build has no OpenCV (the S-PROG base needs its optical flow)");
  }
  test::TempDir dir;
  const std::string first = tiny_config(dir, "x", 1).data.train.front(), second = other_synth(dir, 20, 24, 5);
  const std::vector<std::string> several{"data.train=[" + first + ", " + second + "]",
                                         "data.weights=[1, 3]",
                                         "data.random_crop=[8, 12]",
                                         "data.stride=3",
                                         "model.forecaster_input=sprog+gaps",
                                         "model.output=residual"};
  const auto full = train::train_model(tiny_config(dir, "full", 20, several), {});
  CHECK(full.steps == 20);
  CHECK(full.extrapolation_seconds > 0.0);
  // The checkpoint's record of the data names both files and holds no single map grid.
  const auto info = checkpoint::read_checkpoint_info(dir.file("full/latest.h5"));
  CHECK_THAT(info.data.source, Catch::Contains(first) && Catch::Contains(second));
  CHECK_FALSE(info.data.georeferenced());
  CHECK(info.frame_height == 8);
  // Stopped at step 11 and resumed with cold caches: the same losses, step for step.
  const auto a = interrupted_then_resumed(dir, "part", 20, 11, several);
  CHECK(a == train_losses(dir.file("full/metrics.csv")));
  // The loader reads a window of each file, by its source.
  const auto cfg = tiny_config(dir, "x", 1, several);
  data::DatasetReader f0(first), f1(second);
  data::WindowReader r0(f0, std::nullopt, 1, cfg.data.normalize), r1(f1, std::nullopt, 1, cfg.data.normalize);
  std::vector<train::LoaderSource> sources;
  sources.push_back({&r0, nullptr});
  sources.push_back({&r1, nullptr});
  train::BatchLoader loader(std::move(sources), 2, 3, 3, train::RandomCrop{8, 12, 0.0, 0.0f, 1});
  const data::WindowRef windows[2] = {{0, 4}, {1, 4}};
  const auto& batch = loader.load(windows, 2, 0);
  std::vector<float> frame(static_cast<std::size_t>(6 * r1.frame_size())), mask(frame.size());
  r1.read(4, 6, frame.data(), mask.data());
  // The second sequence is a crop of the second file's window: its last input frame's values are among
  // that window's.
  const float* in1 = batch.inputs.data() + (1 * 3 + 2) * 8 * 12;
  const float* last = frame.data() + 2 * r1.frame_size();
  CHECK(std::all_of(in1, in1 + 8 * 12, [&](float v) {
    return std::find(last, last + r1.frame_size(), v) != last + r1.frame_size();
  }));
}

TEST_CASE("several datasets must agree on size without random crops, and on the quantity", "[train]") {
  test::TempDir dir;
  const std::string first = tiny_config(dir, "x", 1).data.train.front(), second = other_synth(dir, 20, 24, 5);
  CHECK_THROWS_WITH(
      train::train_model(tiny_config(dir, "sizes", 2, {"data.train=[" + first + ", " + second + "]"}), {}),
      Catch::Contains(second) && Catch::Contains("20x24") && Catch::Contains("data.random_crop"));
  // A crop larger than one of the files names that file.
  CHECK_THROWS_WITH(train::train_model(tiny_config(dir, "crop", 2,
                                                   {"data.train=[" + second + ", " + first + "]",
                                                    "data.random_crop=[18, 8]"}),
                                       {}),
                    Catch::Contains(first) && Catch::Contains("data.random_crop [18, 8]"));
  CHECK_THROWS_WITH(config::parse_config("", "c", {"data.train=[a.h5, b.h5]", "data.weights=[1]"}),
                    Catch::Contains("data.weights") && Catch::Contains("2 data.train files"));
  CHECK_THROWS_WITH(config::parse_config("", "c", {"data.train=[a.h5, b.h5]", "data.weights=[1, -1]"}),
                    Catch::Contains("data.weights") && Catch::Contains("positive"));
  CHECK_THROWS_WITH(config::parse_config("", "c", {"data.train=[]"}), Catch::Contains("data.train"));
  // One file is written back as a plain string, several as a list.
  CHECK_THAT(config::to_yaml(config::parse_config("", "c", {"data.train=a.h5"})),
             Catch::Contains("train: a.h5"));
  CHECK_THAT(
      config::to_yaml(config::parse_config("", "c", {"data.train=[a.h5, b.h5]", "data.weights=[1, 2]"})),
      Catch::Contains("train: [a.h5, b.h5]") && Catch::Contains("weights: [1.0, 2.0]"));
}

TEST_CASE("a random crop larger than the frames is refused by name", "[train]") {
  test::TempDir dir;
  CHECK_THROWS_WITH(train::train_model(tiny_config(dir, "big", 2, {"data.random_crop=[20, 8]"}), {}),
                    Catch::Contains("data.random_crop [20, 8]") && Catch::Contains("16x16"));
  CHECK_THROWS_WITH(config::parse_config("", "c", {"data.random_crop=[9, 8]", "model.patch=2"}),
                    Catch::Contains("data.random_crop") && Catch::Contains("multiple of model.patch"));
}

TEST_CASE("a diverging run stops with an error naming the step and keeps the last checkpoint",
          "[train][slow]") {
  test::TempDir dir;
  auto cfg = tiny_config(dir, "nan", 30);
  cfg.train.optimizer.kind = "sgd";
  cfg.train.optimizer.momentum = 0.0;
  cfg.train.optimizer.lr = 1e12;
  cfg.model.output = nn::OutputActivation::identity;
  cfg.output.checkpoint_every = 1;
  std::int64_t failed_step = -1;
  try {
    train::train_model(cfg, {});
    FAIL("no error");
  } catch (const Error& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::StartsWith("step "));
    CHECK_THAT(what, Catch::Contains("checkpoint is intact"));
    failed_step = std::stoll(what.substr(5));
  }
  // latest.h5 holds the last step that finished, with finite parameters.
  REQUIRE(failed_step > 1);
  const auto info = checkpoint::read_checkpoint_info(dir.file("nan/latest.h5"));
  CHECK(info.step == failed_step - 1);
  nn::ParameterTable params(config::model_spec(cfg, 1, 16, 16));
  checkpoint::read_checkpoint_tensors(dir.file("nan/latest.h5"), params, nullptr);
  CHECK(std::all_of(params.flat().begin(), params.flat().end(), [](float v) { return std::isfinite(v); }));
}

TEST_CASE("resume refuses a config whose data order or arithmetic changed - naming each key", "[train]") {
  test::TempDir dir;
  train::train_model(tiny_config(dir, "r", 2), {});
  train::TrainOptions resume;
  resume.resume = dir.file("r/latest.h5");
  auto changed = tiny_config(dir, "r", 4, {"train.seed=2", "train.batch_size=3", "train.loss=mae"});
  try {
    train::train_model(changed, resume);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("train.seed") && Catch::Contains("train.batch_size") &&
                             Catch::Contains("train.loss") && Catch::Contains("r/latest.h5"));
    CHECK_THAT(e.what(), !Catch::Contains("max_steps"));
  }
  // More steps, another cadence and other threads are fine.
  CHECK(
      train::train_model(tiny_config(dir, "r", 4, {"train.val_every=2", "train.threads=1"}), resume).steps ==
      4);
}

TEST_CASE("an update that overflows the parameters stops training at that step", "[train]") {
  // The fused gates run under fast-math, where an Inf or NaN weight need not show in the next loss: the
  // trainer checks the parameters after every update instead of relying on NaN reaching the loss.
  test::TempDir dir;
  auto cfg = tiny_config(dir, "inf", 10);
  cfg.train.optimizer.kind = "sgd";
  cfg.train.optimizer.momentum = 0.0;
  cfg.train.optimizer.lr = 1e30;
  cfg.train.optimizer.weight_decay = 1e10;  // |update| ~ 1e30 * 1e10 * |w| > FLT_MAX: w becomes ±Inf
  cfg.output.checkpoint_every = 1;
  CHECK_THROWS_WITH(train::train_model(cfg, {}), Catch::StartsWith("step 1: ") &&
                                                     Catch::Contains("non-finite") &&
                                                     Catch::Contains("checkpoint is intact"));
  CHECK_FALSE(std::filesystem::exists(dir.file("inf/latest.h5")));  // nothing non-finite was written
}

TEST_CASE("training refuses data with fewer frames than one window", "[train]") {
  test::TempDir dir;
  auto cfg = tiny_config(dir, "short", 5);
  cfg.data.t_in = 100;
  CHECK_THROWS_WITH(train::train_model(cfg, {}), Catch::Contains("no training window"));
}

TEST_CASE("training refuses a normalisation or loss that does not fit the data's quantity", "[train]") {
  test::TempDir dir;
  auto write = [&](const std::string& name, data::Quantity quantity) {
    data::DatasetMeta meta;
    meta.height = meta.width = 8;
    meta.field.quantity = quantity;
    meta.field.units = data::units_of(quantity);
    data::DatasetWriter w(dir.file(name), meta);
    std::vector<float> frame(64, 20.0f);
    for (int t = 0; t < 30; ++t) w.append(frame.data());
    w.finish({}, {});
  };
  write("dbz.h5", data::Quantity::reflectivity);
  write("acc.h5", data::Quantity::accumulation);
  auto cfg = tiny_config(dir, "q", 2);
  cfg.data.train = {dir.file("dbz.h5")};
  cfg.data.normalize.kind = data::NormalizeKind::dbz;  // would convert dBZ as if it were mm/h
  CHECK_THROWS_WITH(train::train_model(cfg, {}),
                    Catch::Contains("data.normalize.kind") && Catch::Contains("reflectivity already"));
  cfg.data.train = {dir.file("acc.h5")};
  cfg.data.normalize.kind = data::NormalizeKind::log;
  cfg.train.loss = "bmse";  // HKO-7 weights are for rain rates
  CHECK_THROWS_WITH(train::train_model(cfg, {}),
                    Catch::Contains("train.loss") && Catch::Contains("accumulation"));
  cfg.train.loss = "mse";
  CHECK(train::train_model(cfg, {}).steps == 2);
}

TEST_CASE("training refuses a model that needs more memory than the machine has", "[train]") {
  test::TempDir dir;
  // The batch is sized from this machine's RAM (twice of it, by the trainer's own estimate), so the test is
  // refused on any machine and never allocates: on a large server constants would not be enough.
  auto cfg = tiny_config(dir, "huge", 5);
  cfg.model.layers = {{256, 3, 3}};
  const double ram = physical_memory_bytes();
  REQUIRE(ram > 0);
  cfg.train.batch_size = 1;
  const double one = train::training_memory_bytes(cfg, 1, 16, 16);
  cfg.train.batch_size = 2;
  const double per_sequence = train::training_memory_bytes(cfg, 1, 16, 16) - one;
  REQUIRE(per_sequence > 0);
  cfg.train.batch_size = static_cast<std::int64_t>(2.0 * ram / per_sequence) + 2;
  REQUIRE(train::training_memory_bytes(cfg, 1, 16, 16) > 1.5 * ram);
  CHECK_THROWS_WITH(train::train_model(cfg, {}), Catch::Contains("more than 90% of this machine's"));
}

// The patch-periodic component of frames (n, H, W) for patch p: the largest mean deviation, over the n frames
// and the p x p blocks that hold a pixel of `where`, of one sub-pixel position from its block's mean. The
// drizzle veil of the paper's model was such a pattern (each of the p² sub-pixel channels with its own
// level).
double patch_periodic(const std::vector<float>& v, std::int64_t n, std::int64_t h, std::int64_t w,
                      std::int64_t p, const std::vector<bool>& where) {
  double worst = 0.0;
  for (std::int64_t f = 0; f < n; ++f) {
    std::vector<double> dev(static_cast<std::size_t>(p * p), 0.0);
    std::int64_t blocks = 0;
    for (std::int64_t by = 0; by + p <= h; by += p)
      for (std::int64_t bx = 0; bx + p <= w; bx += p) {
        double mean = 0.0;
        bool in = false;
        for (std::int64_t i = 0; i < p; ++i)
          for (std::int64_t j = 0; j < p; ++j) {
            mean += v[(f * h + by + i) * w + bx + j];
            in = in || where[(by + i) * w + bx + j];
          }
        if (!in) continue;
        ++blocks;
        mean /= static_cast<double>(p * p);
        for (std::int64_t i = 0; i < p; ++i)
          for (std::int64_t j = 0; j < p; ++j) dev[i * p + j] += v[(f * h + by + i) * w + bx + j] - mean;
      }
    for (double d : dev)
      worst = std::max(worst, std::abs(d) / static_cast<double>(std::max<std::int64_t>(blocks, 1)));
  }
  return worst;
}

TEST_CASE("a trained model forecasts a smooth field without a patch-periodic component", "[train]") {
  // Three models trained 40 steps on 16x16 synthetic radar (patch 2): the residual one without and with the
  // patch tent, and the paper's, then asked for a smooth field on 64x64:
  // a broad rain cell, 5 (1 - r²/8²)² mm/h, that stays where it is. By its symmetry the field itself has no
  // patch-periodic component. Pixels farther than the model's receptive field from any rain (16 pixels,
  // Chebyshev: 3 + 3 steps of one 3x3 layer, a cell of slack, 2 pixels a cell) see nothing but dry inputs.
  test::TempDir dir;
  const std::int64_t H = 64, W = 64, t_in = 3, reach = 16;
  const double peak = 5.0, radius = 8.0;
  std::vector<float> field(static_cast<std::size_t>(H * W));
  for (std::int64_t y = 0; y < H; ++y)
    for (std::int64_t x = 0; x < W; ++x) {
      const double r2 = ((y - 31.5) * (y - 31.5) + (x - 31.5) * (x - 31.5)) / (radius * radius);
      field[y * W + x] = r2 < 1.0 ? static_cast<float>(peak * (1.0 - r2) * (1.0 - r2)) : 0.0f;
    }
  std::vector<bool> far(field.size(), true);
  for (std::int64_t y = 0; y < H; ++y)
    for (std::int64_t x = 0; x < W; ++x)
      if (field[y * W + x] > 0.0f)
        for (std::int64_t v = std::max<std::int64_t>(0, y - reach); v <= std::min(H - 1, y + reach); ++v)
          for (std::int64_t u = std::max<std::int64_t>(0, x - reach); u <= std::min(W - 1, x + reach); ++u)
            far[v * W + u] = false;
  REQUIRE(std::count(far.begin(), far.end(), true) > 500);
  std::vector<float> inputs, mask(static_cast<std::size_t>(t_in * H * W), 1.0f);
  for (std::int64_t t = 0; t < t_in; ++t) inputs.insert(inputs.end(), field.begin(), field.end());
  std::vector<bool> wet(field.size());
  std::transform(field.begin(), field.end(), wet.begin(), [](float v) { return v > 0.0f; });
  REQUIRE(patch_periodic(field, 1, H, W, 2, wet) < 1e-9);
  auto forecast_of = [&](const std::string& run, std::vector<std::string> extra) {
    extra.push_back("model.peephole=channel");  // forecasts a grid it did not train on
    train::train_model(tiny_config(dir, run, 40, std::move(extra)), {});
    eval::Forecaster f(dir.file(run + "/latest.h5"), 1);
    f.set_grid(H, W, "smooth field");
    std::vector<float> pred(static_cast<std::size_t>(f.t_out() * H * W));
    f.forecast(inputs.data(), mask.data(), pred.data());
    double far_max = 0.0;
    for (std::int64_t t = 0; t < f.t_out(); ++t)
      for (std::int64_t i = 0; i < H * W; ++i)
        if (far[i]) far_max = std::max(far_max, static_cast<double>(pred[t * H * W + i]));
    return std::pair<double, double>{patch_periodic(pred, f.t_out(), H, W, 2, wet), far_max};
  };
  const auto [conditioned, conditioned_far] =
      forecast_of("conditioned", {"model.forecaster_input=extrapolation", "model.output=residual"});
  const auto [tent, tent_far] = forecast_of(
      "tent", {"model.forecaster_input=extrapolation", "model.output=residual", "model.output_filter=tent"});
  const auto [paper, paper_far] = forecast_of("paper", {});
  INFO("patch-periodic component, mm/h: conditioned " << conditioned << ", through the tent " << tent
                                                      << ", paper's " << paper);
  INFO("largest forecast far from rain, mm/h: conditioned " << conditioned_far << ", paper's " << paper_far);
  // Far from rain both residual models are dry (no bias-driven veil): nothing there but rounding residue that
  // reaches past the nominal receptive field (3e-20 mm/h seen, against the paper's 0.7). Under the cell the
  // head's sub-pixel weights repeat with the patch unless the tent smooths the correction.
  CHECK(conditioned_far < 1e-9);
  CHECK(tent_far < 1e-9);
  CHECK(tent < 0.002 * peak);  // 0.01 mm/h under a 5 mm/h cell
  // The measures see the veil and the pattern where they are: the paper's model and the residual model
  // without the tent, trained the same way.
  CHECK(paper_far > 0.01);
  CHECK(paper > 5 * tent);
  CHECK(conditioned > 10 * tent);  // the tent's own effect: an order of magnitude
}

}  // namespace
}  // namespace convlstm

namespace convlstm {
namespace {

std::vector<float> checkpoint_params(const config::Config& cfg, const std::string& path) {
  nn::ParameterTable p(config::model_spec(cfg, 1, 16, 16));
  checkpoint::read_checkpoint_tensors(path, p, nullptr);
  return {p.flat().begin(), p.flat().end()};
}

TEST_CASE("train.init_from starts from a checkpoint's parameters with a fresh optimizer and step count",
          "[train]") {
  test::TempDir dir;
  train::train_model(tiny_config(dir, "a", 8), {});
  // Practically no update (SGD, lr 1e-12): B's parameters after one step are A's, not a fresh initialisation.
  auto b = tiny_config(dir, "b", 1);
  b.train.init_from = dir.file("a/latest.h5");
  b.train.seed = 2;
  b.train.optimizer.kind = "sgd";
  b.train.optimizer.lr = 1e-12;
  train::train_model(b, {});
  auto fresh = b;
  fresh.train.init_from.reset();
  fresh.output.dir = dir.file("fresh");
  train::train_model(fresh, {});
  const auto pa = checkpoint_params(b, dir.file("a/latest.h5")),
             pb = checkpoint_params(b, dir.file("b/latest.h5")),
             pf = checkpoint_params(b, dir.file("fresh/latest.h5"));
  double same = 0.0, other = 0.0;
  for (std::size_t i = 0; i < pa.size(); ++i) {
    same = std::max(same, static_cast<double>(std::abs(pa[i] - pb[i])));
    other = std::max(other, static_cast<double>(std::abs(pa[i] - pf[i])));
  }
  CHECK(same < 1e-6);
  CHECK(other > 1e-2);
  CHECK(checkpoint::read_checkpoint_info(dir.file("b/latest.h5")).step == 1);
  CHECK(checkpoint::read_checkpoint_info(dir.file("b/latest.h5")).optimizer_kind == "sgd");

  auto wider = tiny_config(dir, "c", 1);
  wider.model.layers = {{32, 3, 3}};
  wider.train.init_from = dir.file("a/latest.h5");
  CHECK_THROWS_WITH(train::train_model(wider, {}), Catch::Contains("train.init_from") &&
                                                       Catch::Contains("a/latest.h5") &&
                                                       Catch::Contains("shape"));
}

TEST_CASE("bf16 warns when the CPU's bf16 peak is below its fp32 peak", "[train]") {
  CHECK(train::bf16_speed_warning(827.0, 449.0).empty());
  CHECK(train::bf16_speed_warning(300.0, 300.0).empty());
  const auto w = train::bf16_speed_warning(147.0, 328.0);
  CHECK_THAT(w, Catch::Contains("train.precision bf16") && Catch::Contains("147") && Catch::Contains("328"));
  CHECK(w.find('\n') == std::string::npos);
}

}  // namespace
}  // namespace convlstm
