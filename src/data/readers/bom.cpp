// BoM Rainfields 3 netCDF, classic or netCDF-4, through libnetcdf (data/netcdf.hpp).
#include <algorithm>
#include <cmath>
#include <sstream>

#include "data/netcdf.hpp"
#include "data/readers/reader.hpp"

namespace convlstm::data::readers {

namespace {

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

}  // namespace

bool detect_bom(Probe& p) {
  if (nc::is_classic_netcdf(p.path())) return true;
  // netCDF-4 is HDF5 underneath: a CF file with a precipitation variable.
  const auto* root = p.hdf5_root();
  if (!root || !root->has_attr("Conventions")) return false;
  return root->attr_string("Conventions").rfind("CF-", 0) == 0 && root->has("precipitation");
}

namespace {

// The grid from the x/y coordinates (km or m) and the CF grid mapping, in metres, rows north-first; returns
// whether the file's rows run south to north (y ascending) and must be flipped.
bool read_grid(const data::nc::File& f, const std::string& var, RadarFrame& fr) {
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
  // centres (docs/formats.md: GDAL and pysteps differ by half a pixel on some BoM products).
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
  return flip;
}

}  // namespace

// BoM Rainfields 3 netCDF (docs/formats.md): precipitation(y, x) as short with
// scale_factor, add_offset and _FillValue (missing); its units a depth (kg m-2 = mm) over start_time ..
// valid_time, turned into a mean rate; x/y in km or m, rows north-first (flipped when y ascends). Negative
// values other than the fill (-2 seen: bias correction) are no rain.
RadarFrame read_bom(const Request& q) {
  const std::string& path = q.path;
  const auto f = nc::File::open_read(path);
  const std::string var = "precipitation";
  if (!f.has_var(var))
    bad(path, "no variable precipitation (BoM Rainfields netCDF); another netCDF product is not read");
  const auto dims = f.dims(var);
  if (dims.size() != 2)
    bad(path, "precipitation has " + std::to_string(dims.size()) + " dimensions, expected (y, x)");
  RadarFrame fr = frame_of(path, "bom");
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
  const bool flip = read_grid(f, var, fr);
  fr.region = resolve_region(path, q.region, fr.grid_rows, fr.grid_cols);
  if (!q.with_values) return fr;

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

}  // namespace convlstm::data::readers
