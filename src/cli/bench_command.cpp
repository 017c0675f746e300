// convlstm bench --config C.yaml [--steps N] [--threads T] [--precision fp32|bf16] [--json] [--dump DIR]
// convlstm bench --peak [--threads T]
// convlstm bench --nowcast sprog|steps --data DS.h5 [--members N] [--t-out N] [--threads T] [--json]
#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "core/sysinfo.hpp"
#include "eval/nowcast_bench.hpp"
#include "ops/threads.hpp"
#include "train/bench.hpp"

namespace convlstm::cli {

namespace {

// bench --nowcast: a cascade baseline's speed instead of the model's (eval/nowcast_bench.hpp).
void add_nowcast_options(CLI::App& sub, eval::NowcastBenchOptions& n) {
  sub.add_option("--nowcast", n.method,
                 "time a cascade baseline instead (sprog or steps) on the last frames of --data")
      ->check(CLI::IsMember({"sprog", "steps"}));
  sub.add_option("--data", n.data, "--nowcast: the dataset whose last frames are forecast");
  sub.add_option("--members", n.members, "--nowcast steps: ensemble members")
      ->capture_default_str()
      ->check(CLI::Range(2, 1000));
  sub.add_option("--t-out", n.t_out, "--nowcast: lead times")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
}

}  // namespace

Run add_bench(CLI::App& app, train::Communicator& comm) {
  struct Opts {
    std::string config;
    std::vector<std::string> overrides;
    std::int64_t steps = 10;
    std::int64_t warmup = 2;
    int threads = -1;
    std::string precision;
    std::string dump;
    bool json = false;
    bool infer_only = false;
    bool peak = false;
    eval::NowcastBenchOptions nowcast;
  };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand(
      "bench", "Time training steps and inference of a config's model on random data of its shape");
  sub->add_option("--config", o->config, "YAML config; configs/bench/ has the reference shapes");
  sub->add_option("--set", o->overrides, "override a config key by its dotted path");
  sub->add_option("--steps", o->steps, "timed training steps and inference passes")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  sub->add_option("--warmup", o->warmup, "untimed steps first")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  sub->add_option("--threads", o->threads,
                  "OpenMP threads (default: train.threads of the config; 0: all cores)")
      ->check(CLI::Range(0, 1024));
  sub->add_option("--precision", o->precision, "fp32 or bf16 (default: train.precision of the config)")
      ->check(CLI::IsMember({"fp32", "bf16"}));
  sub->add_option(
      "--dump", o->dump,
      "write DIR/checkpoint.h5 (initial weights) and DIR/case.h5 (batch, loss, gradients of step 1)");
  sub->add_flag("--json", o->json, "print one JSON object instead of the table");
  sub->add_flag("--infer-only", o->infer_only,
                "time inference alone (no training step): its speed and the memory of a forecast");
  sub->add_flag("--peak", o->peak,
                "only measure and print the fp32 FMA and bf16 dot-product peaks of --threads threads");
  add_nowcast_options(*sub, o->nowcast);
  return [o, &comm]() {
    if (!o->nowcast.method.empty()) {
      o->nowcast.threads = std::max(0, o->threads);
      o->nowcast.repeats = std::min<std::int64_t>(o->steps, 3);
      const auto r = eval::bench_nowcast(o->nowcast);
      std::fputs((o->json ? eval::to_json(r) + "\n" : eval::format_nowcast_bench(r)).c_str(), stdout);
      return 0;
    }
    if (o->peak) {
      ops::set_threads(o->threads >= 0 ? o->threads : 0);
      const int threads = ops::max_threads();
      const double peak = measure_fma_peak_gflops(threads), bf16 = measure_bf16_peak_gflops(threads);
      if (o->json) {
        std::printf("{\"threads\": %d, \"isa\": \"%s\", \"peak_gflops\": %.2f, \"bf16_peak_gflops\": %.2f}\n",
                    threads, fma_peak_isa(), peak, bf16);
      } else {
        std::printf("fp32 FMA peak, %d threads (%s): %.1f GFLOP/s\n", threads, fma_peak_isa(), peak);
        if (bf16 > 0)
          std::printf("bf16 dot-product peak, %d threads (avx512_bf16): %.1f GFLOP/s\n", threads, bf16);
        else
          std::printf("bf16 dot-product peak: this CPU has no AVX512-BF16\n");
      }
      return 0;
    }
    if (o->config.empty()) throw UsageError("bench: --config is required (or --peak)");
    config::Config cfg;
    comm.agree([&] { cfg = config::load_config(o->config, o->overrides); });
    train::BenchOptions options;
    options.comm = &comm;
    options.steps = o->steps;
    options.warmup = o->warmup;
    if (o->threads >= 0) options.threads = o->threads;
    if (!o->precision.empty()) options.precision = o->precision;
    if (!o->dump.empty()) options.dump_dir = o->dump;
    options.infer_only = o->infer_only;
    if (o->infer_only && !o->dump.empty())
      throw UsageError("bench: --dump needs a training step (not --infer-only)");
    const auto r = train::run_bench(cfg, options);
    if (comm.root())
      std::fputs((o->json ? train::to_json(r) + "\n" : train::format_bench(r)).c_str(), stdout);
    return 0;
  };
}

}  // namespace convlstm::cli
