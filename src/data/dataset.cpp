#include "data/dataset.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/error.hpp"
#include "data/h5.hpp"

namespace convlstm::data {

namespace {

constexpr const char* kFormat = "convlstm-dataset";
constexpr std::int64_t kVersion = 1;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw DataError(where + ": " + what);
}

}  // namespace

struct DatasetReader::Impl {
  std::string path;
  h5::File file;
  h5::Dataset frames;
  DatasetMeta meta;
  bool float_data = false;
};

namespace {

// The frames' shape and element type.
void read_shape(const h5::Dataset& frames, DatasetMeta& m) {
  const auto& d = frames.dims();
  if (d.size() != 3 && d.size() != 4)
    bad(frames.where(),
        "expected rank 3 [T, H, W] or 4 [T, C, H, W], found rank " + std::to_string(d.size()));
  m.frames = d[0];
  m.channels = d.size() == 4 ? d[1] : 1;
  m.height = d[d.size() - 2];
  m.width = d[d.size() - 1];
  if (m.frames < 1 || m.channels < 1 || m.height < 1 || m.width < 1) bad(frames.where(), "empty dataset");
  switch (frames.scalar()) {
    case h5::Scalar::uint8:
      m.dtype = "uint8";
      break;
    case h5::Scalar::uint16:
      m.dtype = "uint16";
      break;
    case h5::Scalar::float32:
      m.dtype = "float32";
      break;
    default:
      bad(frames.where(),
          "element type " + h5::to_string(frames.scalar()) + ", expected uint8, uint16 or float32");
  }
}

// The frames' quantity, units, calibration and nodata; the root's source, time step, grid and provenance.
void read_attributes(const std::string& path, const h5::Group& root, const h5::Dataset& frames,
                     DatasetMeta& m) {
  const auto fa = frames.attrs();
  m.gain = fa.attr_double_opt("gain").value_or(1.0);
  m.offset = fa.attr_double_opt("offset").value_or(0.0);
  if (!std::isfinite(m.gain) || m.gain == 0.0)
    bad(frames.where(), "attribute gain must be finite and non-zero");
  if (!std::isfinite(m.offset)) bad(frames.where(), "attribute offset must be finite");
  m.nodata = fa.attr_double_opt("nodata");
  std::map<std::string, std::string> attrs;
  for (const auto& name : root.attr_names()) {
    if (name == "format" || name == "version" || name == "timestep_s") continue;
    try {
      attrs[name] = root.attr_string(name);
    } catch (const DataError&) {
      const auto v = root.attr_doubles(name);
      std::string s;
      for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
      attrs[name] = s;
    }
  }
  m.field = field_from_attributes(attrs, path);
  m.field.quantity = parse_quantity(fa.attr_string_opt("quantity").value_or("intensity"), frames.where());
  m.field.units = fa.attr_string_opt("units").value_or("1");
  m.field.timestep_s = root.attr_double_opt("timestep_s");
  if (m.field.timestep_s && !(*m.field.timestep_s > 0 && *m.field.timestep_s < 1e9))
    bad(path + ":/@timestep_s",
        "expected a positive number of seconds, found " + std::to_string(*m.field.timestep_s));
}

// /time: seconds since 1970, strictly increasing, one per frame.
void read_times(const h5::File& file, DatasetMeta& m) {
  if (file.has_dataset("/time")) {
    auto t = file.dataset("/time");
    if (t.dims() != std::vector<std::int64_t>{m.frames})
      bad(t.where(), "expected shape [" + std::to_string(m.frames) + "] to match /frames");
    m.field.time.resize(static_cast<std::size_t>(m.frames));
    t.read_all(m.field.time.data());
    // Within ±10^12 s of 1970 (about 31,000 years), so that differences of times never overflow.
    constexpr std::int64_t kMaxTime = 1'000'000'000'000;
    for (std::size_t i = 0; i < m.field.time.size(); ++i)
      if (m.field.time[i] < -kMaxTime || m.field.time[i] > kMaxTime)
        bad(t.where(), "time " + std::to_string(m.field.time[i]) + " of frame " + std::to_string(i) +
                           " is not seconds since 1970 (beyond 10^12)");
    for (std::size_t i = 1; i < m.field.time.size(); ++i)
      if (m.field.time[i] <= m.field.time[i - 1])
        bad(t.where(), "times not strictly increasing at frame " + std::to_string(i));
  }
}

// /segments: (start, length) runs of consecutive frames, in order and inside the frames; absent: one segment.
void read_segments(const h5::File& file, DatasetMeta& m) {
  if (file.has_dataset("/segments")) {
    auto s = file.dataset("/segments");
    if (s.dims().size() != 2 || s.dims()[1] != 2) bad(s.where(), "expected shape [S, 2] (start, length)");
    std::vector<std::int64_t> raw(static_cast<std::size_t>(s.dims()[0] * 2));
    if (!raw.empty()) s.read_all(raw.data());
    std::int64_t prev_end = 0;
    for (std::size_t i = 0; i < raw.size(); i += 2) {
      Segment seg{raw[i], raw[i + 1]};
      if (seg.start < prev_end || seg.length < 1 || seg.start > m.frames || seg.length > m.frames - seg.start)
        bad(s.where(), "segment " + std::to_string(i / 2) + " (" + std::to_string(seg.start) + ", " +
                           std::to_string(seg.length) + ") out of range or overlapping for " +
                           std::to_string(m.frames) + " frames");
      prev_end = seg.start + seg.length;
      m.segments.push_back(seg);
    }
    if (m.segments.empty()) bad(s.where(), "no segments");
  } else {
    m.segments.push_back({0, m.frames});
  }
}

}  // namespace

