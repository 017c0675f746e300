// KNMI HDF5 (RAD_NL25_RAP 5-minute accumulations): the calibration formula parsed from the file, depth
// turned into a mean rate in mm/h, the missing value masked; the grid from geo_*_offset, the pixel size and
// the PROJ string, whose km ellipsoid is scaled to metres.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "data/readers/reader.hpp"

namespace convlstm::data::readers {

namespace {

// KNMI's PROJ string gives the ellipsoid axes in km (+a=6378.137), so its projected coordinates are km:
// 1000 metres per unit then, 1 when the axes are already metres.
double knmi_metres_per_unit(const std::string& proj) {
  const auto a = proj.find("+a=");
  if (a == std::string::npos) return 1.0;
  return std::atof(proj.c_str() + a + 3) < 1.0e5 ? 1000.0 : 1.0;
}

// The same CRS in metres: the axes scaled by `unit`; the known malformed variant (" y_0=" without its '+')
// repaired.
std::string knmi_proj_in_metres(std::string proj, double unit) {
  for (std::size_t p = proj.find(" y_0="); p != std::string::npos; p = proj.find(" y_0=", p + 2))
    proj.insert(p + 1, "+");
  if (unit == 1.0) return proj;
  std::ostringstream os;
  os.precision(12);
  std::istringstream in(proj);
  for (std::string tok; in >> tok;) {
    if (tok.rfind("+a=", 0) == 0 || tok.rfind("+b=", 0) == 0)
      os << tok.substr(0, 3) << std::atof(tok.c_str() + 3) * unit << " ";
    else
      os << tok << " ";
  }
  std::string out = os.str();
  out.pop_back();
  return out;
}

}  // namespace

bool detect_knmi(Probe& p) {
  const auto* root = p.hdf5_root();
  return root && root->has("overview") && root->has("geographic") && root->has("image1");
}

RadarFrame read_knmi(const Request& q) {
  const std::string& path = q.path;
  auto f = h5::File::open_read(path);
  const auto root = f.root();
  RadarFrame fr = frame_of(path, "knmi");
  const auto image = root.group("image1");
  fr.source_quantity =
      image.attr_string_opt("image_geo_parameter").value_or("ACCUMULATED_PRECIPITATION_[MM]");
  if (fr.source_quantity.find("PRECIPITATION") == std::string::npos)
    bad(image.where("image_geo_parameter"),
        "unsupported KNMI quantity '" + fr.source_quantity + "' (expected ACCUMULATED_PRECIPITATION_[MM])");
  const auto overview = root.group("overview");
  fr.time = parsed(overview.where("product_datetime_end"),
                   [&] { return parse_knmi_time(overview.attr_string("product_datetime_end")); });
  const std::int64_t start = parsed(overview.where("product_datetime_start"), [&] {
    return parse_knmi_time(overview.attr_string("product_datetime_start"));
  });
  fr.accumulation_min = (fr.time - start) / 60.0;
  if (fr.accumulation_min <= 0)
    bad(overview.where("product_datetime_start"), "accumulation start is not before its end");
  auto ds = f.dataset("/image1/image_data");
  if (ds.dims().size() != 2) bad(ds.where(), "expected a 2-D image");
  fr.grid_rows = ds.dims()[0];
  fr.grid_cols = ds.dims()[1];
  if (fr.grid_rows < 1 || fr.grid_cols < 1) bad(ds.where(), "empty image");
  if (root.has("geographic")) {
    const auto geo = root.group("geographic");
    if (geo.has_attr("geo_pixel_size_x")) fr.pixel_x = geo.attr_doubles("geo_pixel_size_x").at(0);
    if (geo.has_attr("geo_pixel_size_y")) fr.pixel_y = geo.attr_doubles("geo_pixel_size_y").at(0);
    if (geo.has("map_projection"))
      fr.projdef = geo.group("map_projection").attr_string_opt("projection_proj4_params").value_or("");
    // The grid (docs/formats.md): offsets in pixels, sizes and ellipsoid axes in km; y size negative.
    const auto offset = [&](const char* k) { return geo.has_attr(k) ? geo.attr_doubles(k).at(0) : 0.0; };
    if (!fr.projdef.empty() && fr.pixel_x != 0 && fr.pixel_y != 0) {
      const double unit = knmi_metres_per_unit(fr.projdef);
      fr.grid.proj = knmi_proj_in_metres(fr.projdef, unit);
      fr.grid.dx = std::abs(fr.pixel_x) * unit;
      fr.grid.dy = std::abs(fr.pixel_y) * unit;
      fr.grid.x0 = offset("geo_column_offset") * fr.pixel_x * unit;
      fr.grid.y0 = offset("geo_row_offset") * fr.pixel_y * unit;
    }
  }
  fr.region = resolve_region(path, q.region, fr.grid_rows, fr.grid_cols);
  if (!q.with_values) return fr;
  const auto cal = image.group("calibration");
  double gain = 1.0, offset = 0.0;
  parsed(cal.where("calibration_formulas"),
         [&] { parse_knmi_calibration(cal.attr_string("calibration_formulas"), gain, offset); });
  if (gain == 0.0) bad(cal.where("calibration_formulas"), "gain must be non-zero");
  const auto missing_values = cal.attr_doubles("calibration_missing_data");
  if (missing_values.empty()) bad(cal.where("calibration_missing_data"), "expected a number, found none");
  const float missing = static_cast<float>(missing_values[0]);
  const std::int64_t n = fr.region.height * fr.region.width;
  fr.values.resize(static_cast<std::size_t>(n));
  fr.valid.resize(static_cast<std::size_t>(n));
  ds.read({fr.region.y0, fr.region.x0}, {fr.region.height, fr.region.width}, fr.values.data());
  const double to_rate = 60.0 / fr.accumulation_min;  // depth over the accumulation -> mean mm/h
  for (std::int64_t i = 0; i < n; ++i) {
    const float raw = fr.values[i];
    if (raw == missing || !std::isfinite(raw)) {
      fr.values[i] = 0.0f;
      fr.valid[i] = 0;
    } else {
      // A depth is never negative (as for ODIM rates below): calibration noise below zero is no rain.
      fr.values[i] = std::max(0.0f, calibrated(ds.where(), (offset + gain * raw) * to_rate, raw));
      fr.valid[i] = 1;
    }
  }
  return fr;
}

}  // namespace convlstm::data::readers

