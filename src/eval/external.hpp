// Forecasts another system wrote (`convlstm evaluate --forecast NAME=FILES`, data/forecast_files.hpp),
// scored on the evaluation's own windows: each window is matched by the analysis time (the valid time of its
// last input frame), each lead by its lead time, and every forecast must be on the evaluation's grid.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/forecast_files.hpp"

namespace convlstm::eval {

struct ForecastFiles {
  std::string name;
  std::vector<std::string> files;
};

// What the forecasts must match: the grid of the evaluated frames (unknown when the data has none), its
// shape, quantity, time step and lead count.
struct EvaluationGrid {
  data::Grid grid;
  std::int64_t height = 0, width = 0;
  data::Quantity quantity = data::Quantity::rain_rate;
  std::int64_t timestep = 0, t_out = 0;
};

struct ExternalSource {
  std::string name;
  std::map<std::int64_t, data::ForecastEntry> by_analysis;
  std::int64_t members = 1;
};

// Indexes the files and checks every forecast against `g`; DataError naming the file (and both grids, or both
// lead sets) for one that does not match.
ExternalSource index_forecasts(const ForecastFiles& f, const EvaluationGrid& g);

// "NAME=FILES" -> the name and the comma-separated files; UsageError otherwise.
ForecastFiles parse_forecast_option(const std::string& option);

// One window's forecast: (members, t_out, h, w) at the evaluation's leads, NaN (no value) as `dry`.
void external_forecast(const ExternalSource& s, std::int64_t analysis_time, const EvaluationGrid& g,
                       float dry, std::vector<float>& out);

}  // namespace convlstm::eval
