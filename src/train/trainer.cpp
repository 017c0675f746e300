#include "train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "core/sysinfo.hpp"
#include "data/dataset.hpp"
#include "data/windows.hpp"
#include "nn/parameters.hpp"
#include "ops/precision.hpp"
#include "ops/threads.hpp"
#include "train/batches.hpp"
#include "train/bptt.hpp"
#include "train/checkpoint.hpp"
#include "train/loss.hpp"
#include "train/metrics_csv.hpp"
#include "train/optimizer.hpp"
#include "train/step.hpp"
#include "train/validation.hpp"

namespace convlstm::train {

namespace {

namespace fs = std::filesystem;

// Everything the loop needs from the data: files, window readers, windows. Files live behind pointers so the
// window readers' references stay valid.
struct DataSide {
  std::unique_ptr<data::DatasetReader> train_file, val_file;
  std::optional<data::WindowReader> train_reader, val_reader;
  std::vector<std::int64_t> train_windows, val_windows;
};

// The run directory's log files: the whole effective config goes to train.log (which then copies every log
// line) and config.yaml; stderr gets one line naming them.
void open_run_files(const fs::path& dir, const std::string& config_yaml,
                    std::optional<log::FileCopy>& log_file) {
  fs::create_directories(dir);
  {
    std::ofstream log(dir / "train.log", std::ios::app);
    log << "effective config:\n" << config_yaml;
    log.close();
    if (!log) throw DataError((dir / "train.log").string() + ": cannot write (disk full?)");
  }
  log_file.emplace((dir / "train.log").string());
  std::ofstream out(dir / "config.yaml");
  out << config_yaml;
  out.close();  // checked after the close, which is when a full disk shows
  if (!out) throw DataError((dir / "config.yaml").string() + ": cannot write (disk full?)");
}

DataSide open_data(const config::Config& cfg) {
  const auto& d = cfg.data;
  DataSide side;
  side.train_file = std::make_unique<data::DatasetReader>(d.train);
  side.train_reader.emplace(*side.train_file, d.crop, d.downsample, d.normalize);
  const std::int64_t window = d.t_in + d.t_out;
  if (d.val) {
    side.val_file = std::make_unique<data::DatasetReader>(*d.val);
    side.val_reader.emplace(*side.val_file, d.crop, d.downsample, d.normalize);
    if (side.val_reader->frame_size() != side.train_reader->frame_size())
      throw DataError(*d.val + ": frames differ in size from the training file " + d.train);
    side.train_windows = data::all_windows(side.train_file->meta(), window, d.stride);
    side.val_windows = data::all_windows(side.val_file->meta(), window, d.stride);
  } else {
    auto split = data::split_windows(side.train_file->meta(), window, d.stride, d.val_fraction);
    side.train_windows = std::move(split.train);
    side.val_windows = std::move(split.val);
  }
  // The normalisation and the loss must fit the data's quantity (checked once, here).
  const std::string& q = side.train_file->meta().quantity;
  if (d.normalize.kind == data::NormalizeKind::dbz && q != "rain_rate")
    throw ConfigError("data.normalize.kind: dbz converts rain rates to reflectivity, but " + d.train +
                      " holds " + q +
                      (q == "reflectivity" ? " already (use linear, e.g. min -35, max 70)" : ""));
  if (parse_objective(cfg.train.loss).balanced && q != "rain_rate" && q != "reflectivity")
    throw ConfigError("train.loss: " + cfg.train.loss + " weighs pixels by their rain rate (HKO-7), but " +
                      d.train + " holds " + q + " (import it as rain_rate, or use mse, mae or bce)");
  if (side.train_windows.empty())
    throw DataError(d.train + ": no training window of " + std::to_string(window) +
                    " consecutive frames (t_in + t_out) fits in its segments after holding out validation");
  return side;
}

}  // namespace

double training_memory_bytes(const config::Config& cfg, std::int64_t channels, std::int64_t height,
                             std::int64_t width) {
  const auto spec = config::model_spec(cfg, channels, height, width);
  spec.validate();
  const std::int64_t B = cfg.train.batch_size, T = cfg.data.t_in + cfg.data.t_out;
  const double hw = static_cast<double>(spec.grid_h()) * spec.grid_w();
  double tape = 0.0, params = 0.0;
  for (std::size_t k = 0; k < spec.layers.size(); ++k) {
    const double f = spec.layers[k].filters;
    const double c = k == 0 ? spec.patched_channels() : spec.layers[k - 1].filters;
    // The tape (bptt.hpp): gates 4F per step, C, H and dH with one extra slot, two dC slots, per sample,
    // for the encoder's and the forecaster's copy of the layer.
    tape += B * hw * f * (7.0 * T + 2.0 * 3.0 + 2.0 * 2.0);
    params +=
        2.0 * (4.0 * f *
               (c * spec.layers[k].k_x * spec.layers[k].k_x + f * spec.layers[k].k_h * spec.layers[k].k_h));
  }
  tape += B * T * hw * spec.patched_channels() * 4.0;  // patched inputs, head output, its gradients
  // batch, the step's pred and dpred, validation's pred
  const double frames = 6.0 * B * T * static_cast<double>(channels) * height * width;
  // Parameters, gradients, up to two optimizer moments, and the convolutions' weight copies (the kernels'
  // layout and a weight-gradient scratch): 6 copies. Plus about 64 MiB of code, libraries and oneDNN's
  // scratch.
  return 4.0 * (tape + params * 6.0 + frames) + 64.0 * (1 << 20);
}

void require_memory_fits(double need_bytes) {
  const double have = physical_memory_bytes();
  if (have > 0 && need_bytes > 0.9 * have)
    throw ConfigError(
        "the model and batch need about " + std::to_string(static_cast<long long>(need_bytes / (1 << 20))) +
        " MiB for training, more than 90% of this machine's " +
        std::to_string(static_cast<long long>(have / (1 << 20))) +
        " MiB: reduce train.batch_size, model.layers filters, data.t_in/t_out or the frame size");
}

TrainResult train_model(const config::Config& cfg, const TrainOptions& options) {
  const auto t_start = std::chrono::steady_clock::now();
  Communicator single;
  Communicator& comm = options.comm ? *options.comm : single;
  const std::int64_t B = cfg.train.batch_size;  // the global batch
  const Shard shard = shard_of(B, comm.rank(), comm.size());
  const std::int64_t b_local = shard.size();

  // Set-up, agreed across ranks: an error on any rank (an unreadable file on one node) stops every rank.
  ops::Precision precision{};
  std::optional<DataSide> opened;
  nn::ModelSpec spec;
  double need = 0.0;
  comm.agree([&] {
    if (B < comm.size())
      throw ConfigError("train.batch_size " + std::to_string(B) + " is smaller than the " +
                        std::to_string(comm.size()) +
                        " ranks: every rank needs a sequence of the global batch");
    ops::set_threads(static_cast<int>(cfg.train.threads));
    precision = ops::parse_precision(cfg.train.precision);
    ops::require_precision_supported(precision, "train.precision");
    opened.emplace(open_data(cfg));
    const auto& rd = *opened->train_reader;
    const auto frame = config::training_frame(cfg, {rd.channels(), rd.height(), rd.width()});
    spec = config::model_spec(cfg, frame.channels, frame.height, frame.width);
    spec.validate();
    config::Config rank_cfg = cfg;  // this rank's memory: its shard of the batch, on the crop when cropping
    rank_cfg.train.batch_size = b_local;
    need = training_memory_bytes(rank_cfg, frame.channels, frame.height, frame.width);
    require_memory_fits(need);
  });
  DataSide& side = *opened;
  const auto& meta = side.train_file->meta();
  const auto& rd = *side.train_reader;

  // Rank 0 owns the run directory: train.log, config.yaml, metrics.csv, checkpoints.
  const fs::path dir(cfg.output.dir);
  const std::string config_yaml = config::to_yaml(cfg);
  std::optional<log::FileCopy> log_file;
  comm.agree([&] {
    if (comm.root()) open_run_files(dir, config_yaml, log_file);
  });
  log::info("effective config in {} (and train.log)", (dir / "config.yaml").string());
  log::info("data: {} ({} frames {}x{}x{}, {}), {} training and {} validation windows of {}+{} frames",
            cfg.data.train, meta.frames, rd.channels(), rd.height(), rd.width(), meta.quantity,
            side.train_windows.size(), side.val_windows.size(), cfg.data.t_in, cfg.data.t_out);

  nn::ParameterTable params(spec), grads(spec);
  Rng rng(static_cast<std::uint64_t>(cfg.train.seed));
  nn::init_parameters(spec, params, rng);
  Optimizer optimizer(cfg.train.optimizer, spec);
  log::info("model: {}, {} parameters, about {} MiB for training{}", spec.str(), params.size(),
            static_cast<long long>(need / (1 << 20)),
            comm.size() > 1 ? " per rank, " + std::to_string(comm.size()) + " ranks" : std::string());

  CheckpointInfo info;
  info.config_yaml = config_yaml;
  info.best_val_loss = std::numeric_limits<double>::infinity();
  info.frame_channels = spec.channels;  // the grid the model trained on (the random crop's, when cropping)
  info.frame_height = spec.height;
  info.frame_width = spec.width;
  info.data = meta.provenance;
  info.data["quantity"] = meta.quantity;
  info.data["units"] = meta.units;
  if (meta.timestep_s) info.data["timestep_s"] = std::to_string(*meta.timestep_s);
  // Pre-trained parameters: the same model shape, any frame size (the convolutions do not depend on it).
  comm.agree([&] {
    if (!cfg.train.init_from || options.resume) return;
    try {
      read_checkpoint_tensors(*cfg.train.init_from, params, nullptr);
    } catch (const DataError& e) {
      throw DataError(std::string("train.init_from: ") + e.what());
    }
  });
  if (cfg.train.init_from && !options.resume) log::info("parameters from {}", *cfg.train.init_from);
  // A checkpoint holds nothing that depends on the number of ranks, so any number resumes it.
  comm.agree([&] {
    if (!options.resume) return;
    const auto prev = read_checkpoint_info(*options.resume);
    // Exact resume needs the same data order and arithmetic: only the keys below may change (the total of
    // steps, validation and checkpoint cadence, threads, output).
    const auto before = config::parse_config(prev.config_yaml, *options.resume + ":config");
    static const std::vector<std::string> may_change{
        "train.max_steps", "train.val_every", "train.val_batches", "train.early_stopping.patience",
        "train.threads",   "train.init_from", "output.dir",        "output.checkpoint_every",
        "bench.frame"};
    std::string changed;
    for (const auto& key : config::changed_keys(before, cfg))
      if (std::find(may_change.begin(), may_change.end(), key) == may_change.end())
        changed += (changed.empty() ? "" : ", ") + key;
    if (!changed.empty())
      throw ConfigError(
          "--resume " + *options.resume + ": the config changed " + changed +
          " since that checkpoint; a resumed run must keep the data order and arithmetic (start a "
          "new run, or train.init_from for new settings)");
    if (prev.frame_channels != info.frame_channels || prev.frame_height != info.frame_height ||
        prev.frame_width != info.frame_width)
      throw DataError(*options.resume + ": checkpoint frames " + std::to_string(prev.frame_height) + "x" +
                      std::to_string(prev.frame_width) + " do not match the configured data's " +
                      std::to_string(info.frame_height) + "x" + std::to_string(info.frame_width));
    read_checkpoint_tensors(*options.resume, params, &optimizer);
    info.step = prev.step;
    info.epoch = prev.epoch;
    info.best_val_loss = prev.best_val_loss;
    info.validations_since_best = prev.validations_since_best;
  });
  if (options.resume) log::info("resumed from {} at step {}", *options.resume, info.step);

  const std::int64_t n_train = static_cast<std::int64_t>(side.train_windows.size());
  const std::int64_t steps_per_epoch = std::max<std::int64_t>(1, n_train / B);
  const std::int64_t total = cfg.train.max_steps ? *cfg.train.max_steps : cfg.train.epochs * steps_per_epoch;
  Bptt net(spec, b_local, cfg.data.t_in, cfg.data.t_out, precision,
           ops::parse_conv_algorithm(cfg.train.conv_algorithm));
  // The motion is estimated on the whole (cropped, downsampled) frames; random crops cut from it.
  auto extrapolator = [&] {
    return make_extrapolator(spec, rd.height(), rd.width(), cfg.data.t_in, cfg.data.t_out, cfg.data.normalize,
                             meta.quantity, cfg.model.flow_method);
  };
  std::optional<RandomCrop> crop;
  if (cfg.data.random_crop)
    crop = RandomCrop{spec.height, spec.width, cfg.data.crop_min_wet,
                      cfg.data.normalize.forward(static_cast<float>(cfg.data.crop_wet_threshold)),
                      static_cast<std::uint64_t>(cfg.train.seed)};
  BatchLoader train_loader(*side.train_reader, b_local, cfg.data.t_in, cfg.data.t_out, extrapolator(), crop,
                           spec.needs_gaps());
  const data::WindowReader& val_reader = side.val_reader ? *side.val_reader : *side.train_reader;
  BatchLoader val_loader(val_reader, b_local, cfg.data.t_in, cfg.data.t_out, extrapolator(), crop,
                         spec.needs_gaps());
  BatchObjective loss_eval{parse_objective(cfg.train.loss, cfg.train.balance, cfg.train.lead_weights),
                           cfg.data.normalize,
                           meta.quantity,
                           {},
                           {}};
  TrainStep train_step(net, loss_eval, optimizer, comm, cfg.train.clip_grad_norm);
  Tensor pred(net.output_shape()), persistence(net.output_shape());  // validation's
  std::optional<MetricsCsv> metrics;
  comm.agree([&] {
    if (comm.root()) metrics.emplace((dir / "metrics.csv").string(), info.step);
  });

  auto save = [&](const std::string& name) {
    comm.agree([&] {
      if (comm.root()) write_checkpoint((dir / name).string(), info, params, &optimizer);
    });
  };

  TrainResult result;
  result.best_val_loss = info.best_val_loss;
  std::int64_t cached_epoch = -1;
  std::vector<std::int64_t> order, starts(static_cast<std::size_t>(b_local));
  auto window_clock = std::chrono::steady_clock::now();
  std::int64_t window_steps = 0;
  bool checkpoint_current = options.resume.has_value();
  log::info("training {} steps ({} per epoch, batch {}{}), {} threads", total, steps_per_epoch, B,
            comm.size() > 1 ? ", " + std::to_string(b_local) + " on rank 0" : std::string(),
            ops::max_threads());

  for (std::int64_t step = info.step; step < total; ++step) {
    const std::int64_t epoch = step / steps_per_epoch, pos = step % steps_per_epoch;
    if (epoch != cached_epoch) {
      order = data::epoch_order(n_train, static_cast<std::uint64_t>(cfg.train.seed), epoch);
      cached_epoch = epoch;
    }
    // This rank's shard of the global batch: sequences shard.begin .. shard.end of it.
    Batch* batch = nullptr;
    comm.agree([&] {
      for (std::int64_t b = 0; b < b_local; ++b)
        starts[b] = side.train_windows[order[(pos * B + shard.begin + b) % n_train]];
      batch = &train_loader.load(starts.data(), b_local, epoch);
    });
    const double lr = learning_rate(cfg.train.lr_schedule, cfg.train.optimizer.lr, step, total);
    const StepOutcome done = train_step.run(params, grads, *batch, lr, step);
    const double loss = done.loss, gnorm = done.grad_norm;
    info.step = step + 1;
    info.epoch = epoch;
    checkpoint_current = false;
    ++window_steps;
    result.last_train_loss = loss;

    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    const double window_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - window_clock).count();
    const double sps = window_s > 0 ? window_steps * B / window_s : 0.0;
    if (options.on_step && comm.root())
      options.on_step({info.step, total, epoch, loss, sps, sps > 0 ? (total - info.step) * B / sps : 0.0});

    std::optional<double> val, pers;
    const bool last = info.step == total;
    if (info.step % cfg.train.val_every == 0 || last) {
      if (!side.val_windows.empty()) {
        const auto score = validate(net, params, val_loader, side.val_windows, loss_eval, comm, shard, B,
                                    cfg.train.val_batches, pred, persistence);
        const double p = score.persistence;
        val = score.model;
        pers = p;
        result.last_val_loss = *val;
        result.persistence_val_loss = p;
        const bool better = *val < info.best_val_loss;
        log::info(
            "step {}/{}: train loss {:.6f}, val loss {:.6f} (persistence {:.6f}, model/persistence {:.3f}){}",
            info.step, total, loss, *val, p, p > 0 ? *val / p : 0.0, better ? ", best so far" : "");
        if (better) {
          info.best_val_loss = *val;
          info.validations_since_best = 0;
          save("best.h5");
        } else {
          ++info.validations_since_best;
        }
      } else {
        log::info("step {}/{}: train loss {:.6f} (no validation windows)", info.step, total, loss);
      }
      window_clock = std::chrono::steady_clock::now();
      window_steps = 0;
    }
    comm.agree([&] {
      if (metrics) metrics->row(info.step, epoch, loss, val, lr, gnorm, elapsed, sps, pers);
    });
    if (info.step % cfg.output.checkpoint_every == 0 || last) {
      save("latest.h5");
      checkpoint_current = true;
    }
    if (cfg.train.patience && info.validations_since_best >= *cfg.train.patience) {
      log::info("early stopping at step {}: no improvement in {} validations", info.step,
                *cfg.train.patience);
      result.early_stopped = true;
      break;
    }
    // A signal reaches one rank or all: every rank stops after the same step.
    if (comm.any(options.stop && options.stop->load())) {
      result.interrupted = true;
      break;
    }
  }
  if (!checkpoint_current) save("latest.h5");
  result.steps = info.step;
  result.best_val_loss = info.best_val_loss;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  result.reduce_seconds = comm.reduce_seconds();
  log::info("{} after {} steps in {:.1f} s; latest checkpoint {}",
            result.interrupted ? "interrupted" : "finished", result.steps, result.seconds,
            (dir / "latest.h5").string());
  if (spec.needs_extrapolation()) {
    const double ex = train_loader.extrapolation_seconds() + val_loader.extrapolation_seconds();
    result.extrapolation_seconds = ex;
    log::info(
        "motion and advection: {:.1f} s of {:.1f} s ({:.1f}%), {} windows extrapolated, {} read from the "
        "cache",
        ex, result.seconds, 100.0 * ex / std::max(result.seconds, 1e-9),
        train_loader.extrapolations_computed() + val_loader.extrapolations_computed(),
        train_loader.extrapolations_cached() + val_loader.extrapolations_cached());
  }
  if (crop) {
    result.crop_wet_share = train_loader.mean_crop_wet();
    result.window_wet_share = train_loader.mean_window_wet();
    log::info(
        "random crops {}x{} of {}x{} frames: wet share (>= {} {}) {:.1f}% in the crops, {:.1f}% in their "
        "whole windows",
        spec.height, spec.width, rd.height(), rd.width(), cfg.data.crop_wet_threshold, meta.units,
        100.0 * result.crop_wet_share, 100.0 * result.window_wet_share);
  }
  if (comm.size() > 1)
    log::info("{} ranks: {:.1f} s in gradient and loss reductions ({:.1f}% of the run)", comm.size(),
              result.reduce_seconds, 100.0 * result.reduce_seconds / std::max(result.seconds, 1e-9));
  return result;
}

}  // namespace convlstm::train
