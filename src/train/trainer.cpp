#include "train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include "cascade/base_nowcast.hpp"
#include "checkpoint/checkpoint.hpp"
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
#include "train/loss.hpp"
#include "train/metrics_csv.hpp"
#include "train/optimizer.hpp"
#include "train/step.hpp"
#include "train/validation.hpp"

namespace convlstm::train {

namespace {

namespace fs = std::filesystem;

// One dataset file with its window reader and windows. The file lives behind a pointer so the reader's
// reference stays valid.
struct DataFile {
  std::string path;
  std::unique_ptr<data::DatasetReader> file;
  std::optional<data::WindowReader> reader;
  std::vector<std::int64_t> train, val;  // window starts
};

// Everything the loop needs from the data: the training files (data.train, in order), the validation file
// (data.val) when there is one, and the windows: the training windows per file, the validation windows
// interleaved across files (so train.val_batches sees every file).
struct DataSide {
  std::vector<DataFile> train;
  std::optional<DataFile> val;
  std::vector<std::vector<std::int64_t>> train_windows;  // per training file
  std::vector<data::WindowRef> val_windows;              // of `val` when given, else of `train`
  std::int64_t train_count() const {
    std::int64_t n = 0;
    for (const auto& w : train_windows) n += static_cast<std::int64_t>(w.size());
    return n;
  }
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

DataFile open_file(const std::string& path, const config::DataConfig& d) {
  DataFile f;
  f.path = path;
  f.file = std::make_unique<data::DatasetReader>(path);
  f.reader.emplace(*f.file, d.crop, d.downsample, d.normalize);
  return f;
}

// The normalisation and the loss must fit the data's quantity; several files must agree on it, on the
// units and channels, and on the frame size unless the model trains on random crops.
void check_file(const config::Config& cfg, const DataFile& f, const DataFile& first) {
  const auto& d = cfg.data;
  using data::Quantity;
  const auto& field = f.file->meta().field;
  const Quantity q = field.quantity;
  if (d.normalize.kind == data::NormalizeKind::dbz && q != Quantity::rain_rate)
    throw ConfigError("data.normalize.kind: dbz converts rain rates to reflectivity, but " + f.path +
                      " holds " + data::to_string(q) +
                      (q == Quantity::reflectivity ? " already (use linear, e.g. min -35, max 70)" : ""));
  if (parse_objective(cfg.train.loss, "observed", "uniform", cfg.train.members).balanced &&
      q != Quantity::rain_rate && q != Quantity::reflectivity)
    throw ConfigError("train.loss: " + cfg.train.loss + " weighs pixels by their rain rate (HKO-7), but " +
                      f.path + " holds " + data::to_string(q) +
                      " (import it as rain_rate, or use mse, mae or bce)");
  if (&f == &first) return;
  const auto& other = first.file->meta().field;
  if (q != other.quantity || field.units != other.units)
    throw DataError(f.path + " holds " + data::to_string(q) + " in " + field.units + ", but " + first.path +
                    " holds " + data::to_string(other.quantity) + " in " + other.units +
                    ": the files of data.train must hold one quantity in one unit");
  const auto &r = *f.reader, &r0 = *first.reader;
  if (r.channels() != r0.channels())
    throw DataError(f.path + ": " + std::to_string(r.channels()) + " channels, " + first.path + " has " +
                    std::to_string(r0.channels()));
  if (!d.random_crop && (r.height() != r0.height() || r.width() != r0.width()))
    throw ConfigError("data.train: " + f.path + " has " + std::to_string(r.height()) + "x" +
                      std::to_string(r.width()) + " frames, " + first.path + " " +
                      std::to_string(r0.height()) + "x" + std::to_string(r0.width()) +
                      ": files of several frame sizes need data.random_crop");
}

// The validation windows of several files, one of each in turn.
std::vector<data::WindowRef> interleaved(const std::vector<std::vector<std::int64_t>>& windows) {
  std::vector<data::WindowRef> out;
  for (std::size_t k = 0;; ++k) {
    bool any = false;
    for (std::size_t s = 0; s < windows.size(); ++s)
      if (k < windows[s].size()) {
        out.push_back({static_cast<std::int64_t>(s), windows[s][k]});
        any = true;
      }
    if (!any) return out;
  }
}

DataSide open_data(const config::Config& cfg) {
  const auto& d = cfg.data;
  DataSide side;
  const std::int64_t window = d.t_in + d.t_out;
  std::vector<std::vector<std::int64_t>> val_windows;
  for (const auto& path : d.train) {
    side.train.push_back(open_file(path, d));
    auto& f = side.train.back();
    check_file(cfg, f, side.train.front());
    if (d.val) {
      f.train = data::all_windows(f.file->meta(), window, d.stride);
    } else {
      auto split = data::split_windows(f.file->meta(), window, d.stride, d.val_fraction);
      f.train = std::move(split.train);
      f.val = std::move(split.val);
      val_windows.push_back(f.val);
    }
    if (f.train.empty())
      throw DataError(path + ": no training window of " + std::to_string(window) +
                      " consecutive frames (t_in + t_out) fits in its segments after holding out validation");
    side.train_windows.push_back(f.train);
  }
  if (d.val) {
    side.val.emplace(open_file(*d.val, d));
    const auto& r = *side.val->reader;
    const auto& r0 = *side.train.front().reader;
    if (r.channels() != r0.channels() ||
        (!d.random_crop && (r.height() != r0.height() || r.width() != r0.width())))
      throw DataError(*d.val + ": frames differ in size from the training file " + side.train.front().path);
    val_windows.push_back(data::all_windows(side.val->file->meta(), window, d.stride));
  }
  side.val_windows = interleaved(val_windows);
  return side;
}

}  // namespace

std::string bf16_speed_warning(double bf16_gflops, double fp32_gflops) {
  if (bf16_gflops >= fp32_gflops) return "";
  return fmt::format(
      "train.precision bf16: this CPU's bf16 peak ({:.0f} GFLOP/s) is below its fp32 peak ({:.0f}); fp32 is "
      "likely faster here",
      bf16_gflops, fp32_gflops);
}

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

namespace {

// Set-up, agreed across ranks: the data, the model's shape and the memory it needs, checked before anything
// is written; an error on any rank (an unreadable file on one node) stops every rank.
struct Setup {
  ops::Precision precision{};
  std::optional<DataSide> side;
  nn::ModelSpec spec;
  double need_bytes = 0.0;
};

Setup agree_setup(const config::Config& cfg, Communicator& comm, std::int64_t b_local) {
  Setup s;
  comm.agree([&] {
    const std::int64_t B = cfg.train.batch_size;
    if (B < comm.size())
      throw ConfigError("train.batch_size " + std::to_string(B) + " is smaller than the " +
                        std::to_string(comm.size()) +
                        " ranks: every rank needs a sequence of the global batch");
    ops::set_threads(static_cast<int>(cfg.train.threads));
    s.precision = ops::parse_precision(cfg.train.precision);
    ops::require_precision_supported(s.precision, "train.precision");
    s.side.emplace(open_data(cfg));
    config::FrameShape frame;
    for (const auto& f : s.side->train) {  // every file's frames must hold the random crop
      const auto& rd = *f.reader;
      try {
        frame = config::training_frame(cfg, {rd.channels(), rd.height(), rd.width()});
      } catch (const ConfigError& e) {
        throw ConfigError(s.side->train.size() > 1 ? f.path + ": " + e.what() : std::string(e.what()));
      }
    }
    s.spec = config::model_spec(cfg, frame.channels, frame.height, frame.width);
    s.spec.validate();
    config::Config rank_cfg = cfg;  // this rank's memory: its shard of the batch, on the crop when cropping
    rank_cfg.train.batch_size = b_local * cfg.train.members;  // every member is a row of the net's batch
    s.need_bytes = training_memory_bytes(rank_cfg, frame.channels, frame.height, frame.width);
    require_memory_fits(s.need_bytes);
  });
  return s;
}

// bf16 pays only where the CPU's bf16 dot products outrun its fp32 FMAs (docs/performance.md): say so when
// they do not, measured with this run's threads.
void warn_if_bf16_is_slower(ops::Precision precision) {
  if (precision != ops::Precision::bf16) return;
  const int threads = ops::max_threads();
  const auto warning =
      bf16_speed_warning(measure_bf16_peak_gflops(threads, 0.1), measure_fma_peak_gflops(threads, 0.1));
  if (!warning.empty()) log::warn("{}", warning);
}

// The checkpoint's description of a fresh run: the config, the grid trained on (the random crop's, when
// cropping) and the training data's quantity, units and provenance. Several training files share their
// quantity and units; the record then names them all, keeps the provenance they share and holds no map grid
// (they have several).
checkpoint::CheckpointInfo fresh_info(const config::Config& cfg, const std::string& config_yaml,
                                      const nn::ModelSpec& spec, const DataSide& side) {
  const auto& meta = side.train.front().file->meta();
  checkpoint::CheckpointInfo info;
  info.config_yaml = config_yaml;
  info.model = config::model_description(cfg, spec);
  info.best_val_loss = std::numeric_limits<double>::infinity();
  info.frame_channels = spec.channels;
  info.frame_height = spec.height;
  info.frame_width = spec.width;
  info.data = meta.field;
  info.data.time.clear();  // the record of the data, not its frames' times
  if (side.train.size() > 1) {
    info.data.grid = data::Grid{};
    // What every file's import shares (units, Z-R, downsample, ...: predict on raw files repeats it, the
    // format then detected per file); what differs (format, crop, source pixel) is left out.
    for (const auto& f : side.train)
      for (auto it = info.data.provenance.begin(); it != info.data.provenance.end();) {
        const auto& other = f.file->meta().field.provenance;
        const auto o = other.find(it->first);
        it = o != other.end() && o->second == it->second ? std::next(it) : info.data.provenance.erase(it);
      }
    info.data.source = "several datasets:";
    for (const auto& f : side.train)
      info.data.source += " " + f.path + " (" + f.file->meta().field.source + ")";
  }
  return info;
}

// Exact resume needs the same data order and arithmetic: a checkpoint of another config (beyond the keys a
// resume may change) or of another grid is refused.
void require_resumable(const std::string& resume, const checkpoint::CheckpointInfo& prev,
                       const config::Config& cfg, const checkpoint::CheckpointInfo& info) {
  const auto before = config::parse_config(prev.config_yaml, resume + ":config");
  std::string changed;
  for (const auto& key : config::changed_keys(before, cfg))
    if (!config::resume_may_change(key)) changed += (changed.empty() ? "" : ", ") + key;
  if (!changed.empty())
    throw ConfigError(
        "--resume " + resume + ": the config changed " + changed +
        " since that checkpoint; a resumed run must keep the data order and arithmetic (start a "
        "new run, or train.init_from for new settings)");
  if (prev.frame_channels != info.frame_channels || prev.frame_height != info.frame_height ||
      prev.frame_width != info.frame_width)
    throw DataError(resume + ": checkpoint frames " + std::to_string(prev.frame_height) + "x" +
                    std::to_string(prev.frame_width) + " do not match the configured data's " +
                    std::to_string(info.frame_height) + "x" + std::to_string(info.frame_width));
}

// A training run, phase by phase: set-up (the constructor), restore (pre-trained parameters or a resumed
// checkpoint), the step loop, and the final report. Rank 0 owns the run directory.
class Run {
 public:
  Run(const config::Config& cfg, const TrainOptions& options, Communicator& comm)
      : cfg_(cfg),
        options_(options),
        comm_(comm),
        B_(cfg.train.batch_size),
        shard_(shard_of(B_, comm.rank(), comm.size())),
        b_local_(shard_.size()),
        setup_(agree_setup(cfg, comm, b_local_)),
        side_(*setup_.side),
        meta_(side_.train.front().file->meta()),
        rd_(*side_.train.front().reader),
        spec_(setup_.spec),
        dir_(cfg.output.dir),
        config_yaml_(config::to_yaml(cfg)),
        params_(spec_),
        grads_(spec_),
        optimizer_(cfg.train.optimizer, spec_),
        info_(fresh_info(cfg, config_yaml_, spec_, side_)),
        n_train_(side_.train_count()),
        steps_per_epoch_(std::max<std::int64_t>(1, n_train_ / B_)),
        total_(cfg.train.max_steps ? *cfg.train.max_steps : cfg.train.epochs * steps_per_epoch_),
        net_(spec_, b_local_ * cfg.train.members, cfg.data.t_in, cfg.data.t_out, setup_.precision,
             ops::parse_conv_algorithm(cfg.train.conv_algorithm)),
        crop_(random_crop()),
        train_loader_(loader_sources(train_files()), b_local_, cfg.data.t_in, cfg.data.t_out, crop_,
                      spec_.needs_gaps()),
        val_loader_(loader_sources(side_.val ? std::vector<const DataFile*>{&*side_.val} : train_files()),
                    b_local_, cfg.data.t_in, cfg.data.t_out, crop_, spec_.needs_gaps()),
        members_(spec_, cfg.train.members, static_cast<std::uint64_t>(cfg.train.seed)),
        objective_{
            parse_objective(cfg.train.loss, cfg.train.balance, cfg.train.lead_weights, cfg.train.members),
            cfg.data.normalize,
            meta_.field.quantity,
            {},
            {}},
        step_(net_, objective_, optimizer_, comm, cfg.train.clip_grad_norm),
        pred_(net_.output_shape()),
        persistence_(net_.output_shape()) {
    comm_.agree([&] {
      if (comm_.root()) open_run_files(dir_, config_yaml_, log_file_);
    });
    log::info("effective config in {} (and train.log)", (dir_ / "config.yaml").string());
    for (const auto& f : side_.train)
      log::info("data: {} ({} frames {}x{}x{}, {}), {} training windows of {}+{} frames{}", f.path,
                f.file->meta().frames, f.reader->channels(), f.reader->height(), f.reader->width(),
                data::to_string(f.file->meta().field.quantity), f.train.size(), cfg.data.t_in, cfg.data.t_out,
                cfg.data.val ? "" : fmt::format(", {} held out for validation", f.val.size()));
    if (side_.train.size() > 1)
      log::info("{} files, {} training windows in all, drawn {}", side_.train.size(), n_train_,
                cfg.data.weights.empty() ? "each alike" : "by data.weights");
    log::info("{} validation windows{}", side_.val_windows.size(),
              cfg.data.val ? " in " + *cfg.data.val : std::string());
    warn_if_bf16_is_slower(setup_.precision);
    Rng rng(static_cast<std::uint64_t>(cfg.train.seed));
    nn::init_parameters(spec_, params_, rng);
    log::info("model: {}, {} parameters, about {} MiB for training{}", spec_.str(), params_.size(),
              static_cast<long long>(setup_.need_bytes / (1 << 20)),
              comm_.size() > 1 ? " per rank, " + std::to_string(comm_.size()) + " ranks" : std::string());
  }

