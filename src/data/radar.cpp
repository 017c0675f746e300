#include "data/radar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "core/error.hpp"
#include "data/h5.hpp"
#include "data/netcdf.hpp"
#include "data/pgm.hpp"
#include "geo/crs.hpp"
#include "geo/raster.hpp"

namespace convlstm::data {

namespace {

[[noreturn]] void bad(const std::string& where, const std::string& what) {
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

// The merged what/where attributes of one ODIM data group: numbers and strings by name.
struct Attrs {
  std::map<std::string, double> num;
  std::map<std::string, std::string> str;

  void merge(const h5::Group& parent, const std::string& group) {
    if (!parent.has(group)) return;
    const auto g = parent.group(group);
    for (const auto& name : g.attr_names()) {
      if (g.attr_is_string(name)) {
        str[name] = g.attr_string(name);
      } else {
        const auto v = g.attr_doubles(name);
        if (v.size() == 1) num[name] = v[0];
      }
    }
  }
  std::optional<double> number(const std::string& k) const {
    const auto it = num.find(k);
    return it == num.end() ? std::nullopt : std::optional<double>(it->second);
  }
  std::string string(const std::string& k) const {
    const auto it = str.find(k);
    return it == str.end() ? "" : it->second;
  }
};

// The members prefix1, prefix2, ... in numeric order. The number is compared as a digit string (shorter is
// smaller once leading zeros are gone), so a name with any number of digits sorts without overflowing.
std::vector<std::string> numbered(const h5::Group& g, const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> found;  // (digits without leading zeros, name)
  for (const auto& m : g.members()) {
    if (m.rfind(prefix, 0) != 0 || m.size() == prefix.size()) continue;
    const std::string digits = m.substr(prefix.size());
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    found.push_back({digits.substr(std::min(digits.find_first_not_of('0'), digits.size())), m});
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a < b;
  });
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(f.second);
  return out;
}

// Runs one of the string parsers below, naming the file and attribute in its error.
template <typename F>
auto parsed(const std::string& where, F&& parse) {
  try {
    return parse();
  } catch (const DataError& e) {
    throw DataError(where + ": " + e.what());
  }
}

// A calibrated value as float; one that overflows means gain and offset do not fit the data.
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

RadarFrame read_knmi(const std::string& path, bool with_values, RadarRegion region) {
  auto f = h5::File::open_read(path);
  const auto root = f.root();
  RadarFrame fr;
  fr.path = path;
  fr.format = RadarFormat::knmi;
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
    // The grid (radar-formats.md): offsets in pixels, sizes and ellipsoid axes in km; y size negative.
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
  fr.region = resolve_region(path, region, fr.grid_rows, fr.grid_cols);
  if (!with_values) return fr;
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

RadarFrame read_odim(const std::string& path, const std::string& wanted, bool with_values,
                     RadarRegion region) {
  auto f = h5::File::open_read(path);
  const auto root = f.root();
  RadarFrame fr;
  fr.path = path;
  fr.format = RadarFormat::odim;
  Attrs top;
  top.merge(root, "what");
  top.merge(root, "where");
  const std::string object = top.string("object");
  if (!object.empty() && object != "COMP" && object != "IMAGE" && object != "CVOL")
    bad(path + ":/what@object", "'" + object + "' is not a Cartesian product (expected COMP or IMAGE)");
  // Find the data group: datasetN/dataM whose merged quantity is the wanted one (RATE, ACRR or DBZH).
  static const std::vector<std::string> supported{"RATE", "ACRR", "DBZH", "TH"};
  std::string data_path;
  Attrs chosen;
  std::vector<std::string> seen;
  for (const auto& dsname : numbered(root, "dataset")) {
    const auto dsg = root.group(dsname);
    for (const auto& dname : numbered(dsg, "data")) {
      Attrs a = top;
      a.merge(root, dsname + "/what");
      a.merge(root, dsname + "/where");
      a.merge(dsg, dname + "/what");
      const std::string q = a.string("quantity");
      seen.push_back(q.empty() ? "(none)" : q);
      const bool match =
          wanted.empty() ? std::find(supported.begin(), supported.end(), q) != supported.end() : q == wanted;
      if (match && data_path.empty()) {
        data_path = "/" + dsname + "/" + dname + "/data";
        chosen = a;
      }
    }
  }
  if (data_path.empty()) {
    std::string list;
    for (const auto& s : seen) list += (list.empty() ? "" : ", ") + s;
    bad(path, "no " + (wanted.empty() ? std::string("RATE, ACRR or DBZH") : wanted) +
                  " data (quantities found: " + (list.empty() ? "none" : list) + ")");
  }
  fr.source_quantity = chosen.string("quantity");
  fr.reflectivity = fr.source_quantity == "DBZH" || fr.source_quantity == "TH";
  const std::string date = top.string("date"), time = top.string("time");
  if (date.empty() || time.empty()) bad(path + ":/what", "missing date or time attribute");
  fr.time = parsed(path + ":/what", [&] { return parse_odim_time(date, time); });
  if (fr.source_quantity == "ACRR") {
    const auto s = chosen.string("startdate"), st = chosen.string("starttime");
    const auto e = chosen.string("enddate"), et = chosen.string("endtime");
    if (s.empty() || st.empty() || e.empty() || et.empty())
      bad(path + ":" + data_path, "ACRR without startdate/starttime/enddate/endtime");
    fr.accumulation_min =
        parsed(path + ":" + data_path, [&] { return parse_odim_time(e, et) - parse_odim_time(s, st); }) /
        60.0;
    if (fr.accumulation_min <= 0) bad(path + ":" + data_path, "ACRR accumulation window is empty");
  }
  fr.projdef = chosen.string("projdef");
  while (!fr.projdef.empty() && fr.projdef.back() == ' ') fr.projdef.pop_back();
  fr.pixel_x = chosen.number("xscale").value_or(0.0);
  fr.pixel_y = chosen.number("yscale").value_or(0.0);
  // The grid: the upper-left corner's lon/lat projected with projdef, snapped to the pixel grid
  // (radar-formats.md: corners are rounded differently by each producer).
  const auto ul_lon = chosen.number("UL_lon"), ul_lat = chosen.number("UL_lat");
  if (!fr.projdef.empty() && fr.pixel_x > 0 && fr.pixel_y > 0 && ul_lon && ul_lat) {
    try {
      const auto ul = geo::project(fr.projdef, *ul_lon, *ul_lat);
      fr.grid.proj = fr.projdef;
      fr.grid.dx = fr.pixel_x;
      fr.grid.dy = fr.pixel_y;
      fr.grid.x0 = snap_to_pixel(ul.x, fr.pixel_x);
      fr.grid.y0 = snap_to_pixel(ul.y, fr.pixel_y);
    } catch (const DataError&) {
      fr.grid = Grid{};  // a projdef GDAL cannot read: the frame has no georeference
    }
  }
  auto ds = f.dataset(data_path);
  if (ds.dims().size() != 2) bad(ds.where(), "expected a 2-D Cartesian image");
  fr.grid_rows = ds.dims()[0];
  fr.grid_cols = ds.dims()[1];
  if (fr.grid_rows < 1 || fr.grid_cols < 1) bad(ds.where(), "empty image");
  const auto xsize = chosen.number("xsize"), ysize = chosen.number("ysize");
  if ((xsize && *xsize != fr.grid_cols) || (ysize && *ysize != fr.grid_rows))
    bad(ds.where(), "shape does not match where@xsize/ysize");
  fr.region = resolve_region(path, region, fr.grid_rows, fr.grid_cols);
  if (!with_values) return fr;
  const double gain = chosen.number("gain").value_or(1.0), offset = chosen.number("offset").value_or(0.0);
  if (gain == 0.0 || !std::isfinite(gain)) bad(path + ":" + data_path, "gain must be finite and non-zero");
  if (!std::isfinite(offset)) bad(path + ":" + data_path, "offset must be finite");
  const auto nodata = chosen.number("nodata"), undetect = chosen.number("undetect");
  const float nd = nodata ? static_cast<float>(*nodata) : 0.0f,
              ud = undetect ? static_cast<float>(*undetect) : 0.0f;
  const std::int64_t n = fr.region.height * fr.region.width;
  fr.values.resize(static_cast<std::size_t>(n));
  fr.valid.resize(static_cast<std::size_t>(n));
  ds.read({fr.region.y0, fr.region.x0}, {fr.region.height, fr.region.width}, fr.values.data());
  const double to_rate = fr.source_quantity == "ACRR" ? 60.0 / fr.accumulation_min : 1.0;
  for (std::int64_t i = 0; i < n; ++i) {
    const float raw = fr.values[i];
    if ((nodata && raw == nd) || !std::isfinite(raw)) {
      fr.values[i] = 0.0f;
      fr.valid[i] = 0;
      continue;
    }
    fr.valid[i] = 1;
    if (undetect && raw == ud) {
      fr.values[i] = fr.reflectivity ? kDbzFloor : 0.0f;
      continue;
    }
    const float v = calibrated(ds.where(), (offset + gain * raw) * to_rate, raw);
    fr.values[i] = fr.reflectivity ? std::max(kDbzFloor, v) : std::max(0.0f, v);
  }
  return fr;
}

// A CF grid mapping as a PROJ string (the projections radar composites use); empty for another.
std::string proj_of_cf(const nc::File& f, const std::string& mapping) {
  const auto name = f.att_text(mapping, "grid_mapping_name").value_or("");
  auto num = [&](const char* key) -> std::optional<std::vector<double>> {
    return f.att_doubles(mapping, key);
  };
  auto one = [&](const char* key, double fallback) {
    const auto v = num(key);
    return v && !v->empty() ? (*v)[0] : fallback;
  };
  std::ostringstream os;
  os.precision(12);
  if (name == "albers_conical_equal_area" || name == "lambert_conformal_conic") {
    const auto sp = num("standard_parallel").value_or(std::vector<double>{});
    if (sp.empty()) return "";
    os << (name[0] == 'a' ? "+proj=aea" : "+proj=lcc") << " +lat_1=" << sp[0]
       << " +lat_2=" << sp[sp.size() - 1] << " +lat_0=" << one("latitude_of_projection_origin", 0)
       << " +lon_0=" << one("longitude_of_central_meridian", 0);
  } else if (name == "lambert_azimuthal_equal_area") {
    os << "+proj=laea +lat_0=" << one("latitude_of_projection_origin", 0)
       << " +lon_0=" << one("longitude_of_projection_origin", 0);
  } else {
    return "";
  }
  os << " +x_0=" << one("false_easting", 0) << " +y_0=" << one("false_northing", 0);
  if (num("semi_major_axis") && num("semi_minor_axis"))
    os << " +a=" << one("semi_major_axis", 0) << " +b=" << one("semi_minor_axis", 0);
  else
    os << " +ellps=WGS84";
  os << " +units=m +no_defs";
  return os.str();
}

// BoM Rainfields 3 netCDF (../shared/docs/radar-formats-more.md 2.1): precipitation(y, x) as short with
// scale_factor, add_offset and _FillValue (missing); its units a depth (kg m-2 = mm) over start_time ..
// valid_time, turned into a mean rate; x/y in km or m, rows north-first (flipped when y ascends). Negative
// values other than the fill (-2 seen: bias correction) are no rain.
RadarFrame read_bom(const std::string& path, bool with_values, RadarRegion region) {
  const auto f = nc::File::open_read(path);
  const std::string var = "precipitation";
  if (!f.has_var(var))
    bad(path, "no variable precipitation (BoM Rainfields netCDF); another netCDF product is not read");
  const auto dims = f.dims(var);
  if (dims.size() != 2)
    bad(path, "precipitation has " + std::to_string(dims.size()) + " dimensions, expected (y, x)");
  RadarFrame fr;
  fr.path = path;
  fr.format = RadarFormat::bom;
  fr.grid_rows = dims[0];
  fr.grid_cols = dims[1];
  fr.source_quantity = f.att_text(var, "standard_name").value_or(var);
  auto scalar_time = [&](const std::string& name) -> std::optional<std::int64_t> {
    if (!f.has_var(name)) return std::nullopt;
    const auto units = f.att_text(name, "units").value_or("");
    if (units.rfind("seconds since 1970-01-01", 0) != 0)
      bad(path, name + ": units '" + units + "', expected seconds since 1970-01-01");
    const auto v = f.read_int64s(name);
    if (v.size() != 1) bad(path, name + ": expected one time");
    return v[0];
  };
  const auto valid = scalar_time("valid_time");
  if (!valid) bad(path, "no valid_time (BoM Rainfields netCDF)");
  fr.time = *valid;
  const auto start = scalar_time("start_time");
  const std::string units = f.att_text(var, "units").value_or("");
  const bool depth = units == "kg m-2" || units == "mm";
  if (!depth && units != "mm h-1" && units != "mm/h")
    bad(path, "precipitation units '" + units + "', expected kg m-2, mm or mm h-1");
  if (depth) {
    if (!start || *start >= fr.time) bad(path, "an accumulation needs a start_time before valid_time");
    fr.accumulation_min = static_cast<double>(fr.time - *start) / 60.0;
  }
  // The grid: coordinate spacing, in metres; rows north-first.
  bool flip = false;
  for (const char* axis : {"x", "y"}) {
    if (!f.has_var(axis)) continue;
    const auto c = f.read_doubles(axis);
    const double k = f.att_text(axis, "units").value_or("m") == "km" ? 1000.0 : 1.0;
    if (c.size() < 2) continue;
    const double step = (c[1] - c[0]) * k;
    (axis[0] == 'x' ? fr.pixel_x : fr.pixel_y) = std::abs(step);
    if (axis[0] == 'y') flip = step > 0;
  }
  if (const auto mapping = f.att_text(var, "grid_mapping")) fr.projdef = proj_of_cf(f, *mapping);
  // The outer corner from the cell bounds when the file declares them, else half a pixel out from the
  // centres (radar-formats-more.md: GDAL and pysteps differ by half a pixel on some BoM products).
  if (!fr.projdef.empty() && fr.pixel_x > 0 && fr.pixel_y > 0 && f.has_var("x") && f.has_var("y")) {
    auto edge = [&](const char* axis, bool low) {
      const double k = f.att_text(axis, "units").value_or("m") == "km" ? 1000.0 : 1.0;
      const std::string bounds = std::string(axis) + "_bounds";
      const auto v = f.read_doubles(f.has_var(bounds) ? bounds : axis);
      const double pixel = axis[0] == 'x' ? fr.pixel_x : fr.pixel_y;
      const double lo = *std::min_element(v.begin(), v.end()) * k,
                   hi = *std::max_element(v.begin(), v.end()) * k;
      if (f.has_var(bounds)) return low ? lo : hi;
      return low ? lo - pixel / 2 : hi + pixel / 2;
    };
    fr.grid.proj = fr.projdef;
    fr.grid.dx = fr.pixel_x;
    fr.grid.dy = fr.pixel_y;
    fr.grid.x0 = edge("x", true);
    fr.grid.y0 = edge("y", false);
  }
  fr.region = resolve_region(path, region, fr.grid_rows, fr.grid_cols);
  if (!with_values) return fr;

  const auto& r = fr.region;
  const std::int64_t file_y0 = flip ? fr.grid_rows - r.y0 - r.height : r.y0;
  const auto raw = f.read_int16s(var, {file_y0, r.x0}, {r.height, r.width});
  const double gain = f.att_doubles(var, "scale_factor").value_or(std::vector<double>{1.0}).at(0);
  const double offset = f.att_doubles(var, "add_offset").value_or(std::vector<double>{0.0}).at(0);
  const double fill = f.att_doubles(var, "_FillValue").value_or(std::vector<double>{-32767.0}).at(0);
  const double to_rate = depth ? 60.0 / fr.accumulation_min : 1.0;
  fr.values.resize(raw.size());
  fr.valid.resize(raw.size());
  for (std::int64_t y = 0; y < r.height; ++y)
    for (std::int64_t x = 0; x < r.width; ++x) {
      const std::int16_t v = raw[(flip ? r.height - 1 - y : y) * r.width + x];
      const std::int64_t i = y * r.width + x;
      fr.valid[i] = v != fill;
      fr.values[i] =
          fr.valid[i] ? std::max(0.0f, calibrated(path + ": precipitation", (offset + gain * v) * to_rate, v))
                      : 0.0f;
    }
  return fr;
}

// FMI's gzipped PGM composites (../shared/docs/radar-formats-more.md 2.2): uint8, dBZ = 0.5 v - 32, the
// maxval (255) no coverage, 0 no echo; time, pixel size and projection in '#' comments. The false origin of
// the SUOMI1 grid is not in the file: pysteps' values, which put the stated corners on the outer pixel
// corners.
RadarFrame read_fmi(const std::string& path, bool with_values, RadarRegion region) {
  const auto im = pgm::read(path, !with_values);
  std::map<std::string, std::string> meta;
  for (const auto& c : im.comments) {
    const auto sp = c.find(' ');
    if (sp != std::string::npos && !meta.count(c.substr(0, sp))) meta[c.substr(0, sp)] = c.substr(sp + 1);
  }
  RadarFrame fr;
  fr.path = path;
  fr.format = RadarFormat::fmi;
  fr.reflectivity = true;
  fr.grid_rows = im.height;
  fr.grid_cols = im.width;
  fr.source_quantity = meta.count("param") ? meta["param"] : "DBZH";
  const std::string obs = meta.count("obstime") ? meta["obstime"] : "";
  int Y, M, D, h, m;
  char tail;
  if (obs.size() != 12 || std::sscanf(obs.c_str(), "%4d%2d%2d%2d%2d%c", &Y, &M, &D, &h, &m, &tail) != 5)
    bad(path, "no obstime comment of the form YYYYMMDDHHMM (FMI PGM)");
  fr.time = timegm_utc(Y, M, D, h, m, 0);
  fr.pixel_x = meta.count("metersperpixel_x") ? std::atof(meta["metersperpixel_x"].c_str()) : 0.0;
  fr.pixel_y = meta.count("metersperpixel_y") ? std::atof(meta["metersperpixel_y"].c_str()) : 0.0;
  if (meta.count("projection_name") && meta["projection_name"] == "SUOMI1")
    fr.projdef =
        "+proj=stere +lon_0=25 +lat_0=90 +lat_ts=60 +a=6371288 +x_0=380886.310 +y_0=3395677.920 +no_defs";
  // That false origin puts the outer lower-left corner at (0, 0).
  if (!fr.projdef.empty() && fr.pixel_x > 0 && fr.pixel_y > 0) {
    fr.grid.proj = fr.projdef;
    fr.grid.dx = fr.pixel_x;
    fr.grid.dy = fr.pixel_y;
    fr.grid.y0 = static_cast<double>(im.height) * fr.pixel_y;
  }
  fr.region = resolve_region(path, region, fr.grid_rows, fr.grid_cols);
  if (!with_values) return fr;
  const auto& r = fr.region;
  fr.values.resize(static_cast<std::size_t>(r.height * r.width));
  fr.valid.resize(fr.values.size());
  for (std::int64_t y = 0; y < r.height; ++y)
    for (std::int64_t x = 0; x < r.width; ++x) {
      const int v = im.pixels[(r.y0 + y) * im.width + r.x0 + x];
      const std::int64_t i = y * r.width + x;
      fr.valid[i] = v != im.maxval;
      fr.values[i] = !fr.valid[i] ? 0.0f : v == 0 ? kDbzFloor : std::max(kDbzFloor, 0.5f * v - 32.0f);
    }
  return fr;
}

// Reads the region of a GDAL raster (values as float; header only unless with_values).
// The file is opened once: the region is resolved against the raster's size as soon as GDAL reports it.
geo::Raster raster_region(const std::string& path, bool with_values, RadarFrame& fr, RadarRegion region) {
  auto resolve = [&](std::int64_t rows, std::int64_t cols) {
    fr.grid_rows = rows;
    fr.grid_cols = cols;
    fr.region = resolve_region(path, region, rows, cols);
    return geo::Window{fr.region.y0, fr.region.x0, fr.region.height, fr.region.width};
  };
  if (with_values) return geo::read_raster(path, resolve);
  auto header = geo::read_raster(path);
  resolve(header.rows, header.cols);
  return header;
}

// The frame's grid from a north-up raster's geotransform and CRS.
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

// MeteoSwiss AQC GIF (radar-formats-more.md 2.3): palette indices, pysteps' look-up table to mm per 5 minutes
// (here as a mean rate in mm/h), 255 no coverage; the time from the file name AQC{yy}{DDD}{HHMM}...; the CCS4
// grid (EPSG:21781), which the file does not hold, as pysteps gives it.
RadarFrame read_mch(const std::string& path, bool with_values, RadarRegion region) {
  RadarFrame fr;
  fr.path = path;
  fr.format = RadarFormat::mch;
  fr.source_quantity = "AQC";
  const auto slash = path.rfind('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  int yy = 0, doy = 0, hh = 0, mm = 0;
  if (name.size() < 12 || name.compare(0, 3, "AQC") != 0 ||
      std::sscanf(name.c_str() + 3, "%2d%3d%2d%2d", &yy, &doy, &hh, &mm) != 4 || doy < 1 || doy > 366)
    bad(path, "not named AQC{yy}{day of year}{HHMM}... (MeteoSwiss AQC GIF): its time is in the name only");
  fr.time = timegm_utc(2000 + yy, 1, 1, hh, mm, 0) + static_cast<std::int64_t>(doy - 1) * 86400;
  fr.accumulation_min = 5;
  const auto r = raster_region(path, with_values, fr, region);
  if (r.driver != "GIF") bad(path, "not a GIF image (MeteoSwiss AQC)");
  fr.pixel_x = fr.pixel_y = 1000.0;
  fr.projdef =
      "+proj=somerc +lon_0=7.43958333333333 +lat_0=46.9524055555556 +k_0=1 +x_0=600000 +y_0=200000 "
      "+ellps=bessel +towgs84=674.374,15.056,405.346,0,0,0,0 +units=m +no_defs";
  if (fr.grid_rows == 640 && fr.grid_cols == 710) {
    fr.grid.proj = fr.projdef;
    fr.grid.dx = fr.grid.dy = 1000.0;
    fr.grid.x0 = 255000.0;
    fr.grid.y0 = 480000.0;
  }
  if (!with_values) return fr;
  fr.values.resize(r.values.size());
  fr.valid.resize(r.values.size());
  for (std::size_t i = 0; i < r.values.size(); ++i) {
    const int v = static_cast<int>(r.values[i]);
    fr.valid[i] = v != 255;
    const bool dry = v < 2 || (v >= 251 && v <= 254) || v == 255;
    const double mm5 = dry ? 0.0 : std::pow(std::pow(10.0, (v - 71.5) / 20.0) / 316.0, 1.0 / 1.5);
    fr.values[i] = static_cast<float>(mm5 * 12.0);  // mm in 5 minutes -> mm/h
  }
  return fr;
}

// MRMS GRIB2 PrecipRate (radar-formats-more.md 2.4) through GDAL's GRIB driver: mm/h, -3 no coverage, the
// valid time from GRIB_VALID_TIME, 0.01° lon/lat cells.
RadarFrame read_mrms(const std::string& path, bool with_values, RadarRegion region) {
  RadarFrame fr;
  fr.path = path;
  fr.format = RadarFormat::mrms;
  const auto r = raster_region(path, with_values, fr, region);
  if (r.driver != "GRIB") bad(path, "not a GRIB file");
  const auto element = r.metadata.count("GRIB_ELEMENT") ? r.metadata.at("GRIB_ELEMENT") : "";
  if (element != "PrecipRate") bad(path, "GRIB element '" + element + "', expected PrecipRate (MRMS)");
  fr.source_quantity = element;
  const auto valid = r.metadata.count("GRIB_VALID_TIME") ? r.metadata.at("GRIB_VALID_TIME") : "";
  char* end = nullptr;
  const long long t = std::strtoll(valid.c_str(), &end, 10);
  if (valid.empty() || end == valid.c_str()) bad(path, "no GRIB_VALID_TIME");
  fr.time = t;
  if (r.has_geotransform && r.transform[2] == 0 && r.transform[4] == 0 && r.transform[5] < 0)
    set_grid_from(r, fr);
  if (!with_values) return fr;
  fr.values.resize(r.values.size());
  fr.valid.resize(r.values.size());
  for (std::size_t i = 0; i < r.values.size(); ++i) {
    const float v = r.values[i];
    fr.valid[i] = std::isfinite(v) && v != -3.0f;
    fr.values[i] = fr.valid[i] ? std::max(0.0f, v) : 0.0f;
  }
  return fr;
}

// Seconds since 1970 of "YYYY-MM-DDTHH:MM:SSZ" or TIFF's "YYYY:MM:DD HH:MM:SS"; nullopt for another form.
std::optional<std::int64_t> parse_iso_or_tiff_time(const std::string& s) {
  int Y, M, D, h, m, sec;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &Y, &M, &D, &h, &m, &sec) == 6 ||
      std::sscanf(s.c_str(), "%4d:%2d:%2d %2d:%2d:%2d", &Y, &M, &D, &h, &m, &sec) == 6)
    return timegm_utc(Y, M, D, h, m, sec);
  return std::nullopt;
}

// Any single-band, north-up GeoTIFF with a CRS: mm/h (band unit mm/h, mm h-1, or none) or dBZ; the declared
// nodata and NaN are no coverage; the time from the valid_time metadata item (as convlstm's COG forecasts
// write it) or TIFFTAG_DATETIME.
RadarFrame read_geotiff(const std::string& path, bool with_values, RadarRegion region) {
  RadarFrame fr;
  fr.path = path;
  fr.format = RadarFormat::geotiff;
  const auto r = raster_region(path, with_values, fr, region);
  if (r.driver != "GTiff" && r.driver != "COG") bad(path, "not a GeoTIFF");
  if (r.bands != 1) bad(path, std::to_string(r.bands) + " bands, expected a single-band GeoTIFF");
  if (r.wkt.empty() || !r.has_geotransform)
    bad(path, "no CRS or geotransform: the GeoTIFF is not georeferenced");
  if (r.transform[2] != 0 || r.transform[4] != 0 || r.transform[5] >= 0)
    bad(path, "a rotated or south-up geotransform (expected north-up rows)");
  const std::string unit = r.unit.empty() && r.metadata.count("units") ? r.metadata.at("units") : r.unit;
  if (unit == "dBZ") {
    fr.reflectivity = true;
  } else if (!unit.empty() && unit != "mm/h" && unit != "mm h-1" && unit != "mm/hr") {
    bad(path, "band unit '" + unit + "', expected mm/h or dBZ");
  }
  fr.source_quantity = fr.reflectivity ? "DBZH" : "RATE";
  std::optional<std::int64_t> t;
  for (const char* key : {"valid_time", "TIFFTAG_DATETIME"})
    if (!t && r.metadata.count(key)) t = parse_iso_or_tiff_time(r.metadata.at(key));
  if (!t) bad(path, "no valid_time or TIFFTAG_DATETIME metadata (the frame's time)");
  fr.time = *t;
  set_grid_from(r, fr);
  if (!with_values) return fr;
  fr.values.resize(r.values.size());
  fr.valid.resize(r.values.size());
  for (std::size_t i = 0; i < r.values.size(); ++i) {
    const float v = r.values[i];
    fr.valid[i] = std::isfinite(v) && !(r.nodata && v == static_cast<float>(*r.nodata));
    fr.values[i] = !fr.valid[i] ? 0.0f : fr.reflectivity ? std::max(kDbzFloor, v) : std::max(0.0f, v);
  }
  return fr;
}

RadarFrame read_any(const std::string& path, std::optional<RadarFormat> format, const std::string& quantity,
                    bool with_values, RadarRegion region) {
  const RadarFormat f = format ? *format : detect_radar_format(path);  // (value_or would detect always)
  RadarFrame fr = f == RadarFormat::bom       ? read_bom(path, with_values, region)
                  : f == RadarFormat::fmi     ? read_fmi(path, with_values, region)
                  : f == RadarFormat::mch     ? read_mch(path, with_values, region)
                  : f == RadarFormat::mrms    ? read_mrms(path, with_values, region)
                  : f == RadarFormat::geotiff ? read_geotiff(path, with_values, region)
                  : f == RadarFormat::knmi    ? read_knmi(path, with_values, region)
                                              : read_odim(path, quantity, with_values, region);
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

std::string to_string(RadarFormat f) {
  switch (f) {
    case RadarFormat::knmi:
      return "knmi";
    case RadarFormat::bom:
      return "bom";
    case RadarFormat::fmi:
      return "fmi";
    case RadarFormat::mch:
      return "mch";
    case RadarFormat::mrms:
      return "mrms";
    case RadarFormat::geotiff:
      return "geotiff";
    case RadarFormat::odim:
      break;
  }
  return "odim";
}

RadarFormat parse_radar_format(const std::string& s) {
  if (s == "knmi") return RadarFormat::knmi;
  if (s == "odim") return RadarFormat::odim;
  if (s == "bom") return RadarFormat::bom;
  if (s == "fmi") return RadarFormat::fmi;
  if (s == "mch") return RadarFormat::mch;
  if (s == "mrms") return RadarFormat::mrms;
  if (s == "geotiff") return RadarFormat::geotiff;
  throw UsageError("unknown radar format '" + s + "' (expected knmi, odim, bom, fmi, mch, mrms or geotiff)");
}

RadarFormat detect_radar_format(const std::string& path) {
  if (nc::is_classic_netcdf(path)) return RadarFormat::bom;
  if (pgm::is_pgm(path)) return RadarFormat::fmi;
  {
    std::ifstream in(path, std::ios::binary);
    char m[6] = {};
    in.read(m, 6);
    const std::string magic(m, static_cast<std::size_t>(in.gcount()));
    if (magic.rfind("GIF87a", 0) == 0 || magic.rfind("GIF89a", 0) == 0) return RadarFormat::mch;
    if (magic.rfind("GRIB", 0) == 0) return RadarFormat::mrms;
    if (magic.size() >= 4 && (magic.compare(0, 4, std::string("II*\0", 4)) == 0 ||
                              magic.compare(0, 4, std::string("MM\0*", 4)) == 0 ||
                              magic.compare(0, 4, std::string("II+\0", 4)) == 0 ||
                              magic.compare(0, 4, std::string("MM\0+", 4)) == 0))
      return RadarFormat::geotiff;
  }
  auto f = h5::File::open_read(path);
  const auto root = f.root();
  const auto conventions = root.has_attr("Conventions") ? root.attr_string("Conventions") : "";
  if (conventions.rfind("ODIM_H5/", 0) == 0) return RadarFormat::odim;
  if (root.has("overview") && root.has("geographic") && root.has("image1")) return RadarFormat::knmi;
  // netCDF-4 is HDF5 underneath: a CF file with a precipitation variable.
  if (conventions.rfind("CF-", 0) == 0 && root.has("precipitation")) return RadarFormat::bom;
  bad(path,
      "neither ODIM_H5 (root Conventions \"ODIM_H5/...\"), KNMI HDF5 (groups overview, geographic, image1) "
      "nor BoM Rainfields netCDF (CF with a precipitation variable); nor an FMI PGM, GIF, GRIB or TIFF file");
}

RadarFrame read_radar_header(const std::string& path, std::optional<RadarFormat> format,
                             const std::string& quantity) {
  return read_any(path, format, quantity, false, {});
}

RadarFrame read_radar(const std::string& path, std::optional<RadarFormat> format, const std::string& quantity,
                      RadarRegion region) {
  return read_any(path, format, quantity, true, region);
}

float rain_rate_from_dbz(float dbz, double a, double b) {
  if (dbz <= kDbzFloor) return 0.0f;
  return static_cast<float>(std::pow(std::pow(10.0, dbz / 10.0) / a, 1.0 / b));
}

float dbz_from_rain_rate(float rate, double a, double b) {
  if (rate <= 0.0f) return kDbzFloor;
  return std::max(kDbzFloor,
                  static_cast<float>(10.0 * std::log10(a * std::pow(static_cast<double>(rate), b))));
}

std::int64_t parse_knmi_time(const std::string& s) {
  static const char* months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                 "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  char mon[4] = {0};
  if (std::sscanf(s.c_str(), "%2d-%3c-%4d;%2d:%2d:%2d", &day, mon, &year, &hour, &minute, &second) != 6)
    throw DataError("KNMI time '" + s + "': expected DD-MON-YYYY;HH:MM:SS.mmm");
  for (int m = 0; m < 12; ++m)
    if (std::string(mon) == months[m]) return timegm_utc(year, m + 1, day, hour, minute, second);
  throw DataError("KNMI time '" + s + "': unknown month '" + std::string(mon) + "'");
}

std::int64_t parse_odim_time(const std::string& date, const std::string& time) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (date.size() != 8 || time.size() < 4 || std::sscanf(date.c_str(), "%4d%2d%2d", &y, &mo, &d) != 3 ||
      std::sscanf(time.c_str(), "%2d%2d%2d", &h, &mi, &sec) < 2 || mo < 1 || mo > 12 || d < 1 || d > 31)
    throw DataError("ODIM time '" + date + "' '" + time + "': expected YYYYMMDD and HHmmss");
  return timegm_utc(y, mo, d, h, mi, sec);
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

float hko7_weight(float r) {
  if (r < 2.0f) return 1.0f;
  if (r < 5.0f) return 2.0f;
  if (r < 10.0f) return 5.0f;
  if (r < 30.0f) return 10.0f;
  return 30.0f;
}

}  // namespace convlstm::data
