#include "train/bench.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "checkpoint/checkpoint.hpp"
#include "core/error.hpp"
#include "core/sysinfo.hpp"
#include "data/h5.hpp"
#include "motion/optical_flow.hpp"
#include "nn/parameters.hpp"
#include "ops/precision.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"
#include "train/trainer.hpp"

namespace convlstm {
namespace {

config::Config tiny_bench_config(const std::string& loss = "bce") {
  return config::parse_config(
      "", "tiny-bench",
      {"bench.frame=[1, 16, 16]", "data.t_in=3", "data.t_out=2", "model.patch=2",
       "model.layers=[{filters: 16, k: 3}]", "train.batch_size=2", "train.loss=" + loss, "train.threads=1"});
}

TEST_CASE("bench times every phase of a training step and reports FLOPs and memory", "[train][bench]") {
  train::BenchOptions o;
  o.steps = 3;
  o.warmup = 1;
  o.measure_peak = false;
  const auto r = train::run_bench(tiny_bench_config(), o);
  CHECK(r.batch == 2);
  CHECK(r.steps == 3);
  CHECK(r.precision == "fp32");
  for (const auto* t : {&r.forward, &r.backward, &r.optimizer, &r.step, &r.infer}) {
    CHECK(t->min > 0.0);
    CHECK(t->min <= t->median);
  }
  CHECK(r.step.median >= r.forward.min + r.backward.min);
  CHECK(r.train_flops > 2.0 * r.infer_flops);  // backward costs about twice the forward
  CHECK(r.peak_rss_bytes > 0.0);
  CHECK(r.estimate_bytes > 0.0);
  CHECK(r.first_loss > 0.0);
  CHECK(r.peak_fraction() == 0.0);  // not measured
  const auto json = train::to_json(r);
  for (const char* key : {"\"train_step_s\": ", "\"infer_s\": ", "\"peak_rss_mib\": ", "\"gflops\": ",
                          "\"peak_fraction\": ", "\"forward_s\": ", "\"backward_s\": ", "\"optimizer_s\": "})
    CHECK_THAT(json, Catch::Contains(key));
  CHECK_THAT(train::format_bench(r), Catch::Contains("train step"));
}

TEST_CASE("bench --infer-only times the inference alone - with its FLOPs and memory", "[train][bench]") {
  train::BenchOptions o;
  o.steps = 2;
  o.warmup = 1;
  o.measure_peak = false;
  o.infer_only = true;
  const auto r = train::run_bench(tiny_bench_config(), o);
  CHECK(r.infer.min > 0.0);
  CHECK(r.step.median == 0.0);  // no training step was run
  CHECK(r.train_flops == 0.0);
  CHECK(r.infer_flops > 0.0);
  CHECK(r.peak_rss_bytes > 0.0);
  CHECK_THAT(train::to_json(r), Catch::Contains("\"infer_only\": true"));
  const auto table = train::format_bench(r);
  CHECK_THAT(table, Catch::Contains("inference"));
  CHECK_THAT(table, !Catch::Contains("train step"));
}

TEST_CASE("bench steps on the random crop's shape, not the whole frames'", "[train][bench]") {
  train::BenchOptions o;
  o.steps = 1;
  o.warmup = 0;
  o.measure_peak = false;
  auto cfg = tiny_bench_config();
  cfg.bench.frame = config::FrameShape{1, 64, 48};
  const auto whole = train::run_bench(cfg, o);
  cfg.data.random_crop = std::pair<std::int64_t, std::int64_t>{16, 16};
  const auto cropped = train::run_bench(cfg, o);
  CHECK_THAT(whole.model, Catch::Contains("64x48"));
  CHECK_THAT(cropped.model, Catch::Contains("16x16"));
  CHECK(cropped.estimate_bytes < whole.estimate_bytes);
  CHECK(cropped.estimate_bytes == train::training_memory_bytes(cfg, 1, 16, 16));
}

TEST_CASE("bench times the extrapolation of a conditioned model and dumps it", "[train][bench]") {
  if (!motion::optical_flow_available())
    CONVLSTM_SKIP("opencv", "this build has no OpenCV (the conditioned model needs its optical flow)");
  test::TempDir dir;
  train::BenchOptions o;
  o.steps = 2;
  o.warmup = 0;
  o.measure_peak = false;
  o.dump_dir = dir.file("case");
  auto cfg = tiny_bench_config("mse");
  cfg.model.forecaster_input = nn::ForecasterInput::extrapolation;
  cfg.model.output = nn::OutputActivation::residual;
  const auto r = train::run_bench(cfg, o);
  CHECK(r.extrapolation.min > 0.0);
  CHECK_THAT(train::to_json(r), Catch::Contains("\"extrapolation_s\": "));
  CHECK_THAT(train::format_bench(r), Catch::Contains("uncached"));
  auto f = data::h5::File::open_read(dir.file("case/case.h5"));
  CHECK(f.dataset("/extrapolation").dims() == (std::vector<std::int64_t>{2, 2, 1, 16, 16}));
  // The dump's residual head is random, so the comparison sees every gradient.
  nn::ParameterTable p(config::model_spec(cfg, 1, 16, 16));
  checkpoint::read_checkpoint_tensors(dir.file("case/checkpoint.h5"), p, nullptr);
  CHECK(std::any_of(p.model.head_w.begin(), p.model.head_w.end(), [](float v) { return v != 0.0f; }));
  // The paper's model has no extrapolation phase.
  CHECK(train::run_bench(tiny_bench_config("mse"), {2, 0, {}, {}, {}, false}).extrapolation.median == 0.0);
}

TEST_CASE("bench --dump writes the initial weights and the first step's gradients", "[train][bench]") {
  test::TempDir dir;
  train::BenchOptions o;
  o.steps = 1;
  o.warmup = 0;
  o.measure_peak = false;
  o.dump_dir = dir.file("case");
  const auto cfg = tiny_bench_config("mse");
  const auto r = train::run_bench(cfg, o);
  const auto info = checkpoint::read_checkpoint_info(dir.file("case/checkpoint.h5"));
  CHECK(info.frame_height == 16);
  const auto spec = config::model_spec(cfg, 1, 16, 16);
  nn::ParameterTable params(spec);
  checkpoint::read_checkpoint_tensors(dir.file("case/checkpoint.h5"), params,
                                      nullptr);  // shapes match the model
  const auto f = data::h5::File::open_read(dir.file("case/case.h5"));
  CHECK(f.root().attr_double("loss") == Approx(r.first_loss));
  CHECK(f.dataset("/inputs").dims() == std::vector<std::int64_t>{2, 3, 1, 16, 16});
  CHECK(f.dataset("/targets").dims() == std::vector<std::int64_t>{2, 2, 1, 16, 16});
  for (const auto& t : params.tensors) CHECK(f.root().has("grad/" + t.name));
}

TEST_CASE("bench needs a frame shape from bench.frame or an existing data file", "[train][bench]") {
  auto cfg = config::parse_config("", "c", {"data.train=/nonexistent/x.h5"});
  CHECK_THROWS_AS(train::run_bench(cfg, {}), ConfigError);
  try {
    train::run_bench(cfg, {});
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("bench.frame"));
  }
}

TEST_CASE("bench refuses a shape that needs more memory than the machine has - with the estimate",
          "[train][bench]") {
  const auto cfg = config::parse_config("", "huge", {"bench.frame=[1, 2048, 2048]", "train.batch_size=512"});
  try {
    train::run_bench(cfg, {});
    FAIL("no refusal");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("MiB for training, more than 90% of this machine's"));
  }
}

TEST_CASE("the FMA peak and the process's memory are measured", "[core]") {
  CHECK(measure_fma_peak_gflops(1, 0.02) > 0.1);
  // The bf16 peak exists exactly where the CPU has AVX512-BF16 (oneDNN's finding, unless masked).
  const double bf16 = measure_bf16_peak_gflops(1, 0.02);
  if (ops::bf16_supported()) CHECK(bf16 > 0.1);
  if (!std::getenv("ONEDNN_MAX_CPU_ISA") && !ops::bf16_supported()) CHECK(bf16 == 0.0);
  CHECK(peak_rss_bytes() > 1e6);
  CHECK(physical_memory_bytes() > peak_rss_bytes());
}

}  // namespace
}  // namespace convlstm