  // Pre-trained parameters (the same model shape, any frame size: the convolutions do not depend on it), or
  // a checkpoint to resume (which holds nothing that depends on the number of ranks, so any number resumes).
  void restore() {
    comm_.agree([&] {
      if (!cfg_.train.init_from || options_.resume) return;
      try {
        checkpoint::read_checkpoint_tensors(*cfg_.train.init_from, params_, nullptr);
      } catch (const DataError& e) {
        throw DataError(std::string("train.init_from: ") + e.what());
      }
    });
    if (cfg_.train.init_from && !options_.resume) log::info("parameters from {}", *cfg_.train.init_from);
    comm_.agree([&] {
      if (!options_.resume) return;
      const auto prev = checkpoint::read_checkpoint_info(*options_.resume);
      require_resumable(*options_.resume, prev, cfg_, info_);
      auto state = optimizer_.state();
      checkpoint::read_checkpoint_tensors(*options_.resume, params_, &state);
      optimizer_.set_steps(state.steps);
      info_.step = prev.step;
      info_.epoch = prev.epoch;
      info_.best_val_loss = prev.best_val_loss;
      info_.validations_since_best = prev.validations_since_best;
    });
    if (options_.resume) log::info("resumed from {} at step {}", *options_.resume, info_.step);
    first_step_ = info_.step;
    result_.best_val_loss = info_.best_val_loss;
  }