DatasetReader::DatasetReader(const std::string& path) {
  auto file = h5::File::open_read(path);
  const auto root = file.root();
  const auto format = root.attr_string_opt("format");
  if (!format || *format != kFormat)
    bad(path,
        "not a convlstm dataset (root attribute format = \"convlstm-dataset\" missing; raw radar files go "
        "through 'convlstm import' first)");
  const std::int64_t version = root.attr_int("version");
  if (version != kVersion) bad(path, "dataset format version " + std::to_string(version) + ", expected 1");
  auto frames = file.dataset("/frames");
  DatasetMeta m;
  read_shape(frames, m);
  read_attributes(path, root, frames, m);
  read_times(file, m);
  read_segments(file, m);
  impl_ = std::make_unique<Impl>(Impl{path, std::move(file), std::move(frames), std::move(m), false});
  impl_->float_data = impl_->meta.dtype == "float32";
}

DatasetReader::~DatasetReader() = default;
DatasetReader::DatasetReader(DatasetReader&&) noexcept = default;
DatasetReader& DatasetReader::operator=(DatasetReader&&) noexcept = default;

const DatasetMeta& DatasetReader::meta() const {
  return impl_->meta;
}
const std::string& DatasetReader::path() const {
  return impl_->path;
}

void DatasetReader::read(std::int64_t t0, std::int64_t n, float* values, float* mask) const {
  read(t0, n, 0, 0, impl_->meta.height, impl_->meta.width, values, mask);
}

void DatasetReader::read(std::int64_t t0, std::int64_t n, std::int64_t y0, std::int64_t x0, std::int64_t h,
                         std::int64_t w, float* values, float* mask) const {
  const auto& m = impl_->meta;
  std::vector<std::int64_t> start{t0}, count{n};
  if (impl_->frames.dims().size() == 4) {
    start.push_back(0);
    count.push_back(m.channels);
  }
  start.insert(start.end(), {y0, x0});
  count.insert(count.end(), {h, w});
  impl_->frames.read(start, count, values);
  const std::int64_t total = n * m.channels * h * w, per_frame = m.channels * h * w;
  const float nodata = m.nodata ? static_cast<float>(*m.nodata) : 0.0f;
  const bool has_nodata = m.nodata.has_value();
  for (std::int64_t i = 0; i < total; ++i) {
    const float raw = values[i];
    if (has_nodata && raw == nodata) {
      values[i] = 0.0f;
      mask[i] = 0.0f;
      continue;
    }
    if (!std::isfinite(raw))
      bad(impl_->frames.where(), "non-finite value (NaN or Inf) in frame " +
                                     std::to_string(t0 + i / per_frame) +
                                     "; mark unobserved pixels with the nodata attribute instead");
    values[i] = static_cast<float>(raw * m.gain + m.offset);
    if (!std::isfinite(values[i]))
      bad(impl_->frames.where(), "gain and offset turn the raw value " + std::to_string(raw) + " in frame " +
                                     std::to_string(t0 + i / per_frame) + " into a value beyond float range");
    mask[i] = 1.0f;
  }
}

struct DatasetWriter::Impl {
  std::string path, partial;
  DatasetMeta meta;
  std::optional<h5::File> file;
  std::optional<h5::Dataset> frames;
  std::int64_t count = 0;
  bool done = false;
  std::vector<float> raw;
};

DatasetWriter::DatasetWriter(const std::string& path, const DatasetMeta& meta)
    : impl_(std::make_unique<Impl>()) {
  auto& s = *impl_;
  s.path = path;
  s.partial = path + ".partial";
  s.meta = meta;
  if (meta.gain == 0.0 || !std::isfinite(meta.gain))
    throw DataError(path + ": gain must be finite and non-zero");
  h5::Scalar type = meta.dtype == "uint8"     ? h5::Scalar::uint8
                    : meta.dtype == "uint16"  ? h5::Scalar::uint16
                    : meta.dtype == "float32" ? h5::Scalar::float32
                                              : h5::Scalar::other;
  if (type == h5::Scalar::other) throw DataError(path + ": unsupported frame type " + meta.dtype);
  s.file.emplace(h5::File::create(s.partial));
  const auto root = s.file->root();
  root.set_attr("format", std::string(kFormat));
  root.set_attr("version", kVersion);
  root.set_attr("source", meta.field.source);
  if (meta.field.timestep_s) root.set_attr("timestep_s", *meta.field.timestep_s);
  for (const auto& [k, v] : field_attributes(meta.field))
    if (k != "quantity" && k != "units" && k != "source" && k != "timestep_s") root.set_attr(k, v);
  std::vector<std::int64_t> dims{0}, chunk{1};
  if (meta.channels != 1) {
    dims.push_back(meta.channels);
    chunk.push_back(meta.channels);
  }
  dims.insert(dims.end(), {meta.height, meta.width});
  chunk.insert(chunk.end(), {meta.height, meta.width});
  s.frames.emplace(
      s.file->create_dataset("/frames", type, dims, chunk, /*first_unlimited=*/true, /*deflate=*/4));
  const auto fa = s.frames->attrs();
  fa.set_attr("quantity", to_string(meta.field.quantity));
  fa.set_attr("units", meta.field.units);
  fa.set_attr("gain", meta.gain);
  fa.set_attr("offset", meta.offset);
  if (meta.nodata) fa.set_attr("nodata", *meta.nodata);
  s.raw.resize(static_cast<std::size_t>(meta.frame_size()));
}

