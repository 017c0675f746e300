// convlstm import [--format NAME] --output DS.h5 FILES...: the formats are the readers' table's
// (data/radar.hpp radar_formats()).
#include <glob.h>

#include <memory>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "data/radar_import.hpp"

namespace convlstm::cli {

std::vector<std::string> expand_globs(const std::vector<std::string>& patterns) {
  std::vector<std::string> out;
  for (const auto& p : patterns) {
    if (p.find_first_of("*?[") == std::string::npos) {
      out.push_back(p);
      continue;
    }
    glob_t g{};
    const int rc = ::glob(p.c_str(), 0, nullptr, &g);
    if (rc == 0)
      for (std::size_t i = 0; i < g.gl_pathc; ++i) out.push_back(g.gl_pathv[i]);
    globfree(&g);
    if (rc != 0) throw UsageError("no file matches '" + p + "'");
  }
  return out;
}

std::optional<data::Crop> parse_crop(const std::string& s) {
  if (s.empty()) return std::nullopt;
  long long y0, x0, h, w;
  char tail;
  if (std::sscanf(s.c_str(), "%lld,%lld,%lld,%lld%c", &y0, &x0, &h, &w, &tail) != 4 || y0 < 0 || x0 < 0 ||
      h < 1 || w < 1)
    throw UsageError("--crop '" + s + "': expected y0,x0,height,width with a positive height and width");
  return data::Crop{y0, x0, h, w};
}

Run add_import(CLI::App& app) {
  struct Opts {
    std::string format, output, crop, quantity = "rain_rate";
    std::vector<std::string> files;
    data::ImportOptions import;
  };
  auto o = std::make_shared<Opts>();
  std::vector<std::string> names;
  std::string formats;
  for (const auto& f : data::radar_formats()) {
    names.push_back(f.name);
    formats += "\n  " + f.name + ": " + f.reads;
  }
  auto* sub = app.add_subcommand("import", "Turn a series of radar files into a dataset file");
  sub->add_option("--format", o->format,
                  "the files' format (detected from each file when omitted):" + formats)
      ->check(CLI::IsMember(names));
  sub->add_option("--output", o->output, "dataset file to write")->required();
  sub->add_option("files", o->files, "radar files or globs, in any order (sorted by their stored time)")
      ->required();
  const std::vector<std::string> quantities{data::to_string(data::Quantity::rain_rate),
                                            data::to_string(data::Quantity::reflectivity)};
  sub->add_option("--quantity", o->quantity, "rain_rate (mm/h) or reflectivity (dBZ)")
      ->capture_default_str()
      ->check(CLI::IsMember(quantities));
  sub->add_option("--source-quantity", o->import.source_quantity,
                  "ODIM quantity to read: RATE, ACRR or DBZH");
  sub->add_option("--zr-a", o->import.zr_a, "a of Z = a R^b")->capture_default_str();
  sub->add_option("--zr-b", o->import.zr_b, "b of Z = a R^b")->capture_default_str();
  sub->add_option("--crop", o->crop, "y0,x0,height,width in pixels of the original grid");
  sub->add_option("--downsample", o->import.downsample, "block-mean factor (ignores missing pixels)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sub->add_option("--max-rate", o->import.max_rate, "clip rain rates above this (mm/h)")
      ->capture_default_str();
  sub->add_flag("--strict", o->import.strict,
                "fail on a file that cannot be read instead of skipping it (and splitting the series there)");
  sub->add_option(
      "--time-from-name", o->import.time_from_name,
      "for files that hold no time: a pattern of their names, e.g. %Y%m%d%H%M (fields %Y %y %m %d "
      "%H %M %S %j; matched anywhere in the name)");
  return [o]() {
    if (!o->import.time_from_name.empty()) data::check_time_pattern(o->import.time_from_name);
    if (!o->format.empty()) o->import.format = data::parse_radar_format(o->format);
    o->import.crop = parse_crop(o->crop);
    o->import.quantity = data::parse_quantity(o->quantity, "--quantity");
    const auto files = expand_globs(o->files);
    const auto r = data::import_radar(files, o->output, o->import);
    log::info("import: wrote {} frames of {}x{} in {} segment(s) to {}", r.frames, r.height, r.width,
              r.segments, o->output);
    if (!r.skipped.empty())
      log::warn("import: skipped {} of {} files that could not be read (--strict fails instead)",
                r.skipped.size(), files.size());
    return 0;
  };
}

}  // namespace convlstm::cli