  // Optimizer steps until the total, early stopping or a signal; validation, metrics and checkpoints on
  // their cadence.
  void step_loop() {
    comm_.agree([&] {
      if (comm_.root()) metrics_.emplace((dir_ / "metrics.csv").string(), info_.step);
    });
    bool checkpoint_current = options_.resume.has_value();
    window_clock_ = std::chrono::steady_clock::now();
    log::info("training {} steps ({} per epoch, batch {}{}), {} threads", total_, steps_per_epoch_, B_,
              comm_.size() > 1 ? ", " + std::to_string(b_local_) + " on rank 0" : std::string(),
              ops::max_threads());
    for (std::int64_t step = info_.step; step < total_; ++step) {
      const std::int64_t epoch = step / steps_per_epoch_;
      const double lr = learning_rate(cfg_.train.lr_schedule, cfg_.train.optimizer.lr, step, total_);
      const StepOutcome done = step_.run(params_, grads_, load_batch(step), lr, step);
      info_.step = step + 1;
      info_.epoch = epoch;
      checkpoint_current = false;
      ++window_steps_;
      result_.last_train_loss = done.loss;
      const double elapsed = seconds_since(t_start_);
      const double window_s = seconds_since(window_clock_);
      const double sps = window_s > 0 ? window_steps_ * B_ / window_s : 0.0;
      if (options_.on_step && comm_.root())
        options_.on_step(
            {info_.step, total_, epoch, done.loss, sps, sps > 0 ? (total_ - info_.step) * B_ / sps : 0.0});

      std::optional<double> val, pers;
      const bool last = info_.step == total_;
      if (info_.step % cfg_.train.val_every == 0 || last) validate_now(done.loss, val, pers);
      comm_.agree([&] {
        if (metrics_)
          metrics_->row(info_.step, epoch, done.loss, val, lr, done.grad_norm, elapsed, sps, pers);
      });
      if (info_.step % cfg_.output.checkpoint_every == 0 || last) {
        save("latest.h5");
        checkpoint_current = true;
      }
      if (cfg_.train.patience && info_.validations_since_best >= *cfg_.train.patience) {
        log::info("early stopping at step {}: no improvement in {} validations", info_.step,
                  *cfg_.train.patience);
        result_.early_stopped = true;
        break;
      }
      // A signal reaches one rank or all: every rank stops after the same step.
      if (comm_.any(options_.stop && options_.stop->load())) {
        result_.interrupted = true;
        break;
      }
    }
    if (!checkpoint_current) save("latest.h5");
  }

