#include "eval/external.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.hpp"

namespace convlstm::eval {

namespace {

std::string grid_str(const data::Grid& g, std::int64_t h, std::int64_t w) {
  std::ostringstream os;
  os << h << "x" << w;
  if (g.known()) os << " from (" << g.x0 << ", " << g.y0 << ") by " << g.dx << " x " << g.dy << " m";
  return os.str();
}

// Same corner to a tenth of a pixel and the same pixel to 0.1%.
bool same_grid(const data::Grid& a, const data::Grid& b) {
  return std::abs(a.dx - b.dx) <= 1e-3 * a.dx && std::abs(a.dy - b.dy) <= 1e-3 * a.dy &&
         std::abs(a.x0 - b.x0) <= 0.1 * a.dx && std::abs(a.y0 - b.y0) <= 0.1 * a.dy;
}

std::vector<std::int64_t> lead_index(const data::ForecastEntry& e, const EvaluationGrid& g) {
  std::vector<std::int64_t> idx;
  for (std::int64_t k = 1; k <= g.t_out; ++k) {
    const auto it = std::find(e.lead_s.begin(), e.lead_s.end(), k * g.timestep);
    if (it == e.lead_s.end())
      throw DataError(e.path + ": no lead of " + std::to_string(k * g.timestep) + " s (its leads run " +
                      std::to_string(e.lead_s.empty() ? 0 : e.lead_s.front()) + " to " +
                      std::to_string(e.lead_s.empty() ? 0 : e.lead_s.back()) + " s; the evaluation needs " +
                      std::to_string(g.t_out) + " leads " + std::to_string(g.timestep) + " s apart)");
    idx.push_back(it - e.lead_s.begin());
  }
  return idx;
}

}  // namespace

ForecastFiles parse_forecast_option(const std::string& option) {
  const auto eq = option.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == option.size())
    throw UsageError("--forecast '" + option + "': expected NAME=FILE[,FILE...]");
  ForecastFiles f;
  f.name = option.substr(0, eq);
  std::stringstream files(option.substr(eq + 1));
  for (std::string file; std::getline(files, file, ',');)
    if (!file.empty()) f.files.push_back(file);
  return f;
}

ExternalSource index_forecasts(const ForecastFiles& f, const EvaluationGrid& g) {
  if (f.files.empty()) throw UsageError("--forecast " + f.name + ": no files");
  ExternalSource s;
  s.name = f.name;
  bool first = true;
  for (const auto& path : f.files)
    for (auto& e : data::read_forecast_index(path)) {
      if (e.height != g.height || e.width != g.width ||
          (e.grid.known() && g.grid.known() && !same_grid(e.grid, g.grid)))
        throw DataError(path + ": forecast grid " + grid_str(e.grid, e.height, e.width) +
                        ", the evaluated frames' " + grid_str(g.grid, g.height, g.width));
      if (e.quantity != g.quantity)
        throw DataError(path + ": forecasts " + data::to_string(e.quantity) + ", the data is " +
                        data::to_string(g.quantity));
      lead_index(e, g);  // every lead is there
      if (!first && e.members != s.members)
        throw DataError(path + ": " + std::to_string(e.members) + " members, the other files of " + f.name +
                        " have " + std::to_string(s.members));
      s.members = e.members;
      first = false;
      s.by_analysis[e.analysis_time] = std::move(e);
    }
  return s;
}

void external_forecast(const ExternalSource& s, std::int64_t analysis_time, const EvaluationGrid& g,
                       float dry, std::vector<float>& out) {
  const auto& e = s.by_analysis.at(analysis_time);
  const auto values = data::read_forecast_values(e);
  const auto idx = lead_index(e, g);
  const std::int64_t plane = g.height * g.width, leads = static_cast<std::int64_t>(e.lead_s.size());
  out.resize(static_cast<std::size_t>(e.members * g.t_out * plane));
  for (std::int64_t m = 0; m < e.members; ++m)
    for (std::int64_t t = 0; t < g.t_out; ++t) {
      const float* src = values.data() + (m * leads + idx[t]) * plane;
      float* dst = out.data() + (m * g.t_out + t) * plane;
      for (std::int64_t i = 0; i < plane; ++i) dst[i] = std::isfinite(src[i]) ? src[i] : dry;
    }
}

}  // namespace convlstm::eval
