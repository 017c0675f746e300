#include "train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <spdlog/sinks/basic_file_sink.h>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "core/sysinfo.hpp"
#include "data/dataset.hpp"
#include "data/radar.hpp"
#include "data/windows.hpp"
#include "nn/parameters.hpp"
#include "ops/conv2d.hpp"
#include "ops/engine.hpp"
#include "train/batches.hpp"
#include "train/bptt.hpp"
#include "train/checkpoint.hpp"
#include "train/loss.hpp"
#include "train/optimizer.hpp"

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
  if (side.train_windows.empty())
    throw DataError(d.train + ": no training window of " + std::to_string(window) +
                    " consecutive frames (t_in + t_out) fits in its segments after holding out validation");
  return side;
}

class MetricsCsv {
 public:
  // Keeps the rows of an earlier run up to `keep_through_step` (resume), drops the rest.
  MetricsCsv(const std::string& path, std::int64_t keep_through_step) : path_(path) {
    std::vector<std::string> kept;
    if (keep_through_step > 0) {
      std::ifstream in(path);
      std::string line;
      while (std::getline(in, line)) {
        if (line.empty() || line.rfind("step", 0) == 0) continue;
        if (std::stoll(line.substr(0, line.find(','))) <= keep_through_step) kept.push_back(line);
      }
    }
    out_.open(path, std::ios::trunc);
    if (!out_) throw DataError(path + ": cannot write metrics");
    out_ << "step,epoch,train_loss,val_loss,lr,grad_norm,seconds,seq_per_s,persistence_val_loss\n";
    for (const auto& l : kept) out_ << l << "\n";
    out_.flush();
  }
  void row(std::int64_t step, std::int64_t epoch, double train_loss, std::optional<double> val, double lr,
           double gn, double seconds, double sps, std::optional<double> persistence) {
    out_ << step << "," << epoch << "," << fmt(train_loss) << "," << (val ? fmt(*val) : "") << "," << fmt(lr)
         << "," << fmt(gn) << "," << fmt(seconds) << "," << fmt(sps) << ","
         << (persistence ? fmt(*persistence) : "") << "\n";
    out_.flush();
    if (!out_) throw DataError(path_ + ": cannot write metrics (disk full?)");
  }

 private:
  static std::string fmt(double v) {
    std::ostringstream os;
    os.precision(9);
    os << v;
    return os.str();
  }
  std::string path_;
  std::ofstream out_;
};

// Adds a file sink for train.log to the default logger while training runs.
class LogFile {
 public:
  explicit LogFile(const std::string& path);
  ~LogFile();

 private:
  std::shared_ptr<spdlog::sinks::sink> sink_;
};

LogFile::LogFile(const std::string& path) {
  try {
    sink_ = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, false);
  } catch (const spdlog::spdlog_ex& e) {
    throw DataError(path + ": cannot open the training log (" + e.what() + ")");
  }
  spdlog::default_logger()->sinks().push_back(sink_);
}

LogFile::~LogFile() {
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
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
  const double frames = 5.0 * B * T * static_cast<double>(channels) * height * width;  // batch, pred, dpred
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
        " MiB for training, more than this machine's " +
        std::to_string(static_cast<long long>(have / (1 << 20))) +
        " MiB: reduce train.batch_size, model.layers filters, data.t_in/t_out or the frame size");
}

