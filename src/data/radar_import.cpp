#include "data/radar_import.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>

#include "core/error.hpp"
#include "core/log.hpp"
#include "data/dataset.hpp"

namespace convlstm::data {

namespace {

constexpr double kNodata = -9999.0;

std::string join(const std::vector<std::int64_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

std::string basename(const std::string& p) {
  const auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

}  // namespace

ProcessedFrame process_radar_file(const std::string& path, const ImportOptions& o) {
  RadarRegion region;
  if (o.crop) region = {o.crop->y0, o.crop->x0, o.crop->height, o.crop->width};
  const auto fr = read_radar(path, o.format, o.source_quantity, region, o.time_from_name);
  const std::int64_t h = fr.region.height, w = fr.region.width, k = o.downsample;
  if (k < 1 || h % k != 0 || w % k != 0)
    throw UsageError("--downsample " + std::to_string(k) + " must divide the (cropped) grid " +
                     std::to_string(h) + "x" + std::to_string(w) + " of " + path);
  const bool want_dbz = o.quantity == Quantity::reflectivity;
  const bool is_dbz = fr.quantity == Quantity::reflectivity;
  // Convert every observed pixel to the output quantity, then block-mean.
  ProcessedFrame read;
  read.height = h;
  read.width = w;
  read.time = fr.time;
  read.values.resize(fr.values.size());
  read.mask.resize(fr.values.size());
  for (std::size_t i = 0; i < fr.values.size(); ++i) {
    read.mask[i] = fr.valid[i] ? 1.0f : 0.0f;
    float v = fr.values[i];
    if (is_dbz && !want_dbz) v = rain_rate_from_dbz(v, o.zr_a, o.zr_b);
    if (!want_dbz) v = std::min(v, static_cast<float>(o.max_rate));
    if (!is_dbz && want_dbz) v = dbz_from_rain_rate(v, o.zr_a, o.zr_b);
    read.values[i] = fr.valid[i] ? v : 0.0f;
  }
  if (fr.grid.known()) read.grid = fr.grid.cropped(fr.region.y0, fr.region.x0, h, w);
  return crop_and_downsample(read, std::nullopt, k, path);
}

ProcessedFrame crop_and_downsample(const ProcessedFrame& p, const std::optional<Crop>& crop, std::int64_t k,
                                   const std::string& what) {
  const Crop c = crop.value_or(Crop{0, 0, p.height, p.width});
  if (c.y0 < 0 || c.x0 < 0 || c.height < 1 || c.width < 1 || c.y0 + c.height > p.height ||
      c.x0 + c.width > p.width)
    throw DataError(what + ": the crop " + std::to_string(c.y0) + "," + std::to_string(c.x0) + "," +
                    std::to_string(c.height) + "," + std::to_string(c.width) +
                    " does not fit the processed " + std::to_string(p.height) + "x" +
                    std::to_string(p.width) + " grid");
  if (k < 1 || c.height % k != 0 || c.width % k != 0)
    throw DataError(what + ": the downsample " + std::to_string(k) + " does not divide the " +
                    std::to_string(c.height) + "x" + std::to_string(c.width) + " crop");
  const bool whole = c.y0 == 0 && c.x0 == 0 && c.height == p.height && c.width == p.width;
  std::vector<float> v, m;
  if (!whole) {
    v.resize(static_cast<std::size_t>(c.height * c.width));
    m.resize(v.size());
    for (std::int64_t y = 0; y < c.height; ++y)
      for (std::int64_t x = 0; x < c.width; ++x) {
        v[y * c.width + x] = p.values[(c.y0 + y) * p.width + c.x0 + x];
        m[y * c.width + x] = p.mask[(c.y0 + y) * p.width + c.x0 + x];
      }
  }
  ProcessedFrame out;
  out.height = c.height / k;
  out.width = c.width / k;
  out.time = p.time;
  out.values.resize(static_cast<std::size_t>(out.height * out.width));
  out.mask.resize(out.values.size());
  block_mean(whole ? p.values.data() : v.data(), whole ? p.mask.data() : m.data(), 1, c.height, c.width, k,
             out.values.data(), out.mask.data());
  if (p.grid.known()) out.grid = p.grid.cropped(c.y0, c.x0, c.height, c.width).downsampled(k);
  return out;
}

std::map<std::string, std::string> provenance_of(const ImportOptions& o) {
  std::map<std::string, std::string> a;
  if (o.format) a["import_format"] = *o.format;
  if (!o.source_quantity.empty()) a["import_source_quantity"] = o.source_quantity;
  a["import_quantity"] = to_string(o.quantity);
  a["import_zr"] = std::to_string(o.zr_a) + "," + std::to_string(o.zr_b);
  if (o.crop) a["import_crop"] = join({o.crop->y0, o.crop->x0, o.crop->height, o.crop->width});
  a["import_downsample"] = std::to_string(o.downsample);
  a["import_max_rate"] = std::to_string(o.max_rate);
  if (!o.time_from_name.empty()) a["import_time_from_name"] = o.time_from_name;
  return a;
}

ImportOptions options_from_provenance(const FieldInfo& data) {
  const auto& a = data.provenance;
  ImportOptions o;
  auto get = [&](const std::string& k) -> std::optional<std::string> {
    const auto it = a.find(k);
    return it == a.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  if (!get("import_quantity"))
    throw DataError(
        "the training data was not made by 'convlstm import' (no import_* attributes), so raw radar "
        "files cannot be processed the same way; pass a dataset file instead");
  if (auto f = get("import_format")) o.format = parse_radar_format(*f);
  o.source_quantity = get("import_source_quantity").value_or("");
  o.quantity = parse_quantity(*get("import_quantity"), "import_quantity attribute");
  if (auto zr = get("import_zr")) std::sscanf(zr->c_str(), "%lf,%lf", &o.zr_a, &o.zr_b);
  if (auto c = get("import_crop")) {
    Crop crop;
    long long y0, x0, h, w;
    if (std::sscanf(c->c_str(), "%lld,%lld,%lld,%lld", &y0, &x0, &h, &w) != 4)
      throw DataError("import_crop attribute '" + *c + "': expected y0,x0,height,width");
    crop = {y0, x0, h, w};
    o.crop = crop;
  }
  if (auto d = get("import_downsample")) o.downsample = std::stoll(*d);
  if (auto m = get("import_max_rate")) o.max_rate = std::stod(*m);
  o.time_from_name = get("import_time_from_name").value_or("");
  return o;
}

PixelScale pixel_scale(const FieldInfo& data, std::int64_t downsample) {
  const auto& a = data.provenance;
  PixelScale s;
  const auto d = a.find("import_downsample");
  s.factor = (d == a.end() ? 1 : std::stoll(d->second)) * downsample;
  const auto p = a.find("import_source_pixel");
  double px = 0, py = 0;
  if (p != a.end() && std::sscanf(p->second.c_str(), "%lf,%lf", &px, &py) == 2 && px > 0 && py > 0) {
    s.x = px * static_cast<double>(s.factor);
    s.y = py * static_cast<double>(s.factor);
  }
  return s;
}

std::string PixelScale::str() const {
  if (x <= 0) return std::to_string(factor) + " source pixel" + (factor == 1 ? "" : "s");
  std::ostringstream os;
  os << x << " x " << y << " (projection units)";
  return os.str();
}

bool same_resolution(const PixelScale& a, const PixelScale& b) {
  if (a.x > 0 && b.x > 0)
    return std::abs(a.x - b.x) <= 1e-6 * std::max(a.x, b.x) &&
           std::abs(a.y - b.y) <= 1e-6 * std::max(a.y, b.y);
  return a.factor == b.factor;
}

namespace {

// One import, phase by phase: order the files by their stored times, read the first readable one (it sets
// the grid), describe the dataset, write every frame. A file that cannot be read is skipped with a warning
// (its time becomes a gap that splits the series), or fails the import with --strict.
class Import {
 public:
  Import(const std::vector<std::string>& files, const ImportOptions& o) : files_(files), o_(o) {}

  struct Entry {
    std::int64_t time;
    std::string path;
    std::int64_t rows, cols;
  };

  // Every header, sorted by time; two files with one time or with different grids are refused.
  std::vector<Entry> ordered_entries() {
    std::vector<Entry> entries;
    for (const auto& f : files_) {
      try {
        const auto h = read_radar_header(f, o_.format, o_.source_quantity, o_.time_from_name);
        entries.push_back({h.time, f, h.grid_rows, h.grid_cols});
      } catch (const DataError& e) {
        skip(f, e);
      }
    }
    if (entries.empty()) none_readable();
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.time < b.time; });
    for (std::size_t i = 1; i < entries.size(); ++i) {
      if (entries[i].time == entries[i - 1].time)
        throw DataError(entries[i].path + ": same time as " + entries[i - 1].path +
                        " (duplicated file in the series?)");
      if (entries[i].rows != entries[0].rows || entries[i].cols != entries[0].cols)
        throw DataError(entries[i].path + ": grid " + std::to_string(entries[i].rows) + "x" +
                        std::to_string(entries[i].cols) + " differs from " + entries[0].path + "'s " +
                        std::to_string(entries[0].rows) + "x" + std::to_string(entries[0].cols));
    }
    return entries;
  }

  // The first file whose data can be read (its index in `entries`), processed.
  std::pair<std::size_t, ProcessedFrame> first_readable(const std::vector<Entry>& entries) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      try {
        return {i, process_radar_file(entries[i].path, o_)};
      } catch (const DataError& e) {
        skip(entries[i].path, e);
      }
    }
    none_readable();
  }

