// Writing one raster of one or more bands as a cloud-optimised GeoTIFF through GDAL: Float32 with NaN NoData,
// the geotransform and CRS given, DEFLATE with the predictor, 512-pixel blocks and overviews, metadata items
// and each band's unit and description. A primitive: what the raster means is the caller's (forecast/).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace convlstm::geo {

struct CogBand {
  std::string unit, description;
  const float* values = nullptr;  // rows x cols, row 0 first
};

struct CogImage {
  std::int64_t rows = 0, cols = 0;
  double transform[6] = {0, 1, 0, 0, 0, -1};  // GDAL's geotransform
  std::string wkt;                            // the CRS
  std::map<std::string, std::string> metadata;
  std::vector<CogBand> bands;  // at least one
};

// Writes `image` to `path` (which the caller commits or removes); DataError naming the path on failure.
void write_cog(const std::string& path, const CogImage& image);

}  // namespace convlstm::geo
