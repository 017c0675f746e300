// DWD's RADOLAN composites (RY, RW, RX, EX), gzipped or plain, through data/gzip.hpp (zlib).
//
// The layout (DWD's RADOLAN/RADVOR composite format description, as wradlib reads it): an ASCII header,
//   PPddhhmm10000mmyy BY<bytes> VS<version> SW<software> PR E<exponent> INT<minutes> GP<rows>x<cols>
//   MS<length><radar sites> ... \x03
// (product, day, hour, minute, the composite's id, month, two-digit year; BY the product's length, header
// included), then rows x cols values, the southernmost row first:
// - RY (5-minute depth) and RW (hourly depth): little-endian uint16, bits 1-12 the value in units of
//   10^exponent mm, bit 13 secondary (interpolated) data, bit 14 missing, bit 15 negative, bit 16 clutter;
//   the depth becomes a rate through the product's interval;
// - RX and EX (reflectivity): uint8, dBZ = value / 2 - 32.5, 250 missing, 249 clutter, 255 no data.
// Missing, clutter and no-data pixels are unobserved; a negative depth is no rain.
//
// The grid: polar stereographic on a sphere of radius 6370.04 km, true at 60 N, central meridian 10 E, 1 km
// pixels; the lower-left corner (km) of the national 900x900 grid at (-523.4622, -4658.645), of the 1100x900
// grid at (-443.4622, -4758.645), of the European 1500x1400 (EX) grid at (-673.4622, -5008.645). Format
// version 5 and later moved the grid to WGS84; those files are refused by name.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "data/gzip.hpp"
#include "data/readers/reader.hpp"

namespace convlstm::data::readers {

namespace {

constexpr const char* kRadolanProj =
    "+proj=stere +lat_0=90 +lat_ts=60 +lon_0=10 +x_0=0 +y_0=0 +a=6370040 +b=6370040 +units=m +no_defs";

struct RadolanHeader {
  std::string product;
  std::int64_t time = 0;
  std::int64_t rows = 0, cols = 0, bytes = 0;  // bytes: of the whole product, header included
  int version = 0, interval_min = 0, exponent = 0;
  std::size_t length = 0;  // of the header text, \x03 excluded
};

// The number after `token` (spaces skipped), or nullopt when the token is absent.
std::optional<long> token_number(const std::string& h, const std::string& token, std::size_t from) {
  const auto at = h.find(token, from);
  if (at == std::string::npos) return std::nullopt;
  std::size_t i = at + token.size();
  while (i < h.size() && h[i] == ' ') ++i;
  const bool negative = i < h.size() && h[i] == '-';
  if (i < h.size() && (h[i] == '-' || h[i] == '+')) ++i;
  if (i >= h.size() || !std::isdigit(static_cast<unsigned char>(h[i]))) return std::nullopt;
  long v = 0;
  for (; i < h.size() && std::isdigit(static_cast<unsigned char>(h[i])) && v < 100000000; ++i)
    v = v * 10 + (h[i] - '0');
  return negative ? -v : v;
}

RadolanHeader parse_header(const std::string& h, const std::string& path) {
  auto digits = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (i >= h.size() || !std::isdigit(static_cast<unsigned char>(h[i])))
        bad(path, "RADOLAN header '" + h.substr(0, 20) + "...': expected product, ddhhmm, id and mmyy");
      v = v * 10 + (h[i] - '0');
    }
    return v;
  };
  RadolanHeader r;
  r.length = h.size();
  r.product = h.substr(0, 2);
  const int day = digits(2, 2), hour = digits(4, 2), minute = digits(6, 2), month = digits(13, 2),
            year = 2000 + digits(15, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59)
    bad(path, "RADOLAN header time '" + h.substr(2, 6) + "', month and year '" + h.substr(13, 4) + "'");
  r.time = timegm_utc(year, month, day, hour, minute, 0);
  const auto by = token_number(h, "BY", 17), vs = token_number(h, "VS", 17), in = token_number(h, "INT", 17);
  const auto pr = h.find("PR", 17), gp = h.find("GP", 17);
  if (!by || !in || pr == std::string::npos || gp == std::string::npos)
    bad(path, "RADOLAN header without BY, PR, INT or GP");
  r.bytes = *by;
  r.version = vs ? static_cast<int>(*vs) : 0;
  r.interval_min = static_cast<int>(*in);
  const auto e = token_number(h, "E", pr);
  if (!e) bad(path, "RADOLAN header: PR without an exponent (E-02)");
  r.exponent = static_cast<int>(*e);
  long rows = 0, cols = 0;
  if (std::sscanf(h.c_str() + gp + 2, "%ld x %ld", &rows, &cols) != 2 &&
      std::sscanf(h.c_str() + gp + 2, "%ldx%ld", &rows, &cols) != 2)
    bad(path, "RADOLAN header: GP without rows x columns");
  r.rows = rows;
  r.cols = cols;
  return r;
}