  // The dataset's description: its grid and units, the source files, the import's options and provenance.
  DatasetMeta describe(const std::vector<Entry>& entries, const ProcessedFrame& first, std::int64_t step,
                       const std::string& first_path) const {
    DatasetMeta meta;
    meta.height = first.height;
    meta.width = first.width;
    meta.dtype = "float32";
    meta.nodata = kNodata;
    auto& field = meta.field;
    field.quantity = o_.quantity;
    field.units = units_of(o_.quantity);
    if (step > 0) field.timestep_s = static_cast<double>(step);
    std::ostringstream src;
    src << "convlstm import of " << entries.size() << " " << detect_radar_format(entries[0].path)
        << " files: ";
    for (std::size_t i = 0; i < entries.size(); ++i) src << (i ? " " : "") << basename(entries[i].path);
    field.source = src.str();
    field.provenance = provenance_of(o_);
    const auto hdr = read_radar_header(entries[0].path, o_.format, o_.source_quantity, o_.time_from_name);
    field.provenance["import_source_format"] = hdr.format;
    field.provenance["import_source_units"] = units_of(hdr.quantity);
    if (!hdr.projdef.empty()) field.provenance["projdef"] = hdr.projdef;
    if (hdr.pixel_x != 0 && hdr.pixel_y != 0) {  // KNMI stores the y size negative (rows run south)
      std::ostringstream px;
      px.precision(12);
      px << std::abs(hdr.pixel_x) << "," << std::abs(hdr.pixel_y);
      field.provenance["import_source_pixel"] = px.str();
    }
    // The dataset's georeference (data/grid.hpp), after the import's crop and downsample.
    field.grid = first.grid;
    if (!first.grid.known())
      log::warn("import: {} gives no georeference (CRS, corner, pixel size): the forecasts will carry none",
                first_path);
    return meta;
  }