TrainResult train_model(const config::Config& cfg, const TrainOptions& options) {
  const auto t_start = std::chrono::steady_clock::now();
  ops::set_threads(static_cast<int>(cfg.train.threads));
  const auto precision = ops::parse_precision(cfg.train.precision);
  ops::require_precision_supported(precision, "train.precision");

  auto side = open_data(cfg);
  const auto& meta = side.train_file->meta();
  const auto& rd = *side.train_reader;
  const auto spec = config::model_spec(cfg, rd.channels(), rd.height(), rd.width());
  spec.validate();
  const double need = training_memory_bytes(cfg, rd.channels(), rd.height(), rd.width());
  require_memory_fits(need);

  fs::create_directories(cfg.output.dir);
  const fs::path dir(cfg.output.dir);
  LogFile log_file((dir / "train.log").string());
  const std::string config_yaml = config::to_yaml(cfg);
  {
    std::ofstream out(dir / "config.yaml");
    out << config_yaml;
    if (!out) throw DataError((dir / "config.yaml").string() + ": cannot write");
  }
  log::info("effective config:\n{}", config_yaml);
  log::info("data: {} ({} frames {}x{}x{}, {}), {} training and {} validation windows of {}+{} frames",
            cfg.data.train, meta.frames, rd.channels(), rd.height(), rd.width(), meta.quantity,
            side.train_windows.size(), side.val_windows.size(), cfg.data.t_in, cfg.data.t_out);

  nn::ParameterTable params(spec), grads(spec);
  Rng rng(static_cast<std::uint64_t>(cfg.train.seed));
  nn::init_parameters(spec, params, rng);
  Optimizer optimizer(cfg.train.optimizer, spec);
  log::info("model: {}, {} parameters, about {} MiB for training", spec.str(), params.size(),
            static_cast<long long>(need / (1 << 20)));

  CheckpointInfo info;
  info.config_yaml = config_yaml;
  info.best_val_loss = std::numeric_limits<double>::infinity();
  info.frame_channels = rd.channels();
  info.frame_height = rd.height();
  info.frame_width = rd.width();
  info.data = meta.provenance;
  info.data["quantity"] = meta.quantity;
  info.data["units"] = meta.units;
  if (meta.timestep_s) info.data["timestep_s"] = std::to_string(*meta.timestep_s);
  if (options.resume) {
    const auto prev = read_checkpoint_info(*options.resume);
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
    log::info("resumed from {} at step {}", *options.resume, info.step);
  }

  const std::int64_t B = cfg.train.batch_size, n_train = static_cast<std::int64_t>(side.train_windows.size());
  const std::int64_t steps_per_epoch = std::max<std::int64_t>(1, n_train / B);
  const std::int64_t total = cfg.train.max_steps ? *cfg.train.max_steps : cfg.train.epochs * steps_per_epoch;
  Bptt net(spec, B, cfg.data.t_in, cfg.data.t_out, precision,
           ops::parse_conv_algorithm(cfg.train.conv_algorithm));
  BatchLoader train_loader(*side.train_reader, B, cfg.data.t_in, cfg.data.t_out);
  const data::WindowReader& val_reader = side.val_reader ? *side.val_reader : *side.train_reader;
  BatchLoader val_loader(val_reader, B, cfg.data.t_in, cfg.data.t_out);
  BatchObjective loss_eval{parse_objective(cfg.train.loss), cfg.data.normalize, meta.quantity, {}};
  Tensor pred(Shape{B, cfg.data.t_out, rd.channels(), rd.height(), rd.width()}), dpred(pred.shape());
  Tensor persistence(pred.shape());
  MetricsCsv metrics((dir / "metrics.csv").string(), info.step);

  // Mean loss of the model and of persistence (the last input frame, repeated) over the validation windows.
  auto validate = [&](double& persistence_loss) {
    double model_sum = 0.0, pers_sum = 0.0, seqs = 0.0;
    const std::int64_t n = static_cast<std::int64_t>(side.val_windows.size());
    std::int64_t batches = (n + B - 1) / B;
    if (cfg.train.val_batches) batches = std::min(batches, *cfg.train.val_batches);
    const std::int64_t fs = rd.frame_size();
    for (std::int64_t i = 0; i < batches; ++i) {
      auto& batch = val_loader.load(side.val_windows.data() + i * B, std::min(B, n - i * B));
      net.forward(params.model, batch.inputs.data(), pred.data());
      for (std::int64_t b = 0; b < B; ++b)
        for (std::int64_t t = 0; t < cfg.data.t_out; ++t)
          std::copy_n(batch.inputs.data() + (b * cfg.data.t_in + cfg.data.t_in - 1) * fs, fs,
                      persistence.data() + (b * cfg.data.t_out + t) * fs);
      model_sum += loss_eval.value(batch, pred.data()) * batch.valid;
      pers_sum += loss_eval.value(batch, persistence.data()) * batch.valid;
      seqs += batch.valid;
    }
    persistence_loss = seqs > 0 ? pers_sum / seqs : 0.0;
    return seqs > 0 ? model_sum / seqs : 0.0;
  };
  auto save = [&](const std::string& name) {
    write_checkpoint((dir / name).string(), info, params, &optimizer);
  };

  TrainResult result;
  result.best_val_loss = info.best_val_loss;
  std::int64_t cached_epoch = -1;
  std::vector<std::int64_t> order, starts(static_cast<std::size_t>(B));
  auto window_clock = std::chrono::steady_clock::now();
  std::int64_t window_steps = 0;
  bool checkpoint_current = options.resume.has_value();
  log::info("training {} steps ({} per epoch, batch {}), {} threads", total, steps_per_epoch, B,
            ops::max_threads());

  for (std::int64_t step = info.step; step < total; ++step) {
    const std::int64_t epoch = step / steps_per_epoch, pos = step % steps_per_epoch;
    if (epoch != cached_epoch) {
      order = data::epoch_order(n_train, static_cast<std::uint64_t>(cfg.train.seed), epoch);
      cached_epoch = epoch;
    }
    for (std::int64_t b = 0; b < B; ++b) starts[b] = side.train_windows[order[(pos * B + b) % n_train]];
    auto& batch = train_loader.load(starts.data(), B);
    net.forward(params.model, batch.inputs.data(), pred.data());
    const double loss = loss_eval.value(batch, pred.data());
    if (!std::isfinite(loss))
      throw Error(
          "step " + std::to_string(step + 1) + ": the training loss is " + std::to_string(loss) +
          "; stopped, the last checkpoint is intact (lower train.optimizer.lr or set train.clip_grad_norm)");
    grads.zero();
    dpred.zero();
    loss_eval.gradient(batch, pred.data(), dpred.data());
    net.backward(dpred.data(), grads.model);
    const double gnorm = global_norm(grads.flat());
    if (!std::isfinite(gnorm))
      throw Error("step " + std::to_string(step + 1) +
                  ": the gradient norm is not finite; stopped, the last "
                  "checkpoint is intact (set train.clip_grad_norm or lower train.optimizer.lr)");
    if (cfg.train.clip_grad_norm) clip_to_norm(grads.flat(), gnorm, *cfg.train.clip_grad_norm);
    const double lr = learning_rate(cfg.train.lr_schedule, cfg.train.optimizer.lr, step, total);
    optimizer.step(params, grads, lr);
    info.step = step + 1;
    info.epoch = epoch;
    checkpoint_current = false;
    ++window_steps;
    result.last_train_loss = loss;

    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    const double window_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - window_clock).count();
    const double sps = window_s > 0 ? window_steps * B / window_s : 0.0;
    if (options.on_step)
      options.on_step({info.step, total, epoch, loss, sps, sps > 0 ? (total - info.step) * B / sps : 0.0});

    std::optional<double> val, pers;
    const bool last = info.step == total;
    if (info.step % cfg.train.val_every == 0 || last) {
      if (!side.val_windows.empty()) {
        double p = 0.0;
        val = validate(p);
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
    metrics.row(info.step, epoch, loss, val, lr, gnorm, elapsed, sps, pers);
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
    if (options.stop && options.stop->load()) {
      result.interrupted = true;
      break;
    }
  }
  if (!checkpoint_current) save("latest.h5");
  result.steps = info.step;
  result.best_val_loss = info.best_val_loss;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  log::info("{} after {} steps in {:.1f} s; latest checkpoint {}",
            result.interrupted ? "interrupted" : "finished", result.steps, result.seconds,
            (dir / "latest.h5").string());
  return result;
}

}  // namespace convlstm::train
