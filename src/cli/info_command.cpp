// convlstm info FILE: describes a dataset or a checkpoint.
#include <ctime>
#include <iostream>
#include <memory>

#include "cascade/statistics.hpp"
#include "checkpoint/checkpoint.hpp"
#include "cli/commands.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/h5.hpp"
#include "data/units.hpp"
#include "forecast/georeferenced.hpp"
#include "nn/parameters.hpp"

namespace convlstm::cli {

namespace {

std::string iso_time(std::int64_t t) {
  return forecast::format_utc(t, "%Y-%m-%dT%H:%M:%SZ");
}

void describe_dataset(const std::string& path) {
  data::DatasetReader r(path);
  const auto& m = r.meta();
  const auto& f = m.field;
  std::cout << path << ": convlstm dataset, version 1\n"
            << "  frames     " << m.frames << " x " << m.channels << " x " << m.height << " x " << m.width
            << " (" << m.dtype << ")\n"
            << "  quantity   " << data::to_string(f.quantity) << " [" << f.units << "], physical = raw * "
            << m.gain << " + " << m.offset
            << (m.nodata ? ", nodata raw " + std::to_string(*m.nodata) : std::string(", no nodata value"))
            << "\n";
  if (!f.time.empty())
    std::cout << "  time       " << iso_time(f.time.front()) << " to " << iso_time(f.time.back())
              << (f.timestep_s ? ", step " + std::to_string(static_cast<long long>(*f.timestep_s)) + " s"
                               : "")
              << "\n";
  const auto runs = data::contiguous_runs(m);
  std::cout << "  segments   " << m.segments.size() << " (" << runs.size() << " runs without time gaps)\n";
  if (!f.source.empty()) {
    // Imports list every input file; the first ones tell enough on a terminal.
    constexpr std::size_t kShown = 240;
    std::cout << "  source     " << f.source.substr(0, kShown)
              << (f.source.size() > kShown ? " ... (" + std::to_string(f.source.size()) + " characters)" : "")
              << "\n";
  }
  // The grid and the provenance (quantity, units, time step and source are above).
  for (const auto& [k, v] : data::field_attributes(f))
    if (k != "quantity" && k != "units" && k != "timestep_s" && k != "source")
      std::cout << "  " << k << " = " << v << "\n";
}

void describe_checkpoint(const std::string& path) {
  const auto info = checkpoint::read_checkpoint_info(path);
  const auto cfg = config::parse_config(info.config_yaml, path + ":config");
  const auto spec = config::model_spec(cfg, info.frame_channels, info.frame_height, info.frame_width);
  nn::ParameterTable params(spec);
  std::cout << path << ": convlstm checkpoint, version 1\n"
            << "  model      " << spec.str() << "\n"
            << "  parameters " << params.size() << "\n"
            << "  step       " << info.step << " (epoch " << info.epoch << "), best validation loss "
            << info.best_val_loss << "\n"
            << "  optimizer  " << (info.optimizer_kind.empty() ? "none" : info.optimizer_kind) << "\n";
  for (const auto& [k, v] : data::field_attributes(info.data))
    std::cout << "  data " << k << " = " << v << "\n";
  std::cout << "  config:\n";
  std::string line;
  std::istringstream in(info.config_yaml);
  while (std::getline(in, line)) std::cout << "    " << line << "\n";
}

// The statistics of a dataset's frames [first, first + frames) (cascade/statistics.hpp), as rain rates.
void dataset_statistics(const std::string& path, std::int64_t first, std::int64_t frames) {
  data::DatasetReader r(path);
  const auto& m = r.meta();
  if (m.channels != 1) throw DataError(path + ": statistics of one channel only");
  if (m.field.quantity == data::Quantity::intensity)
    throw DataError(path + ": statistics of rain (rain_rate, accumulation or reflectivity), not intensity");
  frames = std::min(frames, m.frames - first);
  if (first < 0 || frames < 3)
    throw UsageError("--statistics: frames " + std::to_string(first) + " on of " + path +
                     " are fewer than 3");
  const std::int64_t n = m.height * m.width;
  std::vector<float> v(static_cast<std::size_t>(frames * n)), mask(v.size());
  r.read(first, frames, v.data(), mask.data());
  if (m.field.quantity == data::Quantity::reflectivity)
    for (auto& x : v) x = data::rain_rate_from_dbz(x, 200.0, 1.6);
  std::cout << path << ": statistics of frames " << first << " to " << first + frames - 1 << "\n"
            << cascade::format_statistics(
                   cascade::radar_statistics(v.data(), mask.data(), frames, m.height, m.width));
}

}  // namespace

Run add_info(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto stats = std::make_shared<std::int64_t>(0);
  auto first = std::make_shared<std::int64_t>(0);
  auto* sub = app.add_subcommand("info", "Describe a dataset or checkpoint file");
  sub->add_option("file", *file, "dataset or checkpoint (.h5)")->required();
  sub->add_option("--statistics", *stats,
                  "a dataset: the spectral slope, wet fraction, rain-rate quantiles and per-scale lag "
                  "correlations of this many frames")
      ->check(CLI::Range(3, 100000));
  sub->add_option("--first", *first, "--statistics: the first frame")->check(CLI::NonNegativeNumber);
  return [file, stats, first]() {
    if (*stats > 0) {
      dataset_statistics(*file, *first, *stats);
      return 0;
    }
    std::string format;
    {
      auto f = data::h5::File::open_read(*file);
      format = f.root().attr_string_opt("format").value_or("");
    }
    if (format == "convlstm-dataset")
      describe_dataset(*file);
    else if (format == "convlstm-checkpoint")
      describe_checkpoint(*file);
    else
      throw DataError(*file + ": neither a convlstm dataset nor a checkpoint (no format attribute)");
    return 0;
  };
}

}  // namespace convlstm::cli
