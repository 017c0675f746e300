// What the radar readers share: errors, UTC times, calibration, regions, the GDAL-backed readers' raster
// access.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>

#include "data/readers/reader.hpp"

namespace convlstm::data::readers {

Probe::Probe(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw DataError(path_ + ": cannot open (missing or unreadable)");
  char head[8] = {};
  in.read(head, sizeof head);
  head_.assign(head, static_cast<std::size_t>(in.gcount()));
}

const h5::Group* Probe::hdf5_root() {
  if (!opened_) {
    opened_ = true;
    if (h5::is_hdf5(path_)) {
      file_.emplace(h5::File::open_read(path_));
      root_.emplace(file_->root());
    }
  }
  return root_ ? &*root_ : nullptr;
}

void bad(const std::string& where, const std::string& what) {
  throw DataError(where + ": " + what);
}

std::int64_t timegm_utc(int year, int month, int day, int hour, int minute, int second) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&tm));
}

float calibrated(const std::string& where, double value, float raw) {
  const auto v = static_cast<float>(value);
  if (!std::isfinite(v))
    bad(where, "gain and offset turn the raw value " + std::to_string(raw) + " into " +
                   std::to_string(value) + ", beyond the range of a float");
  return v;
}

RadarRegion resolve_region(const std::string& path, RadarRegion r, std::int64_t rows, std::int64_t cols) {
  if (r.height == 0 && r.width == 0) return {0, 0, rows, cols};
  if (r.y0 < 0 || r.x0 < 0 || r.height < 1 || r.width < 1 || r.y0 + r.height > rows || r.x0 + r.width > cols)
    bad(path, "crop [" + std::to_string(r.y0) + ", " + std::to_string(r.x0) + ", " +
                  std::to_string(r.height) + ", " + std::to_string(r.width) + "] does not fit the " +
                  std::to_string(rows) + "x" + std::to_string(cols) + " grid");
  return r;
}

RadarFrame frame_of(const std::string& path, const char* format) {
  RadarFrame fr;
  fr.path = path;
  fr.format = format;
  return fr;
}

// The file is opened once: the region is resolved against the raster's size as soon as GDAL reports it.
geo::Raster raster_region(const Request& q, RadarFrame& fr) {
  auto resolve = [&](std::int64_t rows, std::int64_t cols) {
    fr.grid_rows = rows;
    fr.grid_cols = cols;
    fr.region = resolve_region(q.path, q.region, rows, cols);
    return geo::Window{fr.region.y0, fr.region.x0, fr.region.height, fr.region.width};
  };
  if (q.with_values) return geo::read_raster(q.path, resolve);
  auto header = geo::read_raster(q.path);
  resolve(header.rows, header.cols);
  return header;
}

void set_grid_from(const geo::Raster& r, RadarFrame& fr) {
  fr.pixel_x = r.transform[1];
  fr.pixel_y = -r.transform[5];
  fr.projdef = r.proj;
  fr.grid.proj = r.proj;
  fr.grid.wkt = r.wkt;
  fr.grid.dx = fr.pixel_x;
  fr.grid.dy = fr.pixel_y;
  fr.grid.x0 = r.transform[0];
  fr.grid.y0 = r.transform[3];
}

void decode_raster(const geo::Raster& r, std::optional<float> nodata, RadarFrame& fr) {
  fr.values.resize(r.values.size());
  fr.valid.resize(r.values.size());
  for (std::size_t i = 0; i < r.values.size(); ++i) {
    const float v = r.values[i];
    fr.valid[i] = std::isfinite(v) && !(nodata && v == *nodata);
    fr.values[i] = !fr.valid[i]                            ? 0.0f
                   : fr.quantity == Quantity::reflectivity ? std::max(kDbzFloor, v)
                                                           : std::max(0.0f, v);
  }
}

}  // namespace convlstm::data::readers
