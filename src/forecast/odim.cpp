// ODIM_H5 forecasts (georeferenced.hpp).
#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "data/h5.hpp"
#include "data/units.hpp"
#include "forecast/georeferenced.hpp"
#include "forecast/partial.hpp"
#include "geo/crs.hpp"

namespace convlstm::forecast {

namespace {

void fixed(const data::h5::Group& grp, const std::string& k, const std::string& v) {
  grp.set_attr_fixed_string(k, v, false);
}

// The root's what, where (the grid and its corners' lon/lat) and how.
void write_header(const GeoForecast& f, const data::h5::Group& root) {
  const auto& g = f.field.grid;
  fixed(root, "Conventions", "ODIM_H5/V2_4");
  const auto what = root.create_group("what");
  fixed(what, "object", "COMP");
  fixed(what, "version", "H5rad 2.4");
  fixed(what, "date", format_utc(f.analysis_time, "%Y%m%d"));
  fixed(what, "time", format_utc(f.analysis_time, "%H%M%S"));
  fixed(what, "source", "ORG:convlstm,CMT:nowcast");
  const auto where = root.create_group("where");
  fixed(where, "projdef", g.proj);
  where.set_attr("xsize", g.cols);
  where.set_attr("ysize", g.rows);
  where.set_attr("xscale", g.dx);
  where.set_attr("yscale", g.dy);
  const double x1 = g.x0 + static_cast<double>(g.cols) * g.dx, y1 = g.y0 - static_cast<double>(g.rows) * g.dy;
  const std::vector<std::pair<std::string, geo::Point>> corners{
      {"LL", {g.x0, y1}}, {"UL", {g.x0, g.y0}}, {"UR", {x1, g.y0}}, {"LR", {x1, y1}}};
  for (const auto& [name, xy] : corners) {
    const auto ll = geo::lonlat(g.proj, xy.x, xy.y);
    where.set_attr(name + "_lon", ll.x);
    where.set_attr(name + "_lat", ll.y);
  }
  const auto how = root.create_group("how");
  fixed(how, "software", "convlstm");
  fixed(how, "sw_version", f.software_version);
  fixed(how, "simulated", "True");
  fixed(how, "task", "nowcast:convlstm");
  fixed(how, "comment", f.source);
  if (f.zr_a > 0) {
    how.set_attr("zr_a", f.zr_a);
    how.set_attr("zr_b", f.zr_b);
  }
  if (!f.lead_s.empty()) {
    how.set_attr("nowcast_timestep", static_cast<double>(f.lead_s[0]) / 60.0);
    how.set_attr("num_timesteps", static_cast<std::int64_t>(f.lead_s.size()));
    how.set_attr("max_leadtime", static_cast<double>(f.lead_s.back()) / 60.0);
  }
}

// Lead k as /dataset<number>: its valid time and its field, packed (RATE uint16, gain 0.01; DBZH uint8, gain
// 0.5, offset -32; nodata outside the coverage, undetect where there is no echo).
void write_lead(const GeoForecast& f, std::size_t k, std::size_t number, data::h5::File& file) {
  const auto& g = f.field.grid;
  const bool dbz = f.field.quantity == data::Quantity::reflectivity;
  const auto root = file.root();
  const std::string ds = "dataset" + std::to_string(number);
  const auto dwhat = root.create_group(ds + "/what");
  fixed(dwhat, "product", "COMP");
  fixed(dwhat, "prodname", "nowcast +" + std::to_string(f.lead_s[k] / 60) + " min");
  const std::int64_t valid = f.analysis_time + f.lead_s[k];
  for (const char* side : {"start", "end"}) {
    fixed(dwhat, std::string(side) + "date", format_utc(valid, "%Y%m%d"));
    fixed(dwhat, std::string(side) + "time", format_utc(valid, "%H%M%S"));
  }
  fixed(root.create_group(ds + "/how"), "simulated", "True");
  const double gain = dbz ? 0.5 : 0.01, offset = dbz ? -32.0 : 0.0, nodata = dbz ? 255.0 : 65535.0;
  const auto qwhat = root.create_group(ds + "/data1/what");
  fixed(qwhat, "quantity", dbz ? "DBZH" : "RATE");
  qwhat.set_attr("gain", gain);
  qwhat.set_attr("offset", offset);
  qwhat.set_attr("nodata", nodata);
  qwhat.set_attr("undetect", 0.0);
  const std::int64_t n = g.rows * g.cols;
  std::vector<float> packed(static_cast<std::size_t>(n));
  const float* v = f.values.data() + static_cast<std::int64_t>(k) * n;
  for (std::int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(v[i])) {
      packed[i] = static_cast<float>(nodata);
    } else if (dbz ? v[i] <= data::kDbzFloor : v[i] <= 0.0f) {
      packed[i] = 0.0f;  // undetect: no echo
    } else {             // below half the packing step: no echo (undetect), as the product's resolution says
      const double raw = std::round((v[i] - offset) / gain);
      packed[i] = static_cast<float>(std::min(std::max(raw, 0.0), nodata - 1.0));
    }
  }
  const std::int64_t crow = std::min<std::int64_t>(g.rows, 256), ccol = std::min<std::int64_t>(g.cols, 256);
  auto image =
      file.create_dataset("/" + ds + "/data1/data", dbz ? data::h5::Scalar::uint8 : data::h5::Scalar::uint16,
                          {g.rows, g.cols}, {crow, ccol}, false, 6);
  fixed(image.attrs(), "CLASS", "IMAGE");
  fixed(image.attrs(), "IMAGE_VERSION", "1.2");
  image.write({0, 0}, {g.rows, g.cols}, packed.data());
}

// Writes one ODIM file holding the leads [first, last).
void write_odim_file(const GeoForecast& f, const std::string& path, std::size_t first, std::size_t last) {
  Partial out(path);
  auto file = data::h5::File::create(out.tmp());
  write_header(f, file.root());
  for (std::size_t k = first; k < last; ++k) write_lead(f, k, k - first + 1, file);
  file.flush();
  file.close();
  out.commit();
}

}  // namespace

std::vector<std::string> write_odim_forecast(const GeoForecast& f, const std::string& path,
                                             bool one_file_per_lead) {
  check_georeferenced(f, path);
  std::vector<std::string> written;
  if (!one_file_per_lead) {
    write_odim_file(f, path, 0, f.lead_s.size());
    written.push_back(path);
    return written;
  }
  for (std::size_t k = 0; k < f.lead_s.size(); ++k) {
    char lead[24];
    std::snprintf(lead, sizeof lead, "%03lld", static_cast<long long>(f.lead_s[k] / 60));
    const std::string p = path + "_" + lead + ".h5";
    write_odim_file(f, p, k, k + 1);
    written.push_back(p);
  }
  return written;
}

}  // namespace convlstm::forecast