  // The result, and the log's last lines: time, the extrapolation's share, the crops' wet share, reductions.
  TrainResult report() {
    result_.steps = info_.step;
    result_.best_val_loss = info_.best_val_loss;
    result_.seconds = seconds_since(t_start_);
    result_.reduce_seconds = comm_.reduce_seconds();
    log::info("{} after {} steps in {:.1f} s; latest checkpoint {}",
              result_.interrupted ? "interrupted" : "finished", result_.steps, result_.seconds,
              (dir_ / "latest.h5").string());
    if (spec_.needs_extrapolation()) {
      const double ex = train_loader_.extrapolation_seconds() + val_loader_.extrapolation_seconds();
      result_.extrapolation_seconds = ex;
      log::info(
          "base nowcast ({}): {:.1f} s of {:.1f} s ({:.1f}%; {:.3f} s per training step), {} windows "
          "computed, {} read from the cache",
          spec_.base() == nn::BaseNowcast::sprog ? "motion, S-PROG" : "motion, advection", ex,
          result_.seconds, 100.0 * ex / std::max(result_.seconds, 1e-9),
          train_loader_.extrapolation_seconds() /
              std::max<double>(1.0, static_cast<double>(result_.steps - first_step_)),
          train_loader_.extrapolations_computed() + val_loader_.extrapolations_computed(),
          train_loader_.extrapolations_cached() + val_loader_.extrapolations_cached());
    }
    if (crop_) {
      result_.crop_wet_share = train_loader_.mean_crop_wet();
      result_.window_wet_share = train_loader_.mean_window_wet();
      log::info(
          "random crops {}x{} of {} frames: wet share (>= {} {}) {:.1f}% in the crops, {:.1f}% in their "
          "whole windows",
          spec_.height, spec_.width,
          side_.train.size() > 1 ? "the files'" : fmt::format("{}x{}", rd_.height(), rd_.width()),
          cfg_.data.crop_wet_threshold, meta_.field.units, 100.0 * result_.crop_wet_share,
          100.0 * result_.window_wet_share);
    }
    if (comm_.size() > 1)
      log::info("{} ranks: {:.1f} s in gradient and loss reductions ({:.1f}% of the run)", comm_.size(),
                result_.reduce_seconds, 100.0 * result_.reduce_seconds / std::max(result_.seconds, 1e-9));
    return result_;
  }

