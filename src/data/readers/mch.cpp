// MeteoSwiss AQC GIF through GDAL (geo/raster.hpp).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "data/readers/reader.hpp"

namespace convlstm::data::readers {

bool detect_mch(Probe& p) {
  return p.starts_with("GIF87a") || p.starts_with("GIF89a");
}

// MeteoSwiss AQC GIF (docs/formats.md): palette indices, pysteps' look-up table to mm per 5 minutes
// (here as a mean rate in mm/h), 255 no coverage; the time from the file name AQC{yy}{DDD}{HHMM}...; the CCS4
// grid (EPSG:21781), which the file does not hold, as pysteps gives it.
RadarFrame read_mch(const Request& q) {
  const std::string& path = q.path;
  RadarFrame fr = frame_of(path, "mch");
  fr.source_quantity = "AQC";
  const auto slash = path.rfind('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  int yy = 0, doy = 0, hh = 0, mm = 0;
  if (name.size() < 12 || name.compare(0, 3, "AQC") != 0 ||
      std::sscanf(name.c_str() + 3, "%2d%3d%2d%2d", &yy, &doy, &hh, &mm) != 4 || doy < 1 || doy > 366)
    bad(path, "not named AQC{yy}{day of year}{HHMM}... (MeteoSwiss AQC GIF): its time is in the name only");
  fr.time = timegm_utc(2000 + yy, 1, 1, hh, mm, 0) + static_cast<std::int64_t>(doy - 1) * 86400;
  fr.accumulation_min = 5;
  const auto r = raster_region(q, fr);
  if (r.driver != "GIF") bad(path, "not a GIF image (MeteoSwiss AQC)");
  fr.pixel_x = fr.pixel_y = 1000.0;
  fr.projdef =
      "+proj=somerc +lon_0=7.43958333333333 +lat_0=46.9524055555556 +k_0=1 +x_0=600000 +y_0=200000 "
      "+ellps=bessel +towgs84=674.374,15.056,405.346,0,0,0,0 +units=m +no_defs";
  if (fr.grid_rows == 640 && fr.grid_cols == 710) {
    fr.grid.proj = fr.projdef;
    fr.grid.dx = fr.grid.dy = 1000.0;
    fr.grid.x0 = 255000.0;
    fr.grid.y0 = 480000.0;
  }
  if (!q.with_values) return fr;
  fr.values.resize(r.values.size());
  fr.valid.resize(r.values.size());
  for (std::size_t i = 0; i < r.values.size(); ++i) {
    const int v = static_cast<int>(r.values[i]);
    fr.valid[i] = v != 255;
    const bool dry = v < 2 || (v >= 251 && v <= 254) || v == 255;
    const double mm5 = dry ? 0.0 : std::pow(std::pow(10.0, (v - 71.5) / 20.0) / 316.0, 1.0 / 1.5);
    fr.values[i] = static_cast<float>(mm5 * 12.0);  // mm in 5 minutes -> mm/h
  }
  return fr;
}

}  // namespace convlstm::data::readers
