// `convlstm evaluate`: scores a checkpoint over every window of a dataset, next to baselines, per lead time
// and averaged (docs/architecture.md). Windows are processed as in training (the config's crop and
// downsample); scores are in physical units with unobserved pixels masked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eval/bootstrap.hpp"
#include "eval/external.hpp"
#include "eval/metrics.hpp"
#include "motion/optical_flow.hpp"

namespace convlstm::eval {

// The names `--baselines` accepts (persistence, optical-flow, sprog: S-PROG, cascade/sprog.hpp; steps: a
// STEPS ensemble, cascade/steps.hpp), and the default: persistence, optical-flow and sprog (persistence alone
// in a build without OpenCV).
const std::vector<std::string>& known_baselines();
std::vector<std::string> default_baselines();

struct EvaluateOptions {
  std::string checkpoint;
  std::string data;
  std::vector<std::string> baselines = default_baselines();  // known_baselines()
  motion::FlowMethod flow_method = motion::FlowMethod::dis;  // for optical-flow
  std::optional<std::vector<double>> thresholds;             // mm/h; default 0.5, 2, 5, 10, 30
  std::int64_t stride = 1;                                   // frames between window starts
  std::int64_t batch = 8;
  std::optional<std::int64_t> max_windows;
  std::int64_t bootstrap = 0;         // replicates of the block bootstrap (0: no intervals)
  std::optional<std::int64_t> block;  // windows per block; default: the windows sharing a frame
  std::uint64_t bootstrap_seed = 1;
  // The baseline whose difference from the model is printed, with its interval: optical-flow when scored,
  // else the first baseline; a name not among the baselines is a UsageError.
  std::string reference;
  // Forecasts other systems wrote (--forecast NAME=FILES), scored after the baselines on the windows whose
  // analysis time every one of them has (eval/external.hpp).
  std::vector<ForecastFiles> forecasts;
  std::int64_t members = 20;  // the STEPS ensemble's
  std::uint64_t seed = 0;     // the STEPS ensemble's noise and motion perturbations
};

struct SourceScores {
  std::string name;  // "model", "persistence", ...
  Scores scores;
};

struct Evaluation {
  std::vector<SourceScores> sources;
  std::vector<double> lead_times_s;  // empty when the data has no time step
  double pixel_m = 0.0;              // the evaluated frames' pixel size (0: not georeferenced)
  std::int64_t windows = 0;
  data::Quantity quantity = data::Quantity::rain_rate;
  std::string units;
  std::string reference;                     // empty: no baseline
  std::optional<BootstrapResult> bootstrap;  // 90% intervals, with EvaluateOptions::bootstrap
};

Evaluation evaluate(const EvaluateOptions& options);

// Reports: a table for the terminal, and CSV (source, lead, figures...) and JSON files.
std::string format_table(const Evaluation& e);
void write_csv(const Evaluation& e, const std::string& path);
void write_json(const Evaluation& e, const std::string& path);

}  // namespace convlstm::eval