 private:
  using Clock = std::chrono::steady_clock;
  static double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  }

  std::vector<const DataFile*> train_files() const {
    std::vector<const DataFile*> v;
    for (const auto& f : side_.train) v.push_back(&f);
    return v;
  }
  // Each file's reader and base nowcast: the motion is estimated on the file's whole (cropped, downsampled)
  // frames; random crops cut from it.
  std::vector<LoaderSource> loader_sources(const std::vector<const DataFile*>& files) const {
    std::vector<LoaderSource> v;
    for (const auto* f : files) {
      const auto& rd = *f->reader;
      v.push_back({&rd, cascade::make_base_nowcast(spec_, rd.height(), rd.width(), cfg_.data.t_in,
                                                   cfg_.data.t_out, cfg_.data.normalize, meta_.field.quantity,
                                                   cfg_.model.flow_method)});
    }
    return v;
  }
  std::optional<RandomCrop> random_crop() const {
    if (!cfg_.data.random_crop) return std::nullopt;
    return RandomCrop{spec_.height, spec_.width, cfg_.data.crop_min_wet,
                      cfg_.data.normalize.forward(static_cast<float>(cfg_.data.crop_wet_threshold)),
                      static_cast<std::uint64_t>(cfg_.train.seed)};
  }

  // This rank's shard of the global batch of `step`: sequences shard.begin .. shard.end of it, each as its
  // members.
  const Batch& load_batch(std::int64_t step) {
    const std::int64_t epoch = step / steps_per_epoch_, pos = step % steps_per_epoch_;
    if (epoch != cached_epoch_) {
      order_ = data::epoch_windows(side_.train_windows, cfg_.data.weights,
                                   static_cast<std::uint64_t>(cfg_.train.seed), epoch);
      cached_epoch_ = epoch;
    }
    starts_.resize(static_cast<std::size_t>(b_local_));
    Batch* batch = nullptr;
    comm_.agree([&] {
      for (std::int64_t b = 0; b < b_local_; ++b)
        starts_[b] = order_[static_cast<std::size_t>((pos * B_ + shard_.begin + b) % n_train_)];
      batch = &train_loader_.load(starts_.data(), b_local_, epoch);
    });
    return members_.expand(*batch, step, pos * B_ + shard_.begin);
  }

