#include "train/bench.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "cascade/base_nowcast.hpp"
#include "checkpoint/checkpoint.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "core/sysinfo.hpp"
#include "data/dataset.hpp"
#include "data/h5.hpp"
#include "data/windows.hpp"
#include "motion/extrapolation.hpp"
#include "nn/inference.hpp"
#include "nn/noise.hpp"
#include "nn/parameters.hpp"
#include "ops/precision.hpp"
#include "ops/threads.hpp"
#include "train/batches.hpp"
#include "train/bptt.hpp"
#include "train/loss.hpp"
#include "train/members.hpp"
#include "train/optimizer.hpp"
#include "train/step.hpp"
#include "train/trainer.hpp"

namespace convlstm::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The frames' shape: bench.frame, or data.train's frames after crop and downsample (header only); then
// data.random_crop's when it is set, the shape training steps on.
config::FrameShape frame_shape(const config::Config& cfg) {
  if (cfg.bench.frame) return config::training_frame(cfg, *cfg.bench.frame);
  if (!std::filesystem::exists(cfg.data.train.front()))
    throw ConfigError("bench.frame is not set and data.train (" + cfg.data.train.front() +
                      ") does not exist: set bench.frame: [channels, height, width] or make the dataset");
  const data::DatasetReader file(cfg.data.train.front());
  const data::WindowReader reader(file, cfg.data.crop, cfg.data.downsample, std::nullopt);
  return config::training_frame(cfg, {reader.channels(), reader.height(), reader.width()});
}

// checkpoint.h5: the initial weights as a normal checkpoint; case.h5: the batch, the prediction, the loss and
// every parameter's gradient of the first step, for an independent framework to reproduce.
void write_dump(const std::string& dir, const config::Config& cfg, const config::FrameShape& frame,
                nn::ParameterTable& params, const nn::ParameterTable& grads, const Batch& batch,
                const Tensor& pred, double loss) {
  std::filesystem::create_directories(dir);
  checkpoint::CheckpointInfo info;
  info.config_yaml = config::to_yaml(cfg);
  info.frame_channels = frame.channels;
  info.frame_height = frame.height;
  info.frame_width = frame.width;
  info.model =
      config::model_description(cfg, config::model_spec(cfg, frame.channels, frame.height, frame.width));
  checkpoint::write_checkpoint(dir + "/checkpoint.h5", info, params, nullptr);

  const std::string path = dir + "/case.h5";
  const auto f = data::h5::File::create(path);
  auto put = [&](const std::string& name, const Tensor& t) {
    auto ds = f.create_dataset(name, data::h5::Scalar::float32, t.shape().dims);
    ds.write(std::vector<std::int64_t>(t.shape().rank(), 0), t.shape().dims, t.data());
  };
  put("/inputs", batch.inputs);
  put("/targets", batch.targets);
  put("/pred", pred);
  if (batch.extrapolation.data()) put("/extrapolation", batch.extrapolation);
  if (batch.gaps.data()) put("/gaps", batch.gaps);
  if (batch.noise.data()) put("/noise", batch.noise);  // (rows, K, H, W): the members' rows, as drawn
  checkpoint::write_tensors(f, "/grad/", grads);
  f.root().set_attr("loss", loss);
  f.root().set_attr("objective", cfg.train.loss);
  f.root().set_attr("members", cfg.train.members);
  log::info("wrote {}/checkpoint.h5 and {}", dir, path);
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

Timing Timing::of(std::vector<double> samples) {
  CONVLSTM_CHECK(!samples.empty(), "no timed samples");
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2], samples.front()};
}

namespace {

// What every phase of a benchmark shares: the model, its parameters, one random batch of its shape, the
// ranks, and the extrapolation an advection-conditioned model reads (computed afresh per step).
struct Bench {
  const config::Config& cfg;
  const BenchOptions& options;
  Communicator& comm;
  ops::Precision precision;
  config::FrameShape frame;
  nn::ModelSpec spec;
  std::int64_t b, t_in, t_out;  // b: this rank's sequences
  nn::ParameterTable params;
  Rng rng;
  Batch batch;
  std::unique_ptr<motion::Extrapolator> extrapolator;
  std::vector<float> ones;

