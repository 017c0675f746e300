// ODIM_H5 Cartesian composites (OPERA ODYSSEY, CIRRUS, NIMBUS): what/where attributes merged from the root
// down to the data level (lower overrides higher); RATE, ACRR (turned into a mean rate) and DBZH/TH; gain,
// offset, nodata (masked) and undetect (no echo) wherever they are stored; the grid from UL_lon/UL_lat
// projected with projdef and snapped to the pixel.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "data/readers/reader.hpp"
#include "geo/crs.hpp"

namespace convlstm::data::readers {

namespace {

// The merged what/where attributes of one ODIM data group: numbers and strings by name.
struct Attrs {
  std::map<std::string, double> num;
  std::map<std::string, std::string> str;

  void merge(const h5::Group& parent, const std::string& group) {
    if (!parent.has(group)) return;
    const auto g = parent.group(group);
    for (const auto& name : g.attr_names()) {
      if (g.attr_is_string(name)) {
        str[name] = g.attr_string(name);
      } else {
        const auto v = g.attr_doubles(name);
        if (v.size() == 1) num[name] = v[0];
      }
    }
  }
  std::optional<double> number(const std::string& k) const {
    const auto it = num.find(k);
    return it == num.end() ? std::nullopt : std::optional<double>(it->second);
  }
  std::string string(const std::string& k) const {
    const auto it = str.find(k);
    return it == str.end() ? "" : it->second;
  }
};

// The members prefix1, prefix2, ... in numeric order. The number is compared as a digit string (shorter is
// smaller once leading zeros are gone), so a name with any number of digits sorts without overflowing.
std::vector<std::string> numbered(const h5::Group& g, const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> found;  // (digits without leading zeros, name)
  for (const auto& m : g.members()) {
    if (m.rfind(prefix, 0) != 0 || m.size() == prefix.size()) continue;
    const std::string digits = m.substr(prefix.size());
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    found.push_back({digits.substr(std::min(digits.find_first_not_of('0'), digits.size())), m});
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a < b;
  });
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(f.second);
  return out;
}

}  // namespace

bool detect_odim(Probe& p) {
  const auto* root = p.hdf5_root();
  if (!root || !root->has_attr("Conventions")) return false;
  return root->attr_string("Conventions").rfind("ODIM_H5/", 0) == 0;
}

namespace {

// The data group chosen: datasetN/dataM whose merged quantity is the one asked for (RATE, ACRR or DBZH), with
// its what/where attributes merged from the root down.
struct DataGroup {
  std::string path;  // "/datasetN/dataM/data"
  Attrs attrs;
};

DataGroup find_data_group(const std::string& path, const h5::Group& root, const Attrs& top,
                          const std::string& wanted) {
  static const std::vector<std::string> supported{"RATE", "ACRR", "DBZH", "TH"};
  DataGroup chosen;
  std::vector<std::string> seen;
  for (const auto& dsname : numbered(root, "dataset")) {
    const auto dsg = root.group(dsname);
    for (const auto& dname : numbered(dsg, "data")) {
      Attrs a = top;
      a.merge(root, dsname + "/what");
      a.merge(root, dsname + "/where");
      a.merge(dsg, dname + "/what");
      const std::string found = a.string("quantity");
      seen.push_back(found.empty() ? "(none)" : found);
      const bool match = wanted.empty()
                             ? std::find(supported.begin(), supported.end(), found) != supported.end()
                             : found == wanted;
      if (match && chosen.path.empty()) chosen = {"/" + dsname + "/" + dname + "/data", a};
    }
  }
  if (chosen.path.empty()) {
    std::string list;
    for (const auto& s : seen) list += (list.empty() ? "" : ", ") + s;
    bad(path, "no " + (wanted.empty() ? std::string("RATE, ACRR or DBZH") : wanted) +
                  " data (quantities found: " + (list.empty() ? "none" : list) + ")");
  }
  return chosen;
}

// The nominal time, and an ACRR's accumulation window.
void read_times(const std::string& path, const Attrs& top, const DataGroup& d, RadarFrame& fr) {
  const std::string date = top.string("date"), time = top.string("time");
  if (date.empty() || time.empty()) bad(path + ":/what", "missing date or time attribute");
  fr.time = parsed(path + ":/what", [&] { return parse_odim_time(date, time); });
  if (fr.source_quantity != "ACRR") return;
  const auto s = d.attrs.string("startdate"), st = d.attrs.string("starttime");
  const auto e = d.attrs.string("enddate"), et = d.attrs.string("endtime");
  if (s.empty() || st.empty() || e.empty() || et.empty())
    bad(path + ":" + d.path, "ACRR without startdate/starttime/enddate/endtime");
  fr.accumulation_min =
      parsed(path + ":" + d.path, [&] { return parse_odim_time(e, et) - parse_odim_time(s, st); }) / 60.0;
  if (fr.accumulation_min <= 0) bad(path + ":" + d.path, "ACRR accumulation window is empty");
}

// The grid: the upper-left corner's lon/lat projected with projdef, snapped to the pixel grid
// (docs/formats.md: corners are rounded differently by each producer).
void read_grid(const Attrs& a, RadarFrame& fr) {
  fr.projdef = a.string("projdef");
  while (!fr.projdef.empty() && fr.projdef.back() == ' ') fr.projdef.pop_back();
  fr.pixel_x = a.number("xscale").value_or(0.0);
  fr.pixel_y = a.number("yscale").value_or(0.0);
  const auto ul_lon = a.number("UL_lon"), ul_lat = a.number("UL_lat");
  if (fr.projdef.empty() || fr.pixel_x <= 0 || fr.pixel_y <= 0 || !ul_lon || !ul_lat) return;
  try {
    const auto ul = geo::project(fr.projdef, *ul_lon, *ul_lat);
    fr.grid.proj = fr.projdef;
    fr.grid.dx = fr.pixel_x;
    fr.grid.dy = fr.pixel_y;
    fr.grid.x0 = snap_to_pixel(ul.x, fr.pixel_x);
    fr.grid.y0 = snap_to_pixel(ul.y, fr.pixel_y);
  } catch (const DataError&) {
    fr.grid = Grid{};  // a projdef GDAL cannot read: the frame has no georeference
  }
}

// The region's values: nodata and NaN unobserved, undetect observed and dry, the rest calibrated (an ACRR
// turned into a mean rate).
void decode_values(const std::string& path, const DataGroup& d, const h5::Dataset& ds, RadarFrame& fr) {
  const double gain = d.attrs.number("gain").value_or(1.0), offset = d.attrs.number("offset").value_or(0.0);
  if (gain == 0.0 || !std::isfinite(gain)) bad(path + ":" + d.path, "gain must be finite and non-zero");
  if (!std::isfinite(offset)) bad(path + ":" + d.path, "offset must be finite");
  const auto nodata = d.attrs.number("nodata"), undetect = d.attrs.number("undetect");
  const float nd = nodata ? static_cast<float>(*nodata) : 0.0f,
              ud = undetect ? static_cast<float>(*undetect) : 0.0f;
  const std::int64_t n = fr.region.height * fr.region.width;
  fr.values.resize(static_cast<std::size_t>(n));
  fr.valid.resize(static_cast<std::size_t>(n));
  ds.read({fr.region.y0, fr.region.x0}, {fr.region.height, fr.region.width}, fr.values.data());
  const double to_rate = fr.source_quantity == "ACRR" ? 60.0 / fr.accumulation_min : 1.0;
  for (std::int64_t i = 0; i < n; ++i) {
    const float raw = fr.values[i];
    if ((nodata && raw == nd) || !std::isfinite(raw)) {
      fr.values[i] = 0.0f;
      fr.valid[i] = 0;
      continue;
    }
    fr.valid[i] = 1;
    if (undetect && raw == ud) {
      fr.values[i] = dry_value(fr.quantity);
      continue;
    }
    const float v = calibrated(ds.where(), (offset + gain * raw) * to_rate, raw);
    fr.values[i] = fr.quantity == Quantity::reflectivity ? std::max(kDbzFloor, v) : std::max(0.0f, v);
  }
}

}  // namespace