  // The model's and persistence's validation loss, logged side by side; best.h5 when the model improves.
  void validate_now(double loss, std::optional<double>& val, std::optional<double>& pers) {
    if (side_.val_windows.empty()) {
      log::info("step {}/{}: train loss {:.6f} (no validation windows)", info_.step, total_, loss);
    } else {
      const auto score = validate(net_, params_, val_loader_, side_.val_windows, objective_, comm_, shard_,
                                  B_, cfg_.train.val_batches, pred_, persistence_, members_);
      const double p = score.persistence;
      val = score.model;
      pers = p;
      result_.last_val_loss = *val;
      result_.persistence_val_loss = p;
      const bool better = *val < info_.best_val_loss;
      log::info(
          "step {}/{}: train loss {:.6f}, val loss {:.6f} (persistence {:.6f}, model/persistence {:.3f}){}",
          info_.step, total_, loss, *val, p, p > 0 ? *val / p : 0.0, better ? ", best so far" : "");
      if (better) {
        info_.best_val_loss = *val;
        info_.validations_since_best = 0;
        save("best.h5");
      } else {
        ++info_.validations_since_best;
      }
    }
    window_clock_ = Clock::now();
    window_steps_ = 0;
  }

  void save(const std::string& name) {
    comm_.agree([&] {
      if (!comm_.root()) return;
      const auto state = optimizer_.state();
      checkpoint::write_checkpoint((dir_ / name).string(), info_, params_, &state);
    });
  }

  const Clock::time_point t_start_ = Clock::now();
  const config::Config& cfg_;
  const TrainOptions& options_;
  Communicator& comm_;
  const std::int64_t B_;  // the global batch
  const Shard shard_;
  const std::int64_t b_local_;
  Setup setup_;
  DataSide& side_;
  const data::DatasetMeta& meta_;
  const data::WindowReader& rd_;
  const nn::ModelSpec& spec_;
  const fs::path dir_;
  const std::string config_yaml_;
  std::optional<log::FileCopy> log_file_;
  nn::ParameterTable params_, grads_;
  Optimizer optimizer_;
  checkpoint::CheckpointInfo info_;
  const std::int64_t n_train_, steps_per_epoch_, total_;
  Bptt net_;
  const std::optional<RandomCrop> crop_;
  BatchLoader train_loader_, val_loader_;
  Members members_;
  BatchObjective objective_;
  TrainStep step_;
  Tensor pred_, persistence_;  // validation's
  std::optional<MetricsCsv> metrics_;
  TrainResult result_;
  std::int64_t cached_epoch_ = -1;
  std::int64_t first_step_ = 0;  // the step this process started from (a resumed run's)
  std::vector<data::WindowRef> order_, starts_;
  Clock::time_point window_clock_;
  std::int64_t window_steps_ = 0;
};

}  // namespace

TrainResult train_model(const config::Config& cfg, const TrainOptions& options) {
  Communicator single;
  Run run(cfg, options, options.comm ? *options.comm : single);
  run.restore();
  run.step_loop();
  return run.report();
}

}  // namespace convlstm::train
