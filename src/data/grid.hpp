// The georeference of a frame (docs/formats.md): a CRS, the outer upper-left corner,
// the pixel size and the shape, rows north-first. Every radar reader yields it for the file's whole grid;
// crop and downsample carry it along; the dataset, the checkpoint and every forecast store it as the root
// attributes of grid_attributes():
//   grid_proj    PROJ string, coordinates in metres
//   grid_wkt     the same CRS as WKT (from GDAL; empty when the PROJ string is not one GDAL knows)
//   grid_corner  "x0,y0": the outer upper-left corner of pixel (0, 0), metres in the CRS
//   grid_pixel   "dx,dy": the pixel size in metres (both positive; row r spans y0 - r dy .. y0 - (r+1) dy)
//   grid_shape   "rows,cols"
// Pixel centres are x0 + (col + ½) dx and y0 - (row + ½) dy.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace convlstm::data {

struct Grid {
  std::string proj, wkt;
  double x0 = 0.0, y0 = 0.0, dx = 0.0, dy = 0.0;
  std::int64_t rows = 0, cols = 0;

  // A CRS and a pixel size: the frame can be placed on a map.
  bool known() const { return !proj.empty() && dx > 0.0 && dy > 0.0 && rows > 0 && cols > 0; }
  double x_centre(std::int64_t col) const { return x0 + (static_cast<double>(col) + 0.5) * dx; }
  double y_centre(std::int64_t row) const { return y0 - (static_cast<double>(row) + 0.5) * dy; }
  // The grid of rows [row0, row0 + height) and columns [col0, col0 + width).
  Grid cropped(std::int64_t row0, std::int64_t col0, std::int64_t height, std::int64_t width) const;
  // The grid of k x k block means: the corner stays, pixels grow k times (k must divide rows and cols).
  Grid downsampled(std::int64_t k) const;
};

// The grid_* attributes of a known grid (none for an unknown one), and their inverse (nullopt when absent;
// DataError naming `what` and the attribute when malformed).
std::map<std::string, std::string> grid_attributes(const Grid& g);
std::optional<Grid> grid_from_attributes(const std::map<std::string, std::string>& attrs,
                                         const std::string& what);

// Snaps a corner coordinate read from rounded lon/lat to the nearest multiple of the pixel size, when it lies
// within a tenth of a pixel of one (ODIM corners are given to limited precision).
double snap_to_pixel(double v, double pixel);

}  // namespace convlstm::data