// The header text up to \x03 (at most 4 KiB).
std::string read_header_text(gz::Reader& f) {
  std::string h;
  for (int c = f.get(); c != 0x03; c = f.get()) {
    if (c == -1 || h.size() > 4096) bad(f.path(), "no end of the RADOLAN header (\\x03) in its first 4 KiB");
    h += static_cast<char>(c);
  }
  return h;
}

// The lower-left corner (m) of the grid of rows x cols.
std::pair<double, double> lower_left(const RadolanHeader& h, const std::string& path) {
  if (h.rows == 900 && h.cols == 900) return {-523462.2, -4658645.0};
  if (h.rows == 1100 && h.cols == 900) return {-443462.2, -4758645.0};
  if (h.rows == 1500 && h.cols == 1400) return {-673462.2, -5008645.0};
  bad(path, "RADOLAN grid " + std::to_string(h.rows) + "x" + std::to_string(h.cols) +
                ": expected 900x900, 1100x900 or 1500x1400");
}

}  // namespace

bool detect_radolan(Probe& p) {
  try {
    gz::Reader f(p.path());
    std::string h;
    for (int i = 0; i < 19; ++i) {
      const int c = f.get();
      if (c == -1) return false;
      h += static_cast<char>(c);
    }
    if (!std::isupper(static_cast<unsigned char>(h[0])) || h.substr(17, 2) != "BY") return false;
    return std::all_of(h.begin() + 2, h.begin() + 17,
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  } catch (const DataError&) {
    return false;
  }
}

RadarFrame read_radolan(const Request& q) {
  const std::string& path = q.path;
  gz::Reader f(path);
  const auto h = parse_header(read_header_text(f), path);
  RadarFrame fr = frame_of(path, "radolan");
  const bool dbz = h.product == "RX" || h.product == "EX";
  if (!dbz && h.product != "RY" && h.product != "RW")
    bad(path, "RADOLAN product " + h.product + ": convlstm reads RY, RW, RX and EX");
  if (h.version >= 5)
    bad(path, "RADOLAN format version " + std::to_string(h.version) +
                  " (its grid on WGS84) is not read; versions up to 4 are");
  if (h.interval_min <= 0) bad(path, "RADOLAN interval INT " + std::to_string(h.interval_min) + " minutes");
  fr.quantity = dbz ? Quantity::reflectivity : Quantity::rain_rate;
  fr.source_quantity = h.product;
  fr.time = h.time;
  fr.accumulation_min = dbz ? 0.0 : h.interval_min;
  fr.grid_rows = h.rows;
  fr.grid_cols = h.cols;
  const auto [x0, y0] = lower_left(h, path);
  fr.projdef = kRadolanProj;
  fr.pixel_x = fr.pixel_y = 1000.0;
  fr.grid.proj = kRadolanProj;
  fr.grid.x0 = x0;
  fr.grid.y0 = y0 + 1000.0 * static_cast<double>(h.rows);  // the upper edge: rows north-first
  fr.grid.dx = fr.grid.dy = 1000.0;
  fr.region = resolve_region(path, q.region, h.rows, h.cols);
  const std::int64_t width = dbz ? 1 : 2, n = h.rows * h.cols * width;
  if (h.bytes - static_cast<std::int64_t>(h.length) - 1 != n)
    bad(path, "RADOLAN BY " + std::to_string(h.bytes) + " does not fit a " + std::to_string(h.rows) + "x" +
                  std::to_string(h.cols) + " grid of " + std::to_string(width) + "-byte values");
  if (!q.with_values) return fr;
  std::vector<std::uint8_t> raw(static_cast<std::size_t>(n));
  f.read(raw.data(), raw.size(), "RADOLAN values");
  const auto& r = fr.region;
  fr.values.resize(static_cast<std::size_t>(r.height * r.width));
  fr.valid.resize(fr.values.size());
  const double to_rate = std::pow(10.0, h.exponent) * 60.0 / h.interval_min;  // value units -> mm/h
  for (std::int64_t y = 0; y < r.height; ++y) {
    const std::int64_t stored_row = h.rows - 1 - (r.y0 + y);  // the file's first row is the southernmost
    for (std::int64_t x = 0; x < r.width; ++x) {
      const std::int64_t k = stored_row * h.cols + r.x0 + x, i = y * r.width + x;
      if (dbz) {
        const int v = raw[k];
        fr.valid[i] = v != 250 && v != 249 && v != 255;
        fr.values[i] = fr.valid[i] ? std::max(kDbzFloor, 0.5f * v - 32.5f) : 0.0f;
      } else {
        const int v = raw[2 * k] | (raw[2 * k + 1] << 8);
        fr.valid[i] = (v & 0x2000) == 0 && (v & 0x8000) == 0;
        const bool negative = (v & 0x4000) != 0;
        fr.values[i] = fr.valid[i] && !negative ? static_cast<float>((v & 0x0FFF) * to_rate) : 0.0f;
      }
    }
  }
  return fr;
}

}  // namespace convlstm::data::readers