  // Every frame from entries[first_index] on (the first already processed), in time order; a time that does
  // not follow the previous one by `step` starts a new segment.
  void write_frames(const std::vector<Entry>& entries, std::size_t first_index, ProcessedFrame first,
                    std::int64_t step, DatasetWriter& writer, const DatasetMeta& meta) {
    std::vector<std::int64_t> times;
    std::vector<Segment> segments;
    std::vector<float> frame(first.values.size());
    for (std::size_t i = first_index; i < entries.size(); ++i) {
      std::optional<ProcessedFrame> read;
      if (i == first_index) {
        read = std::move(first);
      } else {
        try {
          read = process_radar_file(entries[i].path, o_);
        } catch (const DataError& e) {
          skip(entries[i].path, e);
          continue;
        }
      }
      const auto& p = *read;
      if (p.height != meta.height || p.width != meta.width)
        throw DataError(entries[i].path + ": processed grid differs from the first file's");
      for (std::size_t j = 0; j < frame.size(); ++j)
        frame[j] = p.mask[j] != 0.0f ? p.values[j] : std::nanf("");
      writer.append(frame.data());
      const auto n = static_cast<std::int64_t>(times.size());
      if (segments.empty() || p.time - times.back() != step)
        segments.push_back({n, 1});
      else
        ++segments.back().length;
      times.push_back(p.time);
      log::debug("import: {} ({} of {})", entries[i].path, i + 1, entries.size());
    }
    writer.finish(times, segments);
    report_.frames = static_cast<std::int64_t>(times.size());
    report_.segments = static_cast<std::int64_t>(segments.size());
    report_.height = meta.height;
    report_.width = meta.width;
  }

  ImportReport report() const { return report_; }

 private:
  // A damaged file: fatal when strict, else skipped (its time becomes a gap).
  void skip(const std::string& path, const DataError& e) {
    if (o_.strict) throw;  // (called inside the handler: the reader's own error)
    log::warn("import: skipped {}: {}", path, e.what());
    report_.skipped.push_back(e.what());
  }
  [[noreturn]] void none_readable() const {
    throw DataError("import: none of the " + std::to_string(files_.size()) +
                    " files could be read; the first: " + report_.skipped.front());
  }

  const std::vector<std::string>& files_;
  const ImportOptions& o_;
  ImportReport report_;
};

}  // namespace

ImportReport import_radar(const std::vector<std::string>& files, const std::string& output,
                          const ImportOptions& o) {
  if (files.empty()) throw UsageError("import: no input files");
  if (o.quantity != Quantity::rain_rate && o.quantity != Quantity::reflectivity)
    throw UsageError("--quantity '" + to_string(o.quantity) + "': expected rain_rate or reflectivity");
  Import import(files, o);
  const auto entries = import.ordered_entries();
  // The nominal time step is the most common difference; any other difference starts a new segment.
  std::vector<std::int64_t> times;
  for (const auto& e : entries) times.push_back(e.time);
  const std::int64_t step = nominal_step(times);
  auto [first_index, first] = import.first_readable(entries);
  const auto meta = import.describe(entries, first, step, entries[first_index].path);
  DatasetWriter writer(output, meta);
  import.write_frames(entries, first_index, std::move(first), step, writer, meta);
  return import.report();
}

}  // namespace convlstm::data
