// netCDF-CF forecasts (georeferenced.hpp), through libnetcdf (data/netcdf.hpp).
#include <cmath>
#include <map>
#include <sstream>

#include "core/error.hpp"
#include "data/netcdf.hpp"
#include "forecast/georeferenced.hpp"
#include "forecast/partial.hpp"
#include "geo/crs.hpp"

namespace convlstm::forecast {

namespace {

// The PROJ string's +key=value parameters (and bare +flags as "").
std::map<std::string, std::string> proj_params(const std::string& proj) {
  std::map<std::string, std::string> p;
  std::istringstream in(proj);
  for (std::string tok; in >> tok;) {
    if (tok.empty() || tok[0] != '+') continue;
    const auto eq = tok.find('=');
    p[tok.substr(1, eq == std::string::npos ? std::string::npos : eq - 1)] =
        eq == std::string::npos ? "" : tok.substr(eq + 1);
  }
  return p;
}

// The CF grid_mapping_name of a PROJ string (CF Appendix F) for the projections radar composites use; empty
// for others.
std::string grid_mapping_name(const std::string& proj) {
  auto p = proj_params(proj);
  const std::string name = p.count("proj") ? p["proj"] : "";
  const double lat0 = p.count("lat_0") ? std::atof(p["lat_0"].c_str()) : 0.0;
  if (name == "stere" && std::abs(std::abs(lat0) - 90.0) < 1e-9) return "polar_stereographic";
  if (name == "laea") return "lambert_azimuthal_equal_area";
  if (name == "aea") return "albers_conical_equal_area";
  if (name == "lcc") return "lambert_conformal_conic";
  if (name == "tmerc") return "transverse_mercator";
  if (name == "longlat" || name == "lonlat" || name == "latlong") return "latitude_longitude";
  return "";
}

// The grid-mapping variable: named after its grid_mapping_name, as pysteps' netCDF importer looks it up
// (`crs` for a projection CF has no name for).
std::string grid_mapping_variable(const std::string& proj) {
  const auto name = grid_mapping_name(proj);
  return name.empty() ? "crs" : name;
}

// The CF grid-mapping attributes of a PROJ string (CF Appendix F) on the variable `gm`, for the projections
// radar composites use; others get crs_wkt alone (which GDAL, QGIS and rioxarray read).
void put_grid_mapping(data::nc::File& nc, const std::string& gm, const std::string& proj) {
  auto p = proj_params(proj);
  auto num = [&](const std::string& k, double fallback) {
    return p.count(k) ? std::atof(p[k].c_str()) : fallback;
  };
  auto put = [&](const std::string& k, std::vector<double> v) { nc.put_numbers(gm, k, v); };
  const std::string name = p.count("proj") ? p["proj"] : "";
  const std::string cf = grid_mapping_name(proj);
  if (!cf.empty()) nc.put_att(gm, "grid_mapping_name", cf);
  const double lat0 = num("lat_0", 0), lon0 = num("lon_0", 0);
  if (cf == "polar_stereographic") {
    put("straight_vertical_longitude_from_pole", {lon0});
    put("latitude_of_projection_origin", {lat0});
    if (p.count("lat_ts"))
      put("standard_parallel", {num("lat_ts", 0)});
    else
      put("scale_factor_at_projection_origin", {num("k_0", num("k", 1.0))});
  } else if (name == "laea") {
    put("longitude_of_projection_origin", {lon0});
    put("latitude_of_projection_origin", {lat0});
  } else if (name == "aea" || name == "lcc") {
    const double lat1 = num("lat_1", lat0);
    put("standard_parallel", {lat1, num("lat_2", lat1)});
    put("longitude_of_central_meridian", {lon0});
    put("latitude_of_projection_origin", {lat0});
  } else if (name == "tmerc") {
    put("scale_factor_at_central_meridian", {num("k_0", num("k", 1.0))});
    put("longitude_of_central_meridian", {lon0});
    put("latitude_of_projection_origin", {lat0});
  }
  if (name != "longlat" && name != "lonlat" && name != "latlong") {
    put("false_easting", {num("x_0", 0)});
    put("false_northing", {num("y_0", 0)});
  }
  const std::map<std::string, std::pair<double, double>> ellipsoids{{"WGS84", {6378137.0, 298.257223563}},
                                                                    {"GRS80", {6378137.0, 298.257222101}},
                                                                    {"bessel", {6377397.155, 299.1528128}},
                                                                    {"intl", {6378388.0, 297.0}}};
  if (p.count("R")) {
    put("earth_radius", {num("R", 0)});
  } else if (p.count("a") && p.count("b")) {
    put("semi_major_axis", {num("a", 0)});
    put("semi_minor_axis", {num("b", 0)});
  } else if (p.count("a") && !p.count("b") && !p.count("rf") && !p.count("ellps")) {
    put("earth_radius", {num("a", 0)});  // a sphere
  } else if (p.count("ellps") && ellipsoids.count(p["ellps"])) {
    put("semi_major_axis", {ellipsoids.at(p["ellps"]).first});
    put("inverse_flattening", {ellipsoids.at(p["ellps"]).second});
  }
}

}  // namespace

void write_cf_forecast(const GeoForecast& f, const std::string& path) {
  check_georeferenced(f, path);
  const auto& g = f.field.grid;
  const bool dbz = f.field.quantity == data::Quantity::reflectivity;
  const auto T = static_cast<std::int64_t>(f.lead_s.size());
  Partial out(path);
  auto nc = data::nc::File::create(out.tmp());
  using Type = data::nc::File::Type;
  const bool ensemble = f.members > 1;
  const auto P = static_cast<std::int64_t>(f.thresholds.size());
  if (ensemble) nc.define_dim("ens_number", f.members);
  if (P > 0) nc.define_dim("threshold", P);
  nc.define_dim("time", T);
  nc.define_dim("y", g.rows);
  nc.define_dim("x", g.cols);
  if (ensemble) {  // pysteps' exporter's member dimension, with CF's name for what it counts
    nc.define_var("ens_number", Type::int32, {"ens_number"});
    nc.put_att("ens_number", "standard_name", "realization");
    nc.put_att("ens_number", "long_name", "ensemble member");
    nc.put_att("ens_number", "units", "1");
  }
  const std::string since = "seconds since " + format_utc(f.analysis_time, "%Y-%m-%d %H:%M:%S");
  nc.define_var("time", Type::float64, {"time"});
  nc.put_att("time", "standard_name", "time");
  nc.put_att("time", "long_name", "forecast valid time");
  nc.put_att("time", "units", since);
  nc.put_att("time", "calendar", "standard");
  nc.put_att("time", "axis", "T");
  nc.define_var("forecast_reference_time", Type::float64, {});
  nc.put_att("forecast_reference_time", "standard_name", "forecast_reference_time");
  nc.put_att("forecast_reference_time", "units", since);
  nc.put_att("forecast_reference_time", "calendar", "standard");
  nc.define_var("forecast_period", Type::float64, {"time"});
  nc.put_att("forecast_period", "standard_name", "forecast_period");
  nc.put_att("forecast_period", "units", "s");
  for (const char* axis : {"y", "x"}) {
    nc.define_var(axis, Type::float64, {axis});
    nc.put_att(axis, "standard_name", std::string("projection_") + axis + "_coordinate");
    nc.put_att(axis, "long_name", std::string(axis) + " of the cell centre");
    nc.put_att(axis, "units", "m");
    nc.put_att(axis, "axis", axis[0] == 'x' ? "X" : "Y");
  }
  const std::vector<std::int64_t> plane_chunk{std::min<std::int64_t>(g.rows, 256),
                                              std::min<std::int64_t>(g.cols, 256)};
  for (const char* c : {"lat", "lon"}) {
    nc.define_var(c, Type::float64, {"y", "x"}, plane_chunk, 4);
    nc.put_att(c, "standard_name", c[1] == 'a' ? "latitude" : "longitude");
    nc.put_att(c, "units", c[1] == 'a' ? "degrees_north" : "degrees_east");
  }
  const std::string gm = grid_mapping_variable(g.proj);
  nc.define_var(gm, Type::int32, {});
  put_grid_mapping(nc, gm, g.proj);
  nc.put_att(gm, "crs_wkt", g.wkt);
  nc.put_att(gm, "spatial_ref", g.wkt);
  nc.put_att(gm, "proj4_params", g.proj);
  const std::string var = dbz ? "reflectivity" : "precip_intensity";
  if (ensemble)
    nc.define_var(var, Type::float32, {"ens_number", "time", "y", "x"},
                  {1, 1, plane_chunk[0], plane_chunk[1]}, 4);
  else
    nc.define_var(var, Type::float32, {"time", "y", "x"}, {1, plane_chunk[0], plane_chunk[1]}, 4);
  nc.put_att(var, "standard_name", dbz ? "equivalent_reflectivity_factor" : "lwe_precipitation_rate");
  nc.put_att(var, "long_name",
             dbz ? "equivalent reflectivity factor (nowcast)" : "instantaneous precipitation rate (nowcast)");
  nc.put_att(var, "units", dbz ? "dBZ" : "mm h-1");
  nc.put_numbers(var, "_FillValue", {std::nan("")}, Type::float32);
  nc.put_att(var, "grid_mapping", gm);
  nc.put_att(var, "coordinates", "forecast_period forecast_reference_time lat lon");
  if (P > 0) {  // CF: the thresholds are a coordinate of the thresholded quantity's standard name
    nc.define_var("threshold", Type::float64, {"threshold"});
    nc.put_att("threshold", "standard_name",
               dbz ? "equivalent_reflectivity_factor" : "lwe_precipitation_rate");
    nc.put_att("threshold", "long_name", "exceedance threshold");
    nc.put_att("threshold", "units", dbz ? "dBZ" : "mm h-1");
    nc.put_att("threshold", "spacing_type", "irregular");
    const std::string pv = "probability_of_exceedance";
    nc.define_var(pv, Type::float32, {"threshold", "time", "y", "x"}, {1, 1, plane_chunk[0], plane_chunk[1]},
                  4);
    nc.put_att(pv, "long_name",
               std::string("probability that the ") + (dbz ? "reflectivity" : "precipitation rate") +
                   " is at or above the threshold (share of the ensemble's members)");
    nc.put_att(pv, "units", "1");
    nc.put_numbers(pv, "valid_range", {0.0, 1.0}, Type::float32);
    nc.put_numbers(pv, "_FillValue", {std::nan("")}, Type::float32);
    nc.put_att(pv, "grid_mapping", gm);
    nc.put_att(pv, "coordinates", "forecast_period forecast_reference_time lat lon");
  }
  nc.put_att("", "Conventions", "CF-1.8");
  nc.put_att("", "title", "precipitation nowcast");
  nc.put_att("", "institution", "convlstm");
  nc.put_att("", "source", "convlstm " + f.software_version + ": " + f.source);
  nc.put_att(
      "", "history",
      format_utc(f.analysis_time, "analysis time %Y-%m-%dT%H:%M:%SZ") + ", written by convlstm predict");
  nc.put_att("", "projection", g.proj);
  nc.end_define();
  std::vector<double> lead(f.lead_s.begin(), f.lead_s.end());
  nc.put("time", lead);
  nc.put("forecast_period", lead);
  nc.put("forecast_reference_time", std::vector<double>{0.0});
  std::vector<double> ys(static_cast<std::size_t>(g.rows)), xs(static_cast<std::size_t>(g.cols));
  for (std::int64_t r = 0; r < g.rows; ++r) ys[r] = g.y_centre(r);
  for (std::int64_t c = 0; c < g.cols; ++c) xs[c] = g.x_centre(c);
  nc.put("y", ys);
  nc.put("x", xs);
  std::vector<double> lon(static_cast<std::size_t>(g.rows * g.cols)), lat(lon.size());
  for (std::int64_t r = 0; r < g.rows; ++r)
    for (std::int64_t c = 0; c < g.cols; ++c) {
      lon[r * g.cols + c] = xs[c];
      lat[r * g.cols + c] = ys[r];
    }
  geo::lonlat(g.proj, lon, lat);
  nc.put("lat", lat);
  nc.put("lon", lon);
  nc.put(var, f.values);
  if (ensemble) {
    std::vector<std::int64_t> members(static_cast<std::size_t>(f.members));
    for (std::int64_t m = 0; m < f.members; ++m) members[m] = m;
    nc.put("ens_number", members);
  }
  if (P > 0) {
    nc.put("threshold", f.thresholds);
    nc.put("probability_of_exceedance", f.probabilities);
  }
  nc.close();
  out.commit();
}

}  // namespace convlstm::forecast