RadarFrame read_odim(const Request& q) {
  const std::string& path = q.path;
  auto f = h5::File::open_read(path);
  const auto root = f.root();
  RadarFrame fr = frame_of(path, "odim");
  Attrs top;
  top.merge(root, "what");
  top.merge(root, "where");
  const std::string object = top.string("object");
  if (!object.empty() && object != "COMP" && object != "IMAGE" && object != "CVOL")
    bad(path + ":/what@object", "'" + object + "' is not a Cartesian product (expected COMP or IMAGE)");
  const auto data = find_data_group(path, root, top, q.quantity);
  fr.source_quantity = data.attrs.string("quantity");
  fr.quantity = fr.source_quantity == "DBZH" || fr.source_quantity == "TH" ? Quantity::reflectivity
                                                                           : Quantity::rain_rate;
  read_times(path, top, data, fr);
  read_grid(data.attrs, fr);
  auto ds = f.dataset(data.path);
  if (ds.dims().size() != 2) bad(ds.where(), "expected a 2-D Cartesian image");
  fr.grid_rows = ds.dims()[0];
  fr.grid_cols = ds.dims()[1];
  if (fr.grid_rows < 1 || fr.grid_cols < 1) bad(ds.where(), "empty image");
  const auto xsize = data.attrs.number("xsize"), ysize = data.attrs.number("ysize");
  if ((xsize && *xsize != fr.grid_cols) || (ysize && *ysize != fr.grid_rows))
    bad(ds.where(), "shape does not match where@xsize/ysize");
  fr.region = resolve_region(path, q.region, fr.grid_rows, fr.grid_cols);
  if (q.with_values) decode_values(path, data, ds, fr);
  return fr;
}

}  // namespace convlstm::data::readers

namespace convlstm::data {

std::int64_t parse_odim_time(const std::string& date, const std::string& time) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (date.size() != 8 || time.size() < 4 || std::sscanf(date.c_str(), "%4d%2d%2d", &y, &mo, &d) != 3 ||
      std::sscanf(time.c_str(), "%2d%2d%2d", &h, &mi, &sec) < 2 || mo < 1 || mo > 12 || d < 1 || d > 31)
    throw DataError("ODIM time '" + date + "' '" + time + "': expected YYYYMMDD and HHmmss");
  return readers::timegm_utc(y, mo, d, h, mi, sec);
}

}  // namespace convlstm::data
