#include "data/forecast_files.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>

#include "core/error.hpp"
#include "data/h5.hpp"
#include "data/netcdf.hpp"
#include "data/readers/reader.hpp"

namespace convlstm::data {

namespace {

// "seconds since 2010-08-26 07:35:00" (also with a T, a trailing Z or +00:00) -> seconds since 1970.
std::int64_t since_base(const std::string& units, const std::string& where) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const auto at = units.find("since");
  if (units.rfind("seconds", 0) != 0 || at == std::string::npos ||
      std::sscanf(units.c_str() + at + 5, " %d-%d-%d%*[ T]%d:%d:%d", &y, &mo, &d, &h, &mi, &s) < 3)
    throw DataError(where + ": time units '" + units + "', expected 'seconds since YYYY-MM-DD hh:mm:ss'");
  return readers::timegm_utc(y, mo, d, h, mi, s);
}

Quantity quantity_of_variable(const std::string& v) {
  return v == "reflectivity"   ? Quantity::reflectivity
         : v == "precip_accum" ? Quantity::accumulation
                               : Quantity::rain_rate;
}

std::vector<ForecastEntry> netcdf_index(const std::string& path) {
  const auto f = nc::File::open_read(path);
  ForecastEntry e;
  e.path = path;
  for (const char* v : {"precip_intensity", "precip_accum", "reflectivity"})
    if (f.has_var(v)) {
      e.variable = v;
      break;
    }
  if (e.variable.empty())
    throw DataError(path +
                    ": no precip_intensity, precip_accum or reflectivity variable (not a forecast in "
                    "pysteps' or convlstm's netCDF layout)");
  e.quantity = quantity_of_variable(e.variable);
  const auto dims = f.dims(e.variable);
  if (dims.size() != 3 && dims.size() != 4)
    throw DataError(path + ": variable " + e.variable + " has " + std::to_string(dims.size()) +
                    " dimensions, expected (time, y, x) or (ens_number, time, y, x)");
  e.members = dims.size() == 4 ? dims[0] : 1;
  e.height = dims[dims.size() - 2];
  e.width = dims[dims.size() - 1];
  const auto units = f.att_text("time", "units");
  if (!f.has_var("time") || !units) throw DataError(path + ": no time variable with units");
  const std::int64_t base = since_base(*units, path + ":time");
  const auto valid = f.read_doubles("time");
  if (static_cast<std::int64_t>(valid.size()) != dims[dims.size() - 3])
    throw DataError(path + ": time has " + std::to_string(valid.size()) + " values for " +
                    std::to_string(dims[dims.size() - 3]) + " lead times");
  e.analysis_time = base;
  if (f.has_var("forecast_reference_time")) {
    const auto ref_units = f.att_text("forecast_reference_time", "units").value_or(*units);
    e.analysis_time =
        since_base(ref_units, path + ":forecast_reference_time") +
        static_cast<std::int64_t>(std::llround(f.read_doubles("forecast_reference_time").at(0)));
  }
  for (double v : valid)
    e.lead_s.push_back(base + static_cast<std::int64_t>(std::llround(v)) - e.analysis_time);
  // The grid: cell centres in m or km, and the CRS.
  if (f.has_var("x") && f.has_var("y")) {
    auto x = f.read_doubles("x"), y = f.read_doubles("y");
    const double scale = f.att_text("x", "units").value_or("m") == "km" ? 1000.0 : 1.0;
    if (static_cast<std::int64_t>(x.size()) == e.width && static_cast<std::int64_t>(y.size()) == e.height &&
        e.width > 1 && e.height > 1) {
      for (auto& v : x) v *= scale;
      for (auto& v : y) v *= scale;
      e.south_first = y[1] > y[0];
      const auto proj = f.att_text("", "projection");
      Grid g;
      g.proj = proj.value_or("");
      g.dx = std::abs(x[1] - x[0]);
      g.dy = std::abs(y[1] - y[0]);
      g.x0 = std::min(x.front(), x.back()) - 0.5 * g.dx;
      g.y0 = std::max(y.front(), y.back()) + 0.5 * g.dy;
      g.rows = e.height;
      g.cols = e.width;
      e.grid = g;
    }
  }
  return {e};
}

std::vector<ForecastEntry> predictions_index(const std::string& path) {
  const auto f = h5::File::open_read(path);
  const auto root = f.root();
  if (root.attr_string_opt("format").value_or("") != "convlstm-predictions" || !f.has_dataset("/pred"))
    throw DataError(path + ": an HDF5 file that is not a convlstm predictions file (no /pred)");
  const auto pred = f.dataset("/pred");
  const auto dims = pred.dims();
  if (dims.size() != 4) throw DataError(path + ":/pred: expected [N, T_out, H, W] (one channel)");
  if (!f.has_dataset("/time") || !root.has_attr("lead_times_s"))
    throw DataError(path +
                    ": no /time or lead_times_s: the forecasts have no analysis times to match windows by");
  const auto lead = root.attr_doubles("lead_times_s");
  std::vector<std::int64_t> times(static_cast<std::size_t>(dims[0] * dims[1]));
  f.dataset("/time").read_all(times.data());
  std::map<std::string, std::string> attrs;
  for (const auto& name : root.attr_names())
    if (root.attr_is_string(name)) attrs[name] = root.attr_string(name);
  const auto grid = grid_from_attributes(attrs, path);
  const auto q = pred.attrs().attr_string_opt("quantity").value_or("rain_rate");
  std::vector<ForecastEntry> out;
  for (std::int64_t n = 0; n < dims[0]; ++n) {
    ForecastEntry e;
    e.path = path;
    e.netcdf = false;
    e.index = n;
    e.height = dims[2];
    e.width = dims[3];
    e.quantity = parse_quantity(q, path + ":/pred");
    for (double l : lead) e.lead_s.push_back(static_cast<std::int64_t>(std::llround(l)));
    if (e.lead_s.size() != static_cast<std::size_t>(dims[1]))
      throw DataError(path + ": lead_times_s has " + std::to_string(e.lead_s.size()) + " values for " +
                      std::to_string(dims[1]) + " leads");
    e.analysis_time = times[static_cast<std::size_t>(n * dims[1])] - e.lead_s[0];
    if (grid) e.grid = *grid;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

std::vector<ForecastEntry> read_forecast_index(const std::string& path) {
  if (nc::is_classic_netcdf(path)) return netcdf_index(path);
  if (!h5::is_hdf5(path))
    throw DataError(path +
                    ": neither netCDF nor HDF5 (a forecast in pysteps' netCDF layout, or convlstm's "
                    "netCDF or HDF5 forecast, expected)");
  // netCDF-4 files are HDF5 files too: convlstm's own predictions file says so by its format attribute.
  {
    const auto f = h5::File::open_read(path);
    if (f.root().attr_string_opt("format").value_or("") == "convlstm-predictions")
      return predictions_index(path);
  }
  return netcdf_index(path);
}

std::vector<float> read_forecast_values(const ForecastEntry& e) {
  const std::int64_t leads = static_cast<std::int64_t>(e.lead_s.size()), plane = e.height * e.width;
  std::vector<float> out(static_cast<std::size_t>(e.members * leads * plane));
  if (e.netcdf) {
    const auto f = nc::File::open_read(e.path);
    std::vector<std::int64_t> start{0, 0, 0}, count{leads, e.height, e.width};
    if (e.members > 1 || f.dims(e.variable).size() == 4) {
      start.insert(start.begin(), 0);
      count.insert(count.begin(), e.members);
    }
    f.read_floats(e.variable, start, count, out.data());
    if (e.south_first)
      for (std::int64_t p = 0; p < e.members * leads; ++p)
        for (std::int64_t r = 0; r < e.height / 2; ++r)
          std::swap_ranges(out.begin() + p * plane + r * e.width, out.begin() + p * plane + (r + 1) * e.width,
                           out.begin() + p * plane + (e.height - 1 - r) * e.width);
    // pysteps writes its missing values as NaN; a _FillValue is one too.
    const auto fill = f.att_doubles(e.variable, "_FillValue");
    if (fill && !fill->empty())
      for (auto& v : out)
        if (v == static_cast<float>((*fill)[0])) v = std::nanf("");
  } else {
    const auto f = h5::File::open_read(e.path);
    f.dataset("/pred").read({e.index, 0, 0, 0}, {1, leads, e.height, e.width}, out.data());
  }
  return out;
}

}  // namespace convlstm::data
