// Turning a series of radar files into a dataset file (`convlstm import`), and the same processing for
// `predict` on raw files: read only the crop region, convert to the output quantity (rain rate in mm/h, or
// reflectivity in dBZ through Z = a R^b), clip rain-rate outliers, block-mean downsample ignoring missing
// pixels.
//
// The processing is recorded in the dataset's root attributes (import_*), `train` copies them into the
// checkpoint, and `predict` rebuilds the same ImportOptions from them (options_from_provenance).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/grid.hpp"
#include "data/radar.hpp"
#include "data/windows.hpp"

namespace convlstm::data {

struct ImportOptions {
  std::optional<std::string> format;  // a reader's name (radar_formats()); detected per file when absent
  std::string source_quantity;        // ODIM quantity to read (RATE, ACRR, DBZH); empty: the first found
  Quantity quantity = Quantity::rain_rate;  // rain_rate | reflectivity
  double zr_a = 200.0;
  double zr_b = 1.6;
  std::optional<Crop> crop;
  std::int64_t downsample = 1;
  double max_rate = 200.0;     // mm/h: larger rain rates (clutter, hail spikes) are clipped to it
  bool strict = false;         // a file that cannot be read fails the import instead of being skipped
  std::string time_from_name;  // a pattern (data/radar.hpp: name_time) for files that hold no time
};

// One processed frame: values in the output quantity's unit, mask 1 = observed, and its georeference.
struct ProcessedFrame {
  std::int64_t height = 0, width = 0;
  std::int64_t time = 0;
  std::vector<float> values, mask;
  Grid grid;  // unknown when the file gives none
};

// The preprocessing chain, one place for import, predict and evaluate on raw files: read the crop region
// only, convert to the output quantity, clip, then crop_and_downsample (block means ignoring missing pixels).
ProcessedFrame process_radar_file(const std::string& path, const ImportOptions& options);
// A further crop of a processed frame, then k x k block means; the grid follows. `what` names the frame in
// the DataError raised when the crop does not fit or k does not divide it.
ProcessedFrame crop_and_downsample(const ProcessedFrame& frame, const std::optional<Crop>& crop,
                                   std::int64_t k, const std::string& what);

// The provenance recording `options` (import_format, import_crop, ...), and its inverse from the record of
// the data they made (a dataset's or a checkpoint's).
std::map<std::string, std::string> provenance_of(const ImportOptions& options);
ImportOptions options_from_provenance(const FieldInfo& data);

// The size of a pixel after a further `downsample` of data made with `provenance` (a dataset's or a
// checkpoint's import_* attributes): the factor over the source product's pixels (import_downsample ×
// downsample) and, when the import recorded the source's pixel size (import_source_pixel), that size times
// the factor in the projection's units (0: unknown).
struct PixelScale {
  std::int64_t factor = 1;
  double x = 0.0, y = 0.0;
  std::string str() const;  // "4000 x 4000 (projection units)" or "4 source pixels"
};
PixelScale pixel_scale(const FieldInfo& data, std::int64_t downsample);
// Equal sizes when both are known (to 1e-6 relative), else equal factors.
bool same_resolution(const PixelScale& a, const PixelScale& b);

struct ImportReport {
  std::int64_t frames = 0;
  std::int64_t segments = 0;
  std::int64_t height = 0, width = 0;
  std::vector<std::string> skipped;  // files that could not be read (not strict), each with the reason
};

// Orders `files` by the time stored in each, checks that they share one grid and have no duplicated time, and
// writes the dataset (float32, nodata -9999; a gap in time starts a new segment). Memory holds one frame.
// A file that cannot be read (damaged, truncated, not radar) is skipped with a warning, leaving a gap that
// splits the series there; with options.strict it fails the import. No readable file at all is an error.
ImportReport import_radar(const std::vector<std::string>& files, const std::string& output,
                          const ImportOptions& options);

}  // namespace convlstm::data
