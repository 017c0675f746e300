// The dataset file (docs/architecture.md "File formats"), a public contract:
//   root attributes  format = "convlstm-dataset", version = 1, source (free text), optional timestep_s
//   /frames          [T, H, W] or [T, C, H, W]; uint8, uint16 or float32; one frame per chunk.
//                    attributes quantity (rain_rate | reflectivity | accumulation | intensity), units,
//                    gain, offset (physical = raw * gain + offset), optional nodata (raw value: not observed)
//   /time            optional [T] int64, seconds since 1970-01-01 UTC, strictly increasing
//   /segments        optional [S, 2] int64 (start, length): runs of consecutive frames; absent: one segment
// Other root attributes (for example the import's crop and downsample) are kept as provenance.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/field.hpp"

namespace convlstm::data {

struct Segment {
  std::int64_t start = 0;
  std::int64_t length = 0;
};

struct DatasetMeta {
  std::int64_t frames = 0;  // T
  std::int64_t channels = 1;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::string dtype = "float32";  // uint8 | uint16 | float32
  double gain = 1.0;
  double offset = 0.0;
  std::optional<double> nodata;   // raw value
  std::vector<Segment> segments;  // never empty once read (absent in the file: one segment)
  // quantity and units (of /frames), the grid, source, time step, times (/time) and provenance (other root
  // attributes).
  FieldInfo field;

  std::int64_t frame_size() const { return channels * height * width; }
};

// Reads frames by index without loading the file. Validates the layout on open; throws DataError naming the
// file and dataset.
class DatasetReader {
 public:
  explicit DatasetReader(const std::string& path);
  ~DatasetReader();
  DatasetReader(DatasetReader&&) noexcept;
  DatasetReader& operator=(DatasetReader&&) noexcept;

  const DatasetMeta& meta() const;
  const std::string& path() const;

  // Frames [t0, t0 + n) of the region (y0, x0, h, w) in physical units, (n, C, h, w); mask gets 1 where
  // observed, 0 where the raw value is nodata. A NaN or infinite value is a DataError naming the frame.
  void read(std::int64_t t0, std::int64_t n, std::int64_t y0, std::int64_t x0, std::int64_t h, std::int64_t w,
            float* values, float* mask) const;
  void read(std::int64_t t0, std::int64_t n, float* values, float* mask) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes a dataset frame by frame into `path + ".partial"` and renames it into place on finish(), so a failed
// or interrupted write never leaves a half-written file under the final name.
class DatasetWriter {
 public:
  // meta.frames is ignored (frames are appended); time and segments are given to finish().
  DatasetWriter(const std::string& path, const DatasetMeta& meta);
  ~DatasetWriter();  // removes the partial file unless finish() succeeded

  // One frame (C, H, W) in physical units; NaN becomes nodata (which must then be set).
  void append(const float* frame);
  std::int64_t frames() const;
  void finish(const std::vector<std::int64_t>& time, const std::vector<Segment>& segments);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits [0, T) into runs of consecutive frames: the file's segments, further cut wherever the time step
// differs from the nominal one (timestep_s, or the most common difference) — a gap in the series.
std::vector<Segment> contiguous_runs(const DatasetMeta& meta);

// The most common difference between consecutive times (0 for fewer than two): a series' nominal time step.
std::int64_t nominal_step(const std::vector<std::int64_t>& times);

// Writes a file atomically: fsync the temporary file, then rename over the target.
void commit_file(const std::string& tmp, const std::string& target);

}  // namespace convlstm::data