  Bench(const config::Config& c, const BenchOptions& o, Communicator& world, ops::Precision p,
        const config::FrameShape& f, const nn::ModelSpec& s, std::int64_t local)
      : cfg(c),
        options(o),
        comm(world),
        precision(p),
        frame(f),
        spec(s),
        b(local),
        t_in(c.data.t_in),
        t_out(c.data.t_out),
        params(s),
        rng(static_cast<std::uint64_t>(c.train.seed)),
        batch{Tensor(Shape{local, t_in, f.channels, f.height, f.width}),
              Tensor(Shape{local, t_out, f.channels, f.height, f.width}),
              Tensor(Shape{local, t_out, f.channels, f.height, f.width}),
              local,
              Tensor(),
              Tensor(),
              Tensor()} {
    nn::init_parameters(spec, params, rng);
    // A residual model's head starts at zero, which would leave every gradient but the head's at zero in the
    // dumped step; for the comparison the dump gives the head random weights, so every path carries signal.
    if (options.dump_dir && spec.output == nn::OutputActivation::residual) {
      const float scale = 1.0f / std::sqrt(static_cast<float>(spec.hidden_sum()));
      for (auto& w : params.model.head_w) w = rng.uniform(-scale, scale);
    }
    // Random data in [0, 1], every pixel observed: the shapes and the arithmetic are those of training.
    for (auto& v : batch.inputs) v = rng.uniform(0.0f, 1.0f);
    for (auto& v : batch.targets) v = rng.uniform(0.0f, 1.0f);
    std::fill(batch.mask.begin(), batch.mask.end(), 1.0f);
    extrapolator = cascade::make_base_nowcast(spec, spec.height, spec.width, t_in, t_out, cfg.data.normalize,
                                              data::Quantity::rain_rate, cfg.model.flow_method);
    if (extrapolator) {
      batch.extrapolation = Tensor(batch.targets.shape());
      if (spec.needs_gaps()) batch.gaps = Tensor(batch.targets.shape());
      ones.assign(static_cast<std::size_t>(batch.inputs.numel() / b), 1.0f);
    }
  }

  // The extrapolation of each sequence's (random) inputs, timed on its own (training caches it per window;
  // this is the uncached cost). 0 for a model that reads none.
  double extrapolate() {
    if (!extrapolator) return 0.0;  // no phase to time (nor a clock reading to report as one)
    const auto t0 = Clock::now();
    for (std::int64_t s = 0; s < b; ++s)
      extrapolator->run(batch.inputs.data() + s * static_cast<std::int64_t>(ones.size()), ones.data(),
                        batch.extrapolation.data() + s * extrapolator->output_size(),
                        batch.gaps.data() ? batch.gaps.data() + s * extrapolator->output_size() : nullptr);
    return seconds_since(t0);
  }

  // warmup + steps training steps (the trainer's own, train/step.hpp): forward, backward, the reduction and
  // the optimizer timed apart; the first step's case dumped when asked.
  void time_training(BenchResult& r) {
    Optimizer optimizer(cfg.train.optimizer, spec);
    nn::ParameterTable grads(spec);
    // A stochastic model's members (train.members) are rows of the net's batch, as in training.
    Members members(spec, cfg.train.members, static_cast<std::uint64_t>(cfg.train.seed));
    Bptt net(spec, b * members.count(), t_in, t_out, precision,
             ops::parse_conv_algorithm(cfg.train.conv_algorithm));
    r.kernels = net.kernels();
    r.train_flops = (net.forward_flops() + net.backward_flops()) * comm.size();
    r.gradient_bytes = 4.0 * static_cast<double>(grads.size());
    log::debug("kernels: {}", r.kernels);
    BatchObjective objective{
        parse_objective(cfg.train.loss, cfg.train.balance, cfg.train.lead_weights, cfg.train.members),
        cfg.data.normalize,
        data::Quantity::intensity,
        {},
        {}};
    TrainStep train_step(net, objective, optimizer, comm, cfg.train.clip_grad_norm);
    std::vector<double> fwd, bwd, opt, step, reduce, extra;
    for (std::int64_t i = 0; i < options.warmup + options.steps; ++i) {
      const double t_extra = extrapolate();
      const Batch& rows = members.expand(batch, i, 0);
      auto done = train_step.gradients(params, grads, rows, i);
      if (i == 0) {
        r.first_loss = done.loss;
        if (options.dump_dir && comm.root())
          write_dump(*options.dump_dir, cfg, frame, params, grads, rows, train_step.prediction(), done.loss);
      }
      train_step.update(params, grads, cfg.train.optimizer.lr, i, done);
      if (i >= options.warmup) {
        const auto& p = done.phases;
        fwd.push_back(p.forward);
        bwd.push_back(p.backward);
        opt.push_back(p.optimizer);
        reduce.push_back(p.reduce);
        extra.push_back(t_extra);
        step.push_back(p.forward + p.backward + p.reduce + p.optimizer);
      }
    }
    r.forward = Timing::of(fwd);
    r.backward = Timing::of(bwd);
    r.optimizer = Timing::of(opt);
    r.step = Timing::of(step);
    r.allreduce = Timing::of(reduce);
    r.extrapolation = Timing::of(extra);
  }

