// `convlstm evaluate`: scores a checkpoint over every window of a dataset, next to baselines, per lead time
// and averaged (design 9). Windows are processed as in training (the config's crop and downsample); scores
// are in physical units with unobserved pixels masked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eval/metrics.hpp"
#include "eval/optical_flow.hpp"

namespace convlstm::eval {

struct EvaluateOptions {
  std::string checkpoint;
  std::string data;
  std::vector<std::string> baselines{"persistence"};  // known_baselines()
  FlowMethod flow_method = FlowMethod::dis;           // for optical-flow
  std::optional<std::vector<double>> thresholds;      // mm/h; default 0.5, 2, 5, 10, 30
  std::int64_t stride = 1;                            // frames between window starts
  std::int64_t batch = 8;
  std::optional<std::int64_t> max_windows;
};

struct SourceScores {
  std::string name;  // "model", "persistence", ...
  Scores scores;
};

struct Evaluation {
  std::vector<SourceScores> sources;
  std::vector<double> lead_times_s;  // empty when the data has no time step
  std::int64_t windows = 0;
  std::string quantity, units;
};

Evaluation evaluate(const EvaluateOptions& options);

// Reports: a table for the terminal, and CSV (source, lead, figures...) and JSON files.
std::string format_table(const Evaluation& e);
void write_csv(const Evaluation& e, const std::string& path);
void write_json(const Evaluation& e, const std::string& path);

// The names `--baselines` accepts.
const std::vector<std::string>& known_baselines();

}  // namespace convlstm::eval
