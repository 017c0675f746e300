// Coordinate reference systems through GDAL's OSR (which wraps PROJ): gdal's headers are included only in
// src/geo/. The readers turn a product's corner lon/lat into projected coordinates with it, the writers ask
// it for the WKT of a PROJ string and for the lon/lat of the corners. GDAL's error messages are kept off
// stderr: a failure throws DataError naming the PROJ string.
#pragma once

#include <string>
#include <vector>

namespace convlstm::geo {

struct Point {
  double x = 0.0, y = 0.0;
};

// The WKT (GDAL's WKT 1 flavour, which QGIS, rioxarray and GDAL's own netCDF and GeoTIFF drivers read) of a
// PROJ string.
std::string wkt_of(const std::string& proj);
// lon/lat (degrees, on the CRS's own datum, as ODIM producers and pysteps use them) -> projected x, y; and
// back.
Point project(const std::string& proj, double lon, double lat);
Point lonlat(const std::string& proj, double x, double y);
// Many points at once, in place: x, y projected in, lon, lat out.
void lonlat(const std::string& proj, std::vector<double>& x, std::vector<double>& y);

}  // namespace convlstm::geo
