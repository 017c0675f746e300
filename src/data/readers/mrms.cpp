// MRMS GRIB2 PrecipRate through GDAL (geo/raster.hpp).
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "data/readers/reader.hpp"

namespace convlstm::data::readers {

bool detect_mrms(Probe& p) {
  return p.starts_with("GRIB");
}

// MRMS GRIB2 PrecipRate (docs/formats.md) through GDAL's GRIB driver: mm/h, -3 no coverage, the
// valid time from GRIB_VALID_TIME, 0.01° lon/lat cells.
RadarFrame read_mrms(const Request& q) {
  const std::string& path = q.path;
  RadarFrame fr = frame_of(path, "mrms");
  const auto r = raster_region(q, fr);
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
  if (!q.with_values) return fr;
  decode_raster(r, -3.0f, fr);  // -3: no coverage
  return fr;
}

}  // namespace convlstm::data::readers
