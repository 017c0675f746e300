// The table of radar readers, and the public entry points of data/radar.hpp that read through it.
#include <map>

#include "data/readers/reader.hpp"
#include "geo/crs.hpp"

namespace convlstm::data {

namespace readers {

const std::vector<Reader>& table() {
  // In detection order: the first whose detect accepts a file reads it.
  static const std::vector<Reader> rows = {
      {"knmi", "KNMI HDF5 (RAD_NL25 5-minute accumulations)", detect_knmi, read_knmi},
      {"odim", "ODIM_H5 Cartesian composite (OPERA, CIRRUS, NIMBUS)", detect_odim, read_odim},
      {"bom", "BoM Rainfields 3 netCDF", detect_bom, read_bom},
      {"fmi", "FMI PGM composite, gzipped or plain", detect_fmi, read_fmi},
      {"radolan", "DWD RADOLAN composite (RY, RW, RX, EX), gzipped or plain", detect_radolan, read_radolan},
      {"mch", "MeteoSwiss AQC GIF", detect_mch, read_mch},
      {"mrms", "MRMS GRIB2 PrecipRate", detect_mrms, read_mrms},
      {"geotiff", "single-band north-up GeoTIFF with a CRS", detect_geotiff, read_geotiff},
  };
  return rows;
}

namespace {

const Reader& reader_named(const std::string& name) {
  for (const auto& r : table())
    if (name == r.name) return r;
  std::string list;
  for (const auto& r : table()) list += (list.empty() ? "" : ", ") + std::string(r.name);
  throw UsageError("unknown radar format '" + name + "' (expected one of " + list + ")");
}

RadarFrame read_any(const std::string& path, const std::optional<std::string>& format,
                    const std::string& quantity, bool with_values, RadarRegion region,
                    const std::string& time_pattern) {
  const Reader& reader = reader_named(format ? *format : detect_radar_format(path));
  RadarFrame fr = reader.read(Request{path, quantity, with_values, region});
  if (!fr.time_known) {
    if (time_pattern.empty())
      bad(path, "the file holds no time (give --time-from-name PATTERN when its name does, e.g. %Y%m%d%H%M)");
    const auto t = name_time(path, time_pattern);
    if (!t) bad(path, "the file holds no time and its name does not match --time-from-name " + time_pattern);
    fr.time = *t;
    fr.time_known = true;
  }
  fr.grid.rows = fr.grid_rows;
  fr.grid.cols = fr.grid_cols;
  if (!fr.grid.proj.empty() && fr.grid.wkt.empty()) {
    try {
      fr.grid.wkt = geo::wkt_of(fr.grid.proj);
    } catch (const DataError&) {
      fr.grid = Grid{};  // a CRS GDAL cannot read: no georeference
    }
  }
  return fr;
}

}  // namespace

}  // namespace readers

std::vector<RadarFormatInfo> radar_formats() {
  std::vector<RadarFormatInfo> out;
  for (const auto& r : readers::table()) out.push_back({r.name, r.reads});
  return out;
}

std::string parse_radar_format(const std::string& s) {
  return readers::reader_named(s).name;
}

std::string detect_radar_format(const std::string& path) {
  readers::Probe probe(path);
  for (const auto& r : readers::table())
    if (r.detect(probe)) return r.name;
  std::string list;
  for (const auto& r : readers::table()) list += (list.empty() ? "" : "; ") + std::string(r.reads);
  throw DataError(path + ": not a radar format convlstm reads (" + list + ")");
}

RadarFrame read_radar_header(const std::string& path, const std::optional<std::string>& format,
                             const std::string& quantity, const std::string& time_pattern) {
  return readers::read_any(path, format, quantity, false, {}, time_pattern);
}

RadarFrame read_radar(const std::string& path, const std::optional<std::string>& format,
                      const std::string& quantity, RadarRegion region, const std::string& time_pattern) {
  return readers::read_any(path, format, quantity, true, region, time_pattern);
}

namespace {

// One pattern field: its letter, digits, and where it goes.
struct TimeField {
  char code;
  int digits;
};
constexpr TimeField kTimeFields[] = {{'Y', 4}, {'y', 2}, {'m', 2}, {'d', 2},
                                     {'H', 2}, {'M', 2}, {'S', 2}, {'j', 3}};

const TimeField* time_field(char c) {
  for (const auto& f : kTimeFields)
    if (f.code == c) return &f;
  return nullptr;
}

// The pattern matched at name[at..]: the fields' values by letter, or false.
bool match_at(const std::string& name, std::size_t at, const std::string& pattern, std::map<char, int>& out) {
  out.clear();
  std::size_t i = at;
  for (std::size_t k = 0; k < pattern.size(); ++k) {
    if (pattern[k] != '%' || pattern[k + 1] == '%') {
      if (i >= name.size() || name[i] != pattern[k]) return false;
      ++i;
      if (pattern[k] == '%') ++k;
      continue;
    }
    const TimeField* f = time_field(pattern[++k]);
    int v = 0;
    for (int d = 0; d < f->digits; ++d, ++i) {
      if (i >= name.size() || name[i] < '0' || name[i] > '9') return false;
      v = v * 10 + (name[i] - '0');
    }
    out[f->code] = v;
  }
  return true;
}

}  // namespace

void check_time_pattern(const std::string& pattern) {
  std::map<char, int> seen;
  for (std::size_t k = 0; k < pattern.size(); ++k) {
    if (pattern[k] != '%') continue;
    if (k + 1 == pattern.size())
      throw UsageError("--time-from-name '" + pattern + "': a lone % at its end (%% for a percent sign)");
    const char c = pattern[++k];
    if (c == '%') continue;
    if (!time_field(c))
      throw UsageError("--time-from-name '" + pattern + "': unknown field %" + std::string(1, c) +
                       " (expected %Y %y %m %d %H %M %S %j or %%)");
    ++seen[c];
  }
  const bool year = seen.count('Y') || seen.count('y'),
             day = (seen.count('m') && seen.count('d')) || seen.count('j');
  if (!year || !day || !seen.count('H'))
    throw UsageError("--time-from-name '" + pattern +
                     "': needs the year (%Y or %y), the month and day (%m %d, or %j) and the hour (%H)");
}

std::optional<std::int64_t> name_time(const std::string& path, const std::string& pattern) {
  check_time_pattern(pattern);
  const auto slash = path.find_last_of('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  std::map<char, int> v;
  for (std::size_t at = 0; at < name.size(); ++at) {
    if (!match_at(name, at, pattern, v)) continue;
    const int year = v.count('Y') ? v['Y'] : 2000 + v['y'];
    const int hour = v['H'], minute = v.count('M') ? v['M'] : 0, second = v.count('S') ? v['S'] : 0;
    if (hour > 23 || minute > 59 || second > 60) continue;
    if (v.count('j')) {
      if (v['j'] < 1 || v['j'] > 366) continue;
      return readers::timegm_utc(year, 1, 1, hour, minute, second) + std::int64_t{86400} * (v['j'] - 1);
    }
    const int month = v['m'], day = v['d'];
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > days[month - 1]) continue;
    return readers::timegm_utc(year, month, day, hour, minute, second);
  }
  return std::nullopt;
}

}  // namespace convlstm::data
