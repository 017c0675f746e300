// Forecast files, behind one table (table.cpp) of {name, what it writes, suffixes, open}: the only list of
// `predict --format`'s choices, the suffixes that imply them, and the dispatch. A writer is a sink: opened
// with what all its forecasts share, given each forecast in turn, then committed; until commit() nothing is
// in place, and a sink destroyed uncommitted leaves no file. Adding a format is one writer file and one row
// (CONTRIBUTING.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/field.hpp"

namespace convlstm::forecast {

// What every forecast of one output shares.
struct Header {
  // The data's record (data/field.hpp): its quantity and units, the grid of these forecasts (unknown when
  // the data gave none), the training data's provenance.
  data::FieldInfo field;
  std::int64_t count = 1;          // forecasts to come
  std::int64_t analysis_time = 0;  // of the first (a georeferenced writer checks it before any forecast)
  std::int64_t t_out = 0, channels = 1, height = 0, width = 0;
  std::vector<std::int64_t> lead_s;  // seconds after the analysis time per lead; empty when unknown
  bool with_target = false;          // the forecasts come with the observed frames
  std::string checkpoint;            // what made them
  std::string software_version;
  double zr_a = 0.0, zr_b = 0.0;   // the Z-R relation the inputs went through, when one did (0: none)
  std::int64_t members = 1;        // an ensemble's members per forecast (1: a single field)
  std::vector<double> thresholds;  // exceedance probabilities of these (the data's units); empty: none
};

// One forecast: pred (M, T_out, C, H, W) its members (M = Header::members) and target (T_out, C, H, W) in
// physical units, NaN where meaningless (outside the coverage; unobserved truth); input_last (C, H, W) the
// last input frame; probability (P, T_out, C, H, W) the share of members at or above each of the header's P
// thresholds (NaN outside the coverage).
struct Case {
  std::int64_t analysis_time = 0;  // seconds since 1970 UTC of the last input; 0 when unknown
  const float* pred = nullptr;
  const float* probability = nullptr;  // with Header::thresholds
  const float* target = nullptr;       // with Header::with_target
  const float* input_last = nullptr;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void add(const Case& c) = 0;
  // Puts every file in place; returns their paths.
  virtual std::vector<std::string> commit() = 0;
};

struct Options {
  bool one_file_per_lead = false;  // odim
};

struct Format {
  const char* name;      // --format
  const char* writes;    // what, in a few words (--help)
  const char* suffixes;  // the output suffixes that imply it ("" : none), space-separated
  bool georeferenced;    // one forecast on a known grid with times (not --all-windows)
  std::unique_ptr<Sink> (*open)(const Header&, const std::string& path, const Options&);
};

const std::vector<Format>& formats();
// The row of `name`; UsageError listing the names otherwise.
const Format& format_named(const std::string& name);
// The format `option` names, or, when it is empty, the one the suffix of `path` implies (else the first row).
const Format& format_for(const std::string& option, const std::string& path);
// `path` without a suffix of the table's (the prefix of the files written one per lead).
std::string stem(const std::string& path);

// The rows' openers, one per writer file.
std::unique_ptr<Sink> open_hdf5(const Header& h, const std::string& path, const Options& o);
std::unique_ptr<Sink> open_odim(const Header& h, const std::string& path, const Options& o);
std::unique_ptr<Sink> open_netcdf(const Header& h, const std::string& path, const Options& o);
std::unique_ptr<Sink> open_geotiff(const Header& h, const std::string& path, const Options& o);

}  // namespace convlstm::forecast
