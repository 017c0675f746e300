// The table of forecast writers, and the sink that turns the georeferenced ones' single forecast into a
// GeoForecast.
#include <functional>

#include "core/enum_names.hpp"
#include "core/error.hpp"
#include "forecast/georeferenced.hpp"
#include "forecast/writer.hpp"

namespace convlstm::forecast {

const std::vector<Format>& formats() {
  static const std::vector<Format> rows = {
      {"hdf5", "convlstm's predictions file (every window, the truth, the last input)", ".h5", false,
       open_hdf5},
      {"odim", "ODIM_H5 composite, one dataset per lead or one file per lead", "", true, open_odim},
      {"netcdf", "netCDF-4 CF-1.8 with its grid mapping (xarray, QGIS, pysteps)", ".nc", true, open_netcdf},
      {"geotiff", "cloud-optimised GeoTIFF, one file per lead", ".tif .tiff", true, open_geotiff},
  };
  return rows;
}

const Format& format_named(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& f : formats()) {
    if (name == f.name) return f;
    names.push_back(f.name);
  }
  throw UsageError("predict --format '" + name + "': expected " + one_of(names));
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Calls f on each suffix of the table.
void each_suffix(const std::function<void(const Format&, const std::string&)>& f) {
  for (const auto& row : formats()) {
    std::string all = row.suffixes;
    for (std::size_t at = 0; at < all.size();) {
      const std::size_t end = std::min(all.find(' ', at), all.size());
      f(row, all.substr(at, end - at));
      at = end + 1;
    }
  }
}

}  // namespace

const Format& format_for(const std::string& option, const std::string& path) {
  if (!option.empty()) return format_named(option);
  const Format* found = &formats().front();
  each_suffix([&](const Format& row, const std::string& suffix) {
    if (ends_with(path, suffix)) found = &row;
  });
  return *found;
}

std::string stem(const std::string& path) {
  std::string out = path;
  each_suffix([&](const Format&, const std::string& suffix) {
    if (out == path && ends_with(path, suffix)) out = path.substr(0, path.size() - suffix.size());
  });
  return out;
}

namespace {

// The georeferenced writers take one forecast; it is checked against the header before any forecast is made
// (a grid without georeference fails fast) and written at commit.
class GeoSink : public Sink {
 public:
  using Write = std::function<std::vector<std::string>(const GeoForecast&)>;
  GeoSink(const Header& h, const std::string& path, Write write) : write_(std::move(write)) {
    if (h.count != 1)
      throw UsageError(path +
                       ": writes one forecast (from the last frames), not --all-windows; use the HDF5 "
                       "output");
    f_.field = h.field;
    f_.lead_s = h.lead_s;
    f_.analysis_time = h.analysis_time;
    f_.source = "convlstm predict, checkpoint " + h.checkpoint;
    f_.software_version = h.software_version;
    f_.zr_a = h.zr_a;
    f_.zr_b = h.zr_b;
    f_.members = h.members;
    f_.thresholds = h.thresholds;
    check_georeferenced(f_, path);
    size_ = h.t_out * h.channels * h.height * h.width;
  }
  void add(const Case& c) override {
    f_.analysis_time = c.analysis_time;
    f_.values.assign(c.pred, c.pred + f_.members * size_);
    if (c.probability)
      f_.probabilities.assign(c.probability,
                              c.probability + static_cast<std::int64_t>(f_.thresholds.size()) * size_);
  }
  std::vector<std::string> commit() override { return write_(f_); }

 private:
  Write write_;
  GeoForecast f_;
  std::int64_t size_ = 0;
};

}  // namespace

std::unique_ptr<Sink> open_odim(const Header& h, const std::string& path, const Options& o) {
  if (h.members > 1 || !h.thresholds.empty())
    throw UsageError(path +
                     ": ODIM_H5 has no ensemble or probability layout its readers share; write members and "
                     "probabilities as netCDF (--format netcdf) or GeoTIFF (--format geotiff)");
  if (!o.one_file_per_lead)
    return std::make_unique<GeoSink>(
        h, path, [path](const GeoForecast& f) { return write_odim_forecast(f, path, false); });
  const std::string prefix = stem(path);
  return std::make_unique<GeoSink>(
      h, path, [prefix](const GeoForecast& f) { return write_odim_forecast(f, prefix, true); });
}

std::unique_ptr<Sink> open_netcdf(const Header& h, const std::string& path, const Options&) {
  return std::make_unique<GeoSink>(h, path, [path](const GeoForecast& f) {
    write_cf_forecast(f, path);
    return std::vector<std::string>{path};
  });
}

std::unique_ptr<Sink> open_geotiff(const Header& h, const std::string& path, const Options&) {
  const std::string prefix = stem(path);
  return std::make_unique<GeoSink>(h, path,
                                   [prefix](const GeoForecast& f) { return write_cog_forecast(f, prefix); });
}

}  // namespace convlstm::forecast