namespace convlstm::data {

std::int64_t parse_knmi_time(const std::string& s) {
  static const char* months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                 "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  char mon[4] = {0};
  if (std::sscanf(s.c_str(), "%2d-%3c-%4d;%2d:%2d:%2d", &day, mon, &year, &hour, &minute, &second) != 6)
    throw DataError("KNMI time '" + s + "': expected DD-MON-YYYY;HH:MM:SS.mmm");
  for (int m = 0; m < 12; ++m)
    if (std::string(mon) == months[m]) return readers::timegm_utc(year, m + 1, day, hour, minute, second);
  throw DataError("KNMI time '" + s + "': unknown month '" + std::string(mon) + "'");
}

void parse_knmi_calibration(const std::string& formula, double& gain, double& offset) {
  static const std::regex re(R"(^\s*GEO\s*=\s*([-+0-9.eE]+)\s*\*\s*PV\s*([-+]\s*[0-9.eE]+)?\s*$)");
  std::smatch m;
  if (!std::regex_match(formula, m, re))
    throw DataError("KNMI calibration formula '" + formula + "': expected GEO=<gain>*PV+<offset>");
  auto number = [&](std::string text) {
    text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(v))
      throw DataError("KNMI calibration formula '" + formula + "': '" + text + "' is not a finite number");
    return v;
  };
  gain = number(m[1].str());
  offset = m[2].matched ? number(m[2].str()) : 0.0;
}

}  // namespace convlstm::data
