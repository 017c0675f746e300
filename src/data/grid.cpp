#include "data/grid.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/error.hpp"

namespace convlstm::data {

Grid Grid::cropped(std::int64_t row0, std::int64_t col0, std::int64_t height, std::int64_t width) const {
  CONVLSTM_CHECK(
      row0 >= 0 && col0 >= 0 && height > 0 && width > 0 && row0 + height <= rows && col0 + width <= cols,
      "crop " << row0 << "," << col0 << "," << height << "," << width << " outside the grid " << rows << "x"
              << cols);
  Grid g = *this;
  g.x0 = x0 + static_cast<double>(col0) * dx;
  g.y0 = y0 - static_cast<double>(row0) * dy;
  g.rows = height;
  g.cols = width;
  return g;
}

Grid Grid::downsampled(std::int64_t k) const {
  CONVLSTM_CHECK(k >= 1 && rows % k == 0 && cols % k == 0,
                 "downsample " << k << " does not divide the grid " << rows << "x" << cols);
  Grid g = *this;
  g.dx = dx * static_cast<double>(k);
  g.dy = dy * static_cast<double>(k);
  g.rows = rows / k;
  g.cols = cols / k;
  return g;
}

namespace {

std::string pair_str(double a, double b) {
  std::ostringstream os;
  os.precision(15);
  os << a << "," << b;
  return os.str();
}

}  // namespace

std::map<std::string, std::string> grid_attributes(const Grid& g) {
  if (!g.known()) return {};
  return {{"grid_proj", g.proj},
          {"grid_wkt", g.wkt},
          {"grid_corner", pair_str(g.x0, g.y0)},
          {"grid_pixel", pair_str(g.dx, g.dy)},
          {"grid_shape", std::to_string(g.rows) + "," + std::to_string(g.cols)}};
}

std::optional<Grid> grid_from_attributes(const std::map<std::string, std::string>& a,
                                         const std::string& what) {
  const auto proj = a.find("grid_proj");
  if (proj == a.end()) return std::nullopt;
  auto get = [&](const char* key) {
    const auto it = a.find(key);
    if (it == a.end()) throw DataError(what + ": grid_proj without " + key);
    return it->second;
  };
  Grid g;
  g.proj = proj->second;
  const auto wkt = a.find("grid_wkt");
  if (wkt != a.end()) g.wkt = wkt->second;
  const auto corner = get("grid_corner"), pixel = get("grid_pixel"), shape = get("grid_shape");
  long long rows = 0, cols = 0;
  if (std::sscanf(corner.c_str(), "%lf,%lf", &g.x0, &g.y0) != 2 ||
      std::sscanf(pixel.c_str(), "%lf,%lf", &g.dx, &g.dy) != 2 ||
      std::sscanf(shape.c_str(), "%lld,%lld", &rows, &cols) != 2 || !std::isfinite(g.x0) ||
      !std::isfinite(g.y0) || !(g.dx > 0) || !(g.dy > 0) || rows < 1 || cols < 1)
    throw DataError(what + ": grid attributes '" + corner + "' / '" + pixel + "' / '" + shape +
                    "': expected grid_corner x0,y0, grid_pixel dx,dy > 0 and grid_shape rows,cols");
  g.rows = rows;
  g.cols = cols;
  return g;
}

double snap_to_pixel(double v, double pixel) {
  if (!(pixel > 0)) return v;
  const double n = std::round(v / pixel);
  return std::abs(v - n * pixel) <= 0.1 * pixel ? n * pixel : v;
}

}  // namespace convlstm::data
