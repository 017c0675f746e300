// Single-band GeoTIFF (classic or BigTIFF) through GDAL (geo/raster.hpp).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "data/readers/reader.hpp"

namespace convlstm::data::readers {

namespace {

// Seconds since 1970 of "YYYY-MM-DDTHH:MM:SSZ" or TIFF's "YYYY:MM:DD HH:MM:SS"; nullopt for another form.
std::optional<std::int64_t> parse_iso_or_tiff_time(const std::string& s) {
  int Y, M, D, h, m, sec;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &Y, &M, &D, &h, &m, &sec) == 6 ||
      std::sscanf(s.c_str(), "%4d:%2d:%2d %2d:%2d:%2d", &Y, &M, &D, &h, &m, &sec) == 6)
    return timegm_utc(Y, M, D, h, m, sec);
  return std::nullopt;
}

}  // namespace

bool detect_geotiff(Probe& p) {
  for (const char* magic : {"II*\0", "MM\0*", "II+\0", "MM\0+"})
    if (p.starts_with(std::string(magic, 4))) return true;
  return false;
}

// Any single-band, north-up GeoTIFF with a CRS: mm/h (band unit mm/h, mm h-1, or none) or dBZ; the declared
// nodata and NaN are no coverage; the time from the valid_time metadata item (as convlstm's COG forecasts
// write it) or TIFFTAG_DATETIME, else from the file name (import --time-from-name).
RadarFrame read_geotiff(const Request& q) {
  const std::string& path = q.path;
  RadarFrame fr = frame_of(path, "geotiff");
  const auto r = raster_region(q, fr);
  if (r.driver != "GTiff" && r.driver != "COG") bad(path, "not a GeoTIFF");
  if (r.bands != 1) bad(path, std::to_string(r.bands) + " bands, expected a single-band GeoTIFF");
  if (r.wkt.empty() || !r.has_geotransform)
    bad(path, "no CRS or geotransform: the GeoTIFF is not georeferenced");
  if (r.transform[2] != 0 || r.transform[4] != 0 || r.transform[5] >= 0)
    bad(path, "a rotated or south-up geotransform (expected north-up rows)");
  const std::string unit = r.unit.empty() && r.metadata.count("units") ? r.metadata.at("units") : r.unit;
  if (unit == "dBZ") {
    fr.quantity = Quantity::reflectivity;
  } else if (!unit.empty() && unit != "mm/h" && unit != "mm h-1" && unit != "mm/hr") {
    bad(path, "band unit '" + unit + "', expected mm/h or dBZ");
  }
  fr.source_quantity = fr.quantity == Quantity::reflectivity ? "DBZH" : "RATE";
  std::optional<std::int64_t> t;
  for (const char* key : {"valid_time", "TIFFTAG_DATETIME"})
    if (!t && r.metadata.count(key)) t = parse_iso_or_tiff_time(r.metadata.at(key));
  if (t)
    fr.time = *t;
  else
    fr.time_known = false;  // from the name, with --time-from-name (read_radar)
  set_grid_from(r, fr);
  if (!q.with_values) return fr;
  decode_raster(r, r.nodata ? std::optional<float>(static_cast<float>(*r.nodata)) : std::nullopt, fr);
  return fr;
}

}  // namespace convlstm::data::readers
