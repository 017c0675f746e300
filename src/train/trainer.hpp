// The training loop (docs/architecture.md): data windows -> BPTT -> optimizer, with validation against the
// persistence baseline, checkpoints, metrics.csv and exact resume.
//
// Exact resume: the order of windows in epoch e depends only on (seed, e); parameters, optimizer moments and
// the step counter are in the checkpoint; nothing else is random after initialisation. So a run resumed from
// step N replays the same batches and updates as an uninterrupted one.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "train/distributed.hpp"

namespace convlstm::train {

struct StepReport {
  std::int64_t step = 0;  // 1-based count of optimizer steps done
  std::int64_t total_steps = 0;
  std::int64_t epoch = 0;
  double loss = 0.0;
  double seq_per_s = 0.0;
  double eta_s = 0.0;
};

struct TrainOptions {
  std::optional<std::string> resume;        // RUN/latest.h5
  const std::atomic<bool>* stop = nullptr;  // set by a signal handler: finish the step, checkpoint, return
  std::function<void(const StepReport&)> on_step;  // progress display (cli/)
  // Data-parallel training (distributed.hpp): each rank trains on its shard of every global batch of
  // train.batch_size; rank 0 alone writes the run directory. Absent: one process.
  Communicator* comm = nullptr;
};

struct TrainResult {
  std::int64_t steps = 0;
  double last_train_loss = 0.0;
  double last_val_loss = 0.0;
  double persistence_val_loss = 0.0;
  double best_val_loss = 0.0;
  bool interrupted = false;
  bool early_stopped = false;
  double seconds = 0.0;
  double reduce_seconds = 0.0;  // in reductions across ranks (0 for one process)
  double extrapolation_seconds =
      0.0;  // computing the base nowcasts the model reads (motion, advection or S-PROG)
  // Random crops: the mean wet share of the training crops and of their whole windows (data.crop_min_wet).
  double crop_wet_share = 0.0, window_wet_share = 0.0;
};

TrainResult train_model(const config::Config& cfg, const TrainOptions& options);

// Bytes the training run will hold at its peak: parameters, gradients, optimizer moments, the BPTT tape,
// batches.
double training_memory_bytes(const config::Config& cfg, std::int64_t channels, std::int64_t height,
                             std::int64_t width);
// The one-line warning train logs with train.precision bf16 when the measured bf16 dot-product peak is below
// the fp32 FMA peak (bf16 is then likely slower than fp32); empty when it is not.
std::string bf16_speed_warning(double bf16_gflops, double fp32_gflops);
// Throws ConfigError, naming the estimate and the machine's RAM, when need_bytes exceeds 90% of the RAM.
void require_memory_fits(double need_bytes);

}  // namespace convlstm::train