DatasetWriter::~DatasetWriter() {
  if (impl_ && !impl_->done) {
    impl_->frames.reset();
    impl_->file.reset();
    std::remove(impl_->partial.c_str());
  }
}

std::int64_t DatasetWriter::frames() const {
  return impl_->count;
}

void DatasetWriter::append(const float* frame) {
  auto& s = *impl_;
  const auto& m = s.meta;
  double lo = 0.0, hi = 0.0;
  const bool integer = m.dtype != "float32";
  if (m.dtype == "uint8") hi = 255.0;
  if (m.dtype == "uint16") hi = 65535.0;
  for (std::int64_t i = 0; i < m.frame_size(); ++i) {
    const float v = frame[i];
    if (std::isnan(v)) {
      if (!m.nodata)
        throw DataError(s.path + ": frame " + std::to_string(s.count) +
                        " has NaN but no nodata value is set");
      s.raw[i] = static_cast<float>(*m.nodata);
      continue;
    }
    double raw = (v - m.offset) / m.gain;
    if (integer) {
      raw = std::round(std::min(std::max(raw, lo), hi));
      if (m.nodata && raw == *m.nodata) raw = raw > lo ? raw - 1 : raw + 1;  // never collide with nodata
    }
    s.raw[i] = static_cast<float>(raw);
  }
  std::vector<std::int64_t> dims = s.frames->dims();
  dims[0] = s.count + 1;
  s.frames->extend(dims);
  std::vector<std::int64_t> start(dims.size(), 0), count = dims;
  start[0] = s.count;
  count[0] = 1;
  s.frames->write(start, count, s.raw.data());
  ++s.count;
}

void DatasetWriter::finish(const std::vector<std::int64_t>& time, const std::vector<Segment>& segments) {
  auto& s = *impl_;
  if (!time.empty()) {
    if (static_cast<std::int64_t>(time.size()) != s.count)
      throw DataError(s.path + ": " + std::to_string(time.size()) + " times for " + std::to_string(s.count) +
                      " frames");
    auto t = s.file->create_dataset("/time", h5::Scalar::int64, {s.count});
    t.write_all(time.data());
  }
  if (!segments.empty()) {
    std::vector<std::int64_t> raw;
    for (const auto& seg : segments) raw.insert(raw.end(), {seg.start, seg.length});
    auto d = s.file->create_dataset("/segments", h5::Scalar::int64,
                                    {static_cast<std::int64_t>(segments.size()), 2});
    d.write_all(raw.data());
  }
  s.frames.reset();
  s.file->flush();
  s.file->close();
  s.file.reset();
  commit_file(s.partial, s.path);
  s.done = true;
}

std::int64_t nominal_step(const std::vector<std::int64_t>& times) {
  if (times.size() < 2) return 0;
  std::map<std::int64_t, std::int64_t> counts;
  for (std::size_t i = 1; i < times.size(); ++i) ++counts[times[i] - times[i - 1]];
  return std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) { return a.second < b.second; })
      ->first;
}

std::vector<Segment> contiguous_runs(const DatasetMeta& meta) {
  if (meta.field.time.size() < 2) return meta.segments;
  const std::int64_t step = meta.field.timestep_s
                                ? static_cast<std::int64_t>(std::llround(*meta.field.timestep_s))
                                : nominal_step(meta.field.time);
  std::vector<Segment> runs;
  for (const auto& seg : meta.segments) {
    std::int64_t start = seg.start;
    for (std::int64_t t = seg.start + 1; t < seg.start + seg.length; ++t) {
      if (meta.field.time[t] - meta.field.time[t - 1] != step) {
        runs.push_back({start, t - start});
        start = t;
      }
    }
    runs.push_back({start, seg.start + seg.length - start});
  }
  return runs;
}

void commit_file(const std::string& tmp, const std::string& target) {
  const int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd < 0) throw DataError(tmp + ": cannot reopen to sync");
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) throw DataError(tmp + ": fsync failed (disk full?)");
  if (std::rename(tmp.c_str(), target.c_str()) != 0)
    throw DataError(target + ": cannot rename the finished file into place");
}

}  // namespace convlstm::data
