// Raster bands through GDAL (its GIF, GTiff and GRIB drivers): gdal's headers stay in src/geo/. The
// radar readers of MeteoSwiss GIF, MRMS GRIB2 and GeoTIFF (data/radar.hpp) decode what this returns; every
// GDAL failure throws DataError naming the file, with GDAL's message, and nothing reaches stderr.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace convlstm::geo {

struct Raster {
  std::string driver;               // GDAL's short name: GIF, GTiff, GRIB, ...
  std::int64_t rows = 0, cols = 0;  // of the whole band
  std::int64_t bands = 0;
  bool has_geotransform = false;
  double transform[6] = {0, 1, 0, 0, 0, 1};  // GDAL's geotransform
  std::string wkt, proj;                     // the CRS (empty when the file has none); proj as a PROJ string
  std::optional<double> nodata;              // the band's declared nodata
  std::string unit;                          // the band's unit type
  std::string description;                   // the band's description
  std::map<std::string, std::string> metadata;  // the dataset's and band 1's default-domain items
  std::vector<float> values;                    // the region read, row-major, row 0 first as stored
};

// The region of the band to read: y0, x0, height, width.
struct Window {
  std::int64_t y0 = 0, x0 = 0, height = 0, width = 0;
};

// Opens the file once, reads the header of band `band` (1-based; the radar readers read band 1) and, when
// `window` is given, asks it for the region to read from the raster's rows and columns (it may throw, e.g.
// for a region outside them) and reads that region as float.
Raster read_raster(const std::string& path,
                   const std::function<Window(std::int64_t rows, std::int64_t cols)>& window = nullptr,
                   int band = 1);

}  // namespace convlstm::geo