  // One untimed and `steps` timed forward passes of the inference predict and evaluate run (no tape).
  void time_inference(BenchResult& r) {
    nn::Inference inference(spec, b, t_in, t_out, ops::parse_conv_algorithm(cfg.train.conv_algorithm),
                            precision);
    r.infer_flops = nn::forward_flops(spec, b, t_in, t_out) * comm.size();
    if (extrapolator && options.infer_only) extrapolate();  // (training computed it already)
    Tensor pred(Shape{b, t_out, frame.channels, frame.height, frame.width});
    std::vector<double> infer;
    Members one(spec, 1, static_cast<std::uint64_t>(cfg.train.seed));  // a stochastic model's noise
    const Batch& rows = one.expand(batch, nn::kForecastNoiseStep, 0);
    for (std::int64_t i = 0; i < options.steps + 1; ++i) {
      const auto t0 = Clock::now();
      inference.forward(params.model, rows.inputs.data(), pred.data(), rows.extrapolation.data(),
                        rows.gaps.data(), rows.noise.data());
      if (i > 0) infer.push_back(seconds_since(t0));
    }
    r.infer = Timing::of(infer);
  }
};

}  // namespace

BenchResult run_bench(const config::Config& cfg, const BenchOptions& options) {
  CONVLSTM_CHECK(options.steps >= 1 && options.warmup >= 0,
                 "steps " << options.steps << ", warmup " << options.warmup);
  ops::set_threads(options.threads.value_or(static_cast<int>(cfg.train.threads)));
  const std::string precision_name = options.precision.value_or(cfg.train.precision);
  const auto precision = ops::parse_precision(precision_name);
  ops::require_precision_supported(precision, options.precision ? "--precision" : "train.precision");

  const auto frame = frame_shape(cfg);
  const auto spec = config::model_spec(cfg, frame.channels, frame.height, frame.width);
  spec.validate();
  const std::int64_t B = cfg.train.batch_size;
  Communicator single;
  Communicator& comm = options.comm ? *options.comm : single;
  if (B < comm.size())
    throw ConfigError("train.batch_size " + std::to_string(B) + " is smaller than the " +
                      std::to_string(comm.size()) + " ranks");
  const std::int64_t b = shard_of(B, comm.rank(), comm.size()).size();  // this rank's sequences

  BenchResult r;
  r.model = spec.str();
  r.batch = B;
  r.t_in = cfg.data.t_in;
  r.t_out = cfg.data.t_out;
  r.threads = ops::max_threads();
  r.ranks = comm.size();
  r.precision = ops::precision_name(precision);
  r.conv_algorithm = cfg.train.conv_algorithm;
  r.steps = options.steps;
  r.infer_only = options.infer_only;
  config::Config rank_cfg = cfg;
  rank_cfg.train.batch_size = b;
  r.estimate_bytes = training_memory_bytes(rank_cfg, frame.channels, frame.height, frame.width);
  if (!options.infer_only) require_memory_fits(r.estimate_bytes);

  Bench bench(cfg, options, comm, precision, frame, spec, b);
  r.parameters = bench.params.size();
  log::info("bench: {}, batch {}, {}+{} frames, {} threads, {}, {} parameters{}", r.model, B, r.t_in, r.t_out,
            r.threads, r.precision, r.parameters, options.infer_only ? ", inference only" : "");
  if (!options.infer_only) bench.time_training(r);
  bench.time_inference(r);
  r.peak_rss_bytes = peak_rss_bytes();
  // Every rank measures at the same time, each on its own cores.
  if (options.measure_peak)
    r.peak_gflops =
        (r.precision == "bf16" ? measure_bf16_peak_gflops(r.threads) : measure_fma_peak_gflops(r.threads)) *
        comm.size();
  return r;
}

