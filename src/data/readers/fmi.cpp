// FMI's PGM composites, gzipped or plain, through data/pgm.hpp (zlib).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "data/pgm.hpp"
#include "data/readers/reader.hpp"

namespace convlstm::data::readers {

bool detect_fmi(Probe& p) {
  return pgm::is_pgm(p.path());
}

// FMI's gzipped PGM composites (docs/formats.md): uint8, dBZ = 0.5 v - 32, the
// maxval (255) no coverage, 0 no echo; time, pixel size and projection in '#' comments. The false origin of
// the SUOMI1 grid is not in the file: pysteps' values, which put the stated corners on the outer pixel
// corners.
RadarFrame read_fmi(const Request& q) {
  const std::string& path = q.path;
  const auto im = pgm::read(path, !q.with_values);
  std::map<std::string, std::string> meta;
  for (const auto& c : im.comments) {
    const auto sp = c.find(' ');
    if (sp != std::string::npos && !meta.count(c.substr(0, sp))) meta[c.substr(0, sp)] = c.substr(sp + 1);
  }
  RadarFrame fr = frame_of(path, "fmi");
  fr.quantity = Quantity::reflectivity;
  fr.grid_rows = im.height;
  fr.grid_cols = im.width;
  fr.source_quantity = meta.count("param") ? meta["param"] : "DBZH";
  const std::string obs = meta.count("obstime") ? meta["obstime"] : "";
  int Y, M, D, h, m;
  char tail;
  if (obs.size() != 12 || std::sscanf(obs.c_str(), "%4d%2d%2d%2d%2d%c", &Y, &M, &D, &h, &m, &tail) != 5)
    bad(path, "no obstime comment of the form YYYYMMDDHHMM (FMI PGM)");
  fr.time = timegm_utc(Y, M, D, h, m, 0);
  fr.pixel_x = meta.count("metersperpixel_x") ? std::atof(meta["metersperpixel_x"].c_str()) : 0.0;
  fr.pixel_y = meta.count("metersperpixel_y") ? std::atof(meta["metersperpixel_y"].c_str()) : 0.0;
  if (meta.count("projection_name") && meta["projection_name"] == "SUOMI1")
    fr.projdef =
        "+proj=stere +lon_0=25 +lat_0=90 +lat_ts=60 +a=6371288 +x_0=380886.310 +y_0=3395677.920 +no_defs";
  // That false origin puts the outer lower-left corner at (0, 0).
  if (!fr.projdef.empty() && fr.pixel_x > 0 && fr.pixel_y > 0) {
    fr.grid.proj = fr.projdef;
    fr.grid.dx = fr.pixel_x;
    fr.grid.dy = fr.pixel_y;
    fr.grid.y0 = static_cast<double>(im.height) * fr.pixel_y;
  }
  fr.region = resolve_region(path, q.region, fr.grid_rows, fr.grid_cols);
  if (!q.with_values) return fr;
  const auto& r = fr.region;
  fr.values.resize(static_cast<std::size_t>(r.height * r.width));
  fr.valid.resize(fr.values.size());
  for (std::int64_t y = 0; y < r.height; ++y)
    for (std::int64_t x = 0; x < r.width; ++x) {
      const int v = im.pixels[(r.y0 + y) * im.width + r.x0 + x];
      const std::int64_t i = y * r.width + x;
      fr.valid[i] = v != im.maxval;
      fr.values[i] = !fr.valid[i] ? 0.0f : v == 0 ? kDbzFloor : std::max(kDbzFloor, 0.5f * v - 32.0f);
    }
  return fr;
}

}  // namespace convlstm::data::readers
