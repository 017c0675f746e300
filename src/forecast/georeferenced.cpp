// What the georeferenced writers share: the check, the UTC stamps.
#include "forecast/georeferenced.hpp"

#include <ctime>

#include "core/error.hpp"

namespace convlstm::forecast {

std::string format_utc(std::int64_t t, const char* format) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string utc_stamp(std::int64_t t) {
  return format_utc(t, "%Y%m%d%H%M");
}

void check_georeferenced(const GeoForecast& f, const std::string& what) {
  if (!f.field.grid.known())
    throw UsageError(what + ": the forecast has no georeference (its data gave no CRS, corner and pixel " +
                     "size); write the convlstm HDF5 forecast instead");
  if (f.analysis_time <= 0 || f.lead_s.empty())
    throw UsageError(what + ": the forecast has no analysis time or lead times (inputs without times)");
  if (f.field.quantity != data::Quantity::rain_rate && f.field.quantity != data::Quantity::reflectivity)
    throw UsageError(what + ": quantity " + data::to_string(f.field.quantity) +
                     " has no ODIM or CF name (expected rain_rate or " + "reflectivity)");
}

}  // namespace convlstm::forecast