std::string to_json(const BenchResult& r) {
  std::ostringstream os;
  os.precision(6);
  auto timing = [&](const char* name, const Timing& t) {
    os << "\"" << name << "_s\": " << t.median << ", \"" << name << "_min_s\": " << t.min << ", ";
  };
  os << "{\"model\": \"" << json_escape(r.model) << "\", \"batch\": " << r.batch << ", \"t_in\": " << r.t_in
     << ", \"t_out\": " << r.t_out << ", \"threads\": " << r.threads << ", \"precision\": \"" << r.precision
     << "\", \"conv_algorithm\": \"" << r.conv_algorithm << "\", \"parameters\": " << r.parameters
     << ", \"steps\": " << r.steps << ", ";
  timing("train_step", r.step);
  timing("forward", r.forward);
  timing("backward", r.backward);
  timing("optimizer", r.optimizer);
  timing("infer", r.infer);
  timing("allreduce", r.allreduce);
  timing("extrapolation", r.extrapolation);
  os << "\"ranks\": " << r.ranks << ", \"gradient_mib\": " << r.gradient_bytes / (1 << 20) << ", ";
  os << "\"sequences_per_s\": " << r.sequences_per_s() << ", \"gflops\": " << r.gflops()
     << ", \"infer_gflops\": " << r.infer_gflops() << ", \"peak_gflops\": " << r.peak_gflops
     << ", \"peak_fraction\": " << r.peak_fraction() << ", \"peak_rss_mib\": " << r.peak_rss_bytes / (1 << 20)
     << ", \"infer_only\": " << (r.infer_only ? "true" : "false")
     << ", \"estimate_mib\": " << r.estimate_bytes / (1 << 20) << ", \"first_loss\": " << r.first_loss
     << ", \"kernels\": \"" << json_escape(r.kernels) << "\"}";
  return os.str();
}

std::string format_bench(const BenchResult& r) {
  char buf[256];
  std::ostringstream os;
  os << "model " << r.model << ", batch " << r.batch << ", " << r.t_in << " in, " << r.t_out << " out\n";
  if (r.ranks > 1) os << r.ranks << " ranks (MPI), each with ";
  os << r.parameters << " parameters, " << r.threads << " threads, " << r.precision << ", "
     << r.conv_algorithm << " convolutions, " << r.steps << " timed steps after warm-up\n";
  os << "                median       min\n";
  auto row = [&](const char* name, const Timing& t) {
    std::snprintf(buf, sizeof buf, "%-12s %9.4f s %9.4f s\n", name, t.median, t.min);
    os << buf;
  };
  if (r.infer_only) {
    row("inference", r.infer);
    std::snprintf(buf, sizeof buf, "inference: %.2f sequences/s, %.1f GFLOP/s\npeak RSS %.0f MiB\n",
                  r.batch / r.infer.median, r.infer_gflops(), r.peak_rss_bytes / (1 << 20));
    return os.str() + buf;
  }
  row("forward", r.forward);
  row("backward", r.backward);
  row("optimizer", r.optimizer);
  if (r.ranks > 1) row("allreduce", r.allreduce);
  row("train step", r.step);
  if (r.extrapolation.median > 0) {
    row("extrapolation", r.extrapolation);
    std::snprintf(buf, sizeof buf, "  (the base nowcast of the batch, uncached: %.1f%% of the train step)\n",
                  100.0 * r.extrapolation.median / r.step.median);
    os << buf;
  }
  row("inference", r.infer);
  std::snprintf(buf, sizeof buf, "training: %.2f sequences/s, %.1f GFLOP/s (in-image taps)",
                r.sequences_per_s(), r.gflops());
  os << buf;
  if (r.peak_gflops > 0) {
    std::snprintf(buf, sizeof buf, ", %.0f%% of the measured %s peak (%.1f GFLOP/s)",
                  100.0 * r.peak_fraction(), r.precision == "bf16" ? "bf16 dot-product" : "fp32 FMA",
                  r.peak_gflops);
    os << buf;
  }
  std::snprintf(buf, sizeof buf, "\ninference: %.2f sequences/s, %.1f GFLOP/s\n", r.batch / r.infer.median,
                r.infer_gflops());
  os << buf;
  if (r.ranks > 1) {
    std::snprintf(buf, sizeof buf, "allreduce of %.1f MiB of gradients: %.1f%% of the training step\n",
                  r.gradient_bytes / (1 << 20), 100.0 * r.allreduce.median / r.step.median);
    os << buf;
  }
  std::snprintf(buf, sizeof buf, "peak RSS %.0f MiB (estimate before training %.0f MiB)\n",
                r.peak_rss_bytes / (1 << 20), r.estimate_bytes / (1 << 20));
  os << buf;
  return os.str();
}

}  // namespace convlstm::train
