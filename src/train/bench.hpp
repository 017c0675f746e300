// `convlstm bench` (docs/performance.md): times the training step and inference of a config's model on random
// data of its shape, after warm-up, on the same code path as `convlstm train` (Bptt, BatchObjective,
// Optimizer).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "train/distributed.hpp"

namespace convlstm::train {

struct BenchOptions {
  std::int64_t steps = 10;               // timed training steps (and inference passes)
  std::int64_t warmup = 2;               // untimed steps first (primitive creation, page faults)
  std::optional<int> threads;            // overrides train.threads
  std::optional<std::string> precision;  // overrides train.precision
  // write checkpoint.h5 + case.h5 for scripts/bench_vs_pytorch.py (a residual model then gets a random head)
  std::optional<std::string> dump_dir;
  bool measure_peak =
      true;  // also measure the run's precision's peak (fp32 FMA or bf16 dot) with its threads
  // Time inference alone (no training net, no tape, no optimizer): the memory of a forecast.
  bool infer_only = false;
  // Under mpirun: each rank runs its shard of the batch and the gradients are summed as in training; the
  // allreduce is timed on its own. Absent: one process.
  Communicator* comm = nullptr;
};

// Median and minimum over the timed repetitions, in seconds.
struct Timing {
  double median = 0.0;
  double min = 0.0;
  static Timing of(std::vector<double> samples);
};

struct BenchResult {
  std::string model;  // ModelSpec::str()
  std::int64_t batch = 0, t_in = 0, t_out = 0, parameters = 0, steps = 0;
  int threads = 0;  // per rank
  int ranks = 1;
  std::string precision;
  std::string conv_algorithm;  // train.conv_algorithm (3x3 fp32 convolutions only; see kernels)
  Timing forward, backward, optimizer, step, infer;  // backward includes the loss gradient
  Timing allreduce;                                  // summing loss parts and gradients over the ranks
  Timing extrapolation;         // motion and advection of one batch (advection-conditioned models; else 0)
  double gradient_bytes = 0.0;  // the flat gradient buffer each allreduce sums
  double train_flops = 0.0;     // per training step (all ranks), in-image taps only
  double infer_flops = 0.0;     // per inference pass
  double peak_gflops = 0.0;     // measured peak of all ranks' threads in the run's precision: fp32 FMA,
                                // or bf16 dot product (0 when not measured)
  double peak_rss_bytes = 0.0;
  double estimate_bytes = 0.0;  // training_memory_bytes()
  double first_loss = 0.0;      // loss of the first step (random data, initial weights)
  std::string kernels;          // oneDNN kernels of the first encoder layer's convolutions
  bool infer_only = false;      // --infer-only: the training figures are 0

  double gflops() const { return step.median > 0 ? train_flops / step.median * 1e-9 : 0.0; }
  double infer_gflops() const { return infer.median > 0 ? infer_flops / infer.median * 1e-9 : 0.0; }
  double peak_fraction() const { return peak_gflops > 0 ? gflops() / peak_gflops : 0.0; }
  double sequences_per_s() const { return step.median > 0 ? batch / step.median : 0.0; }
};

BenchResult run_bench(const config::Config& cfg, const BenchOptions& options);

// The result as one JSON object (train_step_s, infer_s, peak_rss_mib, gflops, peak_fraction, ...).
std::string to_json(const BenchResult& r);
// The result as the human-readable table `convlstm bench` prints.
std::string format_bench(const BenchResult& r);

}  // namespace convlstm::train
