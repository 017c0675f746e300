// Cloud-optimised GeoTIFF forecasts (georeferenced.hpp), one file per lead, through geo/cog.hpp (GDAL).
#include <cstdio>

#include "core/error.hpp"
#include "forecast/georeferenced.hpp"
#include "forecast/partial.hpp"
#include "geo/cog.hpp"

namespace convlstm::forecast {

namespace {

// Lead k's raster: the field (one band per member of an ensemble), or with `probabilities` one band per
// threshold.
void write_lead(const GeoForecast& f, std::size_t k, const std::string& path, bool probabilities) {
  const auto& g = f.field.grid;
  const bool dbz = f.field.quantity == data::Quantity::reflectivity;
  const std::int64_t valid = f.analysis_time + f.lead_s[k];
  geo::CogImage image;
  image.rows = g.rows;
  image.cols = g.cols;
  const double transform[6] = {g.x0, g.dx, 0.0, g.y0, 0.0, -g.dy};
  std::copy(transform, transform + 6, image.transform);
  image.wkt = g.wkt;
  image.metadata = {{"TIFFTAG_DATETIME", format_utc(valid, "%Y:%m:%d %H:%M:%S")},
                    {"TIFFTAG_SOFTWARE", "convlstm " + f.software_version},
                    {"forecast_reference_time", format_utc(f.analysis_time, "%Y-%m-%dT%H:%M:%SZ")},
                    {"valid_time", format_utc(valid, "%Y-%m-%dT%H:%M:%SZ")},
                    {"lead_time_minutes", std::to_string(f.lead_s[k] / 60)},
                    {"quantity", data::to_string(f.field.quantity)},
                    {"units", dbz ? "dBZ" : "mm/h"},
                    {"proj4", g.proj},
                    {"source", f.source}};
  const std::string unit = dbz ? "dBZ" : "mm/h";
  const std::int64_t plane = g.rows * g.cols, leads = static_cast<std::int64_t>(f.lead_s.size());
  const auto kk = static_cast<std::int64_t>(k);
  if (probabilities) {
    std::string list;
    for (std::size_t p = 0; p < f.thresholds.size(); ++p) {
      char name[64];
      std::snprintf(name, sizeof name, ">= %g %s", f.thresholds[p], unit.c_str());
      image.bands.push_back(
          {"1", name, f.probabilities.data() + (static_cast<std::int64_t>(p) * leads + kk) * plane});
      list += (list.empty() ? "" : ",") + std::to_string(f.thresholds[p]);
    }
    image.metadata["thresholds"] = list;
    image.metadata["quantity"] = "probability_of_exceedance";
  } else {
    for (std::int64_t m = 0; m < f.members; ++m)
      image.bands.push_back({unit,
                             f.members > 1 ? "member_" + std::to_string(m)
                                           : std::string(dbz ? "reflectivity" : "precip_intensity"),
                             f.values.data() + (m * leads + kk) * plane});
    if (f.members > 1) image.metadata["members"] = std::to_string(f.members);
  }
  Partial out(path);
  geo::write_cog(out.tmp(), image);
  out.commit();
}

}  // namespace

std::vector<std::string> write_cog_forecast(const GeoForecast& f, const std::string& prefix) {
  check_georeferenced(f, prefix);
  if (f.field.grid.wkt.empty())
    throw UsageError(prefix + ": the grid's CRS has no WKT, which a GeoTIFF needs");
  std::vector<std::string> written;
  for (std::size_t k = 0; k < f.lead_s.size(); ++k) {
    char lead[24];
    std::snprintf(lead, sizeof lead, "%03lld", static_cast<long long>(f.lead_s[k] / 60));
    const std::string path = prefix + "_" + utc_stamp(f.analysis_time) + "_" + lead;
    write_lead(f, k, path + ".tif", false);
    written.push_back(path + ".tif");
    if (!f.thresholds.empty()) {
      write_lead(f, k, path + "_prob.tif", true);
      written.push_back(path + "_prob.tif");
    }
  }
  return written;
}

}  // namespace convlstm::forecast
