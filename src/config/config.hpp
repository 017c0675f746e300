// The run configuration (docs/architecture.md "Configuration"): plain structs with defaults, filled from
// YAML. Every key, its default and its meaning is listed in configs/default.yaml. yaml-cpp appears only in
// config/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checkpoint/checkpoint.hpp"
#include "data/normalize.hpp"
#include "data/windows.hpp"
#include "nn/model_spec.hpp"

namespace convlstm::config {

struct DataConfig {
  // One dataset file or several (windows drawn from all: docs/architecture.md "Training on several
  // datasets").
  std::vector<std::string> train{"data/synth_radar.h5"};
  // Each data.train file's share of the training windows drawn per epoch; empty: every window alike (each
  // file in proportion to its windows).
  std::vector<double> weights;
  std::optional<std::string> val;  // separate validation file; absent: the last val_fraction of each segment
  double val_fraction = 0.1;
  std::int64_t t_in = 5;
  std::int64_t t_out = 15;
  std::int64_t stride = 1;
  std::optional<data::Crop> crop;  // [y0, x0, height, width] before downsampling
  std::int64_t downsample = 1;
  // Train on random crops of this [height, width] of the (cropped, downsampled) frames; absent: whole frames.
  std::optional<std::pair<std::int64_t, std::int64_t>> random_crop;
  // Random crops: the share of a window's observed pixels at or above crop_wet_threshold (the data's units)
  // that a crop should reach; the best of train/batches.hpp's kCropTries draws when none does.
  double crop_min_wet = 0.0;
  double crop_wet_threshold = 0.1;
  data::Normalizer normalize;
};

struct ModelConfig {
  std::int64_t patch = 2;
  std::vector<nn::LayerSpec> layers{{64, 3, 3}, {64, 3, 3}};
  nn::Peephole peephole = nn::Peephole::channel;
  double forget_bias = 1.0;
  nn::OutputActivation output = nn::OutputActivation::sigmoid;
  nn::ForecasterInput forecaster_input = nn::ForecasterInput::none;
  nn::OutputFilter output_filter = nn::OutputFilter::none;
  nn::NoiseSpec noise;  // model.noise.channels, model.noise.scale (0 channels: deterministic)
  // The optical flow behind the extrapolation the model reads (dis | farneback), as in evaluate's baseline.
  std::string flow_method = "dis";
};

struct OptimizerConfig {
  std::string kind = "rmsprop";  // sgd | rmsprop | adam
  double lr = 1e-3;
  double momentum = 0.9;  // sgd
  double decay = 0.9;     // rmsprop: moving average of g²
  double beta1 = 0.9;     // adam
  double beta2 = 0.999;   // adam
  double eps = 1e-8;
  double weight_decay = 0.0;  // L2, added to the gradient
};

struct ScheduleConfig {
  std::string kind = "constant";  // constant | step | cosine
  std::int64_t step_size = 1000;  // step: multiply by gamma every step_size steps
  double gamma = 0.5;
  double min_lr = 0.0;  // cosine: the final learning rate
  std::int64_t warmup_steps = 0;
};

struct TrainConfig {
  std::int64_t batch_size = 4;
  std::int64_t epochs = 10;
  std::optional<std::int64_t> max_steps;
  std::string loss = "mse";  // mse | mae | bce | bmse | bmae | bmse+bmae | crps | bcrps
  // Members run per sequence (train/members.hpp): 1, or at least 2 for the ensemble CRPS.
  std::int64_t members = 1;
  // The balanced losses' HKO-7 weights: of the observed rate (HKO-7) or of the larger of the observed and
  // forecast rates (max: an over-forecast costs what a miss of the same rate costs).
  std::string balance = "observed";  // observed | max
  // Each lead's weight in the loss: uniform, or inverse (lead t of T weighs T / (t H_T), H_T = Σ_s 1/s).
  std::string lead_weights = "uniform";  // uniform | inverse
  OptimizerConfig optimizer;
  std::optional<double> clip_grad_norm;
  ScheduleConfig lr_schedule;
  std::int64_t val_every = 200;
  std::optional<std::int64_t> val_batches;  // cap on validation batches per evaluation; absent: all
  std::optional<std::int64_t> patience;     // early_stopping.patience, in validations without improvement
  std::int64_t seed = 1;
  // Start from the parameters of this checkpoint (pre-training, e.g. on synthetic data of the same grid); the
  // optimizer starts fresh and the steps count from 0. Ignored with --resume.
  std::optional<std::string> init_from;
  std::int64_t threads = 0;
  std::string precision = "fp32";           // fp32 | bf16
  std::string conv_algorithm = "winograd";  // winograd | direct (ops/conv2d.hpp)
};

struct OutputConfig {
  std::string dir = "runs/default";
  std::int64_t checkpoint_every = 200;
};

// `convlstm bench` only: the shape of its random frames, [channels, height, width] before patching. Absent:
// the shape of data.train's frames after crop and downsample (the file's header is read, no frames).
struct FrameShape {
  std::int64_t channels = 1, height = 1, width = 1;
};

struct BenchConfig {
  std::optional<FrameShape> frame;
};

struct Config {
  DataConfig data;
  ModelConfig model;
  TrainConfig train;
  OutputConfig output;
  BenchConfig bench;
};

// Parses YAML text; `source` names it in errors ("configs/x.yaml"). Overrides are "a.b=value" with a YAML
// value. Throws ConfigError "source:line: key: what was expected" for unknown keys (with the closest known
// key), wrong types and out-of-range values.
Config parse_config(const std::string& yaml, const std::string& source,
                    const std::vector<std::string>& overrides = {});
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});

// The full effective configuration as YAML (every key), parseable by parse_config.
std::string to_yaml(const Config& c);

// Whether `train --resume` may change this dotted key (changed_keys) and still replay the same data order and
// arithmetic: the total of steps, the validation and checkpoint cadence, threads, pre-training, output.
bool resume_may_change(const std::string& key);

// What `convlstm config --defaults` prints: a header, then to_yaml of the defaults (every key).
std::string defaults_listing();

// The dotted keys whose values differ between two configs (as to_yaml writes them), in file order.
std::vector<std::string> changed_keys(const Config& a, const Config& b);

// The frames the model trains on: data.random_crop's size when set (checked to fit `data`, the frames after
// crop and downsample; ConfigError naming the key), else `data` itself.
FrameShape training_frame(const Config& c, const FrameShape& data);

// The model's shape for frames of C x H x W (after crop and downsample, or the random crop's).
nn::ModelSpec model_spec(const Config& c, std::int64_t channels, std::int64_t height, std::int64_t width);

// What a checkpoint records of the model for forecasting (checkpoint/checkpoint.hpp), from the config and the
// model's shape (model_spec's: its grid is the one trained on).
checkpoint::ModelDescription model_description(const Config& c, const nn::ModelSpec& spec);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace convlstm::config
