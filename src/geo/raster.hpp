// Single-band rasters through GDAL (its GIF, GTiff and GRIB drivers): gdal's headers stay in src/geo/. The
// radar readers of MeteoSwiss GIF, MRMS GRIB2 and GeoTIFF (data/radar.hpp) decode what this returns; every
// GDAL failure throws DataError naming the file, with GDAL's message, and nothing reaches stderr.
#pragma once

#include <cstdint>
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
  std::map<std::string, std::string> metadata;  // the dataset's and band 1's default-domain items
  std::vector<float> values;                    // the region read, row-major, row 0 first as stored
};

// Reads band 1's header, and its region (y0, x0, height, width) as float when with_values (height 0: the
// whole band).
Raster read_raster(const std::string& path, bool with_values, std::int64_t y0 = 0, std::int64_t x0 = 0,
                   std::int64_t height = 0, std::int64_t width = 0);

}  // namespace convlstm::geo
