// Single-band GeoTIFF (classic or BigTIFF) through GDAL (geo/raster.hpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "data/readers/reader.hpp"

namespace convlstm::data::readers {

namespace {

// Seconds since 1970 of "YYYY-MM-DDTHH:MM:SSZ" or TIFF's "YYYY:MM:DD HH:MM:SS"; nullopt for another form.
std::optional<std::int64_t> parse_iso_or_tiff_time(const std::string& s) {
  int Y, M, D, h, m, sec;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &Y, &M, &D, &h, &m, &sec) == 6 ||
      std::sscanf(s.c_str(), "%4d:%2d:%2d %2d:%2d:%2d", &Y, &M, &D, &h, &m, &sec) == 6)
    return timegm_utc(Y, M, D, h, m, sec);
  return std::nullopt;
}

// XML's five entities, once.
std::string unescaped(std::string s) {
  static const std::pair<const char*, char> entities[] = {
      {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}, {"&amp;", '&'}};
  for (const auto& [name, ch] : entities) {
    const std::string n(name);
    for (auto at = s.find(n); at != std::string::npos; at = s.find(n, at + 1)) s.replace(at, n.size(), 1, ch);
  }
  return s;
}

// One <Item name="..." attributes>value</Item> of GDAL's metadata XML.
struct MetaItem {
  std::string attributes, value;
};

// The items nested in metadata values (FMI's GeoTIFF keeps its calibration in one metadata item whose value
// is itself escaped GDAL metadata XML, escaped once more in the file): every <Item name="N" ...>V</Item>
// found in any value, unescaped up to three times, by name; the plain items too.
std::map<std::string, MetaItem> nested_items(const std::map<std::string, std::string>& metadata) {
  std::map<std::string, MetaItem> items;
  for (const auto& [key, raw] : metadata) {
    items.emplace(key, MetaItem{"", raw});
    std::string text = raw;
    for (int pass = 0; pass < 3; ++pass, text = unescaped(text)) {
      for (auto at = text.find("<Item name=\""); at != std::string::npos;
           at = text.find("<Item name=\"", at + 1)) {
        const auto name_end = text.find('"', at + 12), open_end = text.find('>', at);
        const auto close = text.find("</Item>", open_end);
        if (name_end == std::string::npos || open_end == std::string::npos || close == std::string::npos)
          break;
        const std::string value = text.substr(open_end + 1, close - open_end - 1);
        if (value.find('<') != std::string::npos) continue;  // a container of further items
        items[text.substr(at + 12, name_end - at - 12)] =
            MetaItem{text.substr(name_end + 1, open_end - name_end - 1), value};
      }
    }
  }
  return items;
}

// FMI's calibration items (Gain, Offset, Nodata, Undetect), when the file has them.
struct Calibration {
  double gain = 1.0, offset = 0.0;
  std::optional<double> nodata, undetect;
};

std::optional<Calibration> calibration_of(const std::map<std::string, MetaItem>& items,
                                          const std::string& path) {
  if (!items.count("Gain") && !items.count("Offset")) return std::nullopt;
  auto number = [&](const char* name) -> std::optional<double> {
    const auto it = items.find(name);
    if (it == items.end()) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(it->second.value.c_str(), &end);
    if (end == it->second.value.c_str() || !std::isfinite(v))
      bad(path, std::string("metadata item ") + name + " '" + it->second.value + "' is not a number");
    return v;
  };
  Calibration c;
  c.gain = number("Gain").value_or(1.0);
  c.offset = number("Offset").value_or(0.0);
  c.nodata = number("Nodata");
  c.undetect = number("Undetect");
  if (c.gain == 0.0) bad(path, "metadata item Gain is 0");
  return c;
}

// FMI's "Observation time" item, YYYYMMDDhhmm (or with seconds).
std::optional<std::int64_t> observation_time(const std::map<std::string, MetaItem>& items) {
  const auto it = items.find("Observation time");
  if (it == items.end()) return std::nullopt;
  int Y, M, D, h, m, sec = 0;
  const auto& v = it->second.value;
  if (std::sscanf(v.c_str(), "%4d%2d%2d%2d%2d%2d", &Y, &M, &D, &h, &m, &sec) < 5) return std::nullopt;
  return timegm_utc(Y, M, D, h, m, sec);
}

}  // namespace

bool detect_geotiff(Probe& p) {
  for (const char* magic : {"II*\0", "MM\0*", "II+\0", "MM\0+"})
    if (p.starts_with(std::string(magic, 4))) return true;
  return false;
}

// Any single-band, north-up GeoTIFF with a CRS: mm/h (band unit mm/h, mm h-1, or none) or dBZ; the declared
// nodata and NaN are no coverage; the time from the valid_time metadata item (as convlstm's COG forecasts
// write it) or TIFFTAG_DATETIME, else from the file name (import --time-from-name). FMI's composites
// (YYYYMMDDHHMM_FINUTM.tif) keep their time and calibration in nested GDAL metadata items: Observation time,
// Quantity (unit dBZ), Gain and Offset (dBZ = gain x code + offset), Nodata (no coverage) and Undetect (no
// echo); they are read wherever they are nested.
RadarFrame read_geotiff(const Request& q) {
  const std::string& path = q.path;
  RadarFrame fr = frame_of(path, "geotiff");
  const auto r = raster_region(q, fr);
  if (r.driver != "GTiff" && r.driver != "COG") bad(path, "not a GeoTIFF");
  if (r.bands != 1) bad(path, std::to_string(r.bands) + " bands, expected a single-band GeoTIFF");
  if (r.wkt.empty() || !r.has_geotransform)
    bad(path, "no CRS or geotransform: the GeoTIFF is not georeferenced");
  if (r.transform[2] != 0 || r.transform[4] != 0 || r.transform[5] >= 0)
    bad(path, "a rotated or south-up geotransform (expected north-up rows)");
  const auto items = nested_items(r.metadata);
  const auto cal = calibration_of(items, path);
  std::string unit = r.unit.empty() && r.metadata.count("units") ? r.metadata.at("units") : r.unit;
  if (unit.empty() && items.count("Quantity")) {  // FMI: <Item name="Quantity" unit="dBZ">
    const auto& q = items.at("Quantity");
    if (q.attributes.find("dBZ") != std::string::npos || q.value == "DBZH" || q.value == "dBZ") unit = "dBZ";
  }
  if (unit == "dBZ") {
    fr.quantity = Quantity::reflectivity;
  } else if (!unit.empty() && unit != "mm/h" && unit != "mm h-1" && unit != "mm/hr") {
    bad(path, "band unit '" + unit + "', expected mm/h or dBZ");
  }
  fr.source_quantity = fr.quantity == Quantity::reflectivity ? "DBZH" : "RATE";
  std::optional<std::int64_t> t;
  for (const char* key : {"valid_time", "TIFFTAG_DATETIME"})
    if (!t && r.metadata.count(key)) t = parse_iso_or_tiff_time(r.metadata.at(key));
  if (!t) t = observation_time(items);
  if (t)
    fr.time = *t;
  else
    fr.time_known = false;  // from the name, with --time-from-name (read_radar)
  set_grid_from(r, fr);
  if (!q.with_values) return fr;
  if (!cal) {
    decode_raster(r, r.nodata ? std::optional<float>(static_cast<float>(*r.nodata)) : std::nullopt, fr);
    return fr;
  }
  // Stored codes: nodata (or the band's declared nodata, or NaN) no coverage, undetect no echo, the rest
  // gain x code + offset.
  const float floor = fr.quantity == Quantity::reflectivity ? kDbzFloor : 0.0f;
  fr.values.resize(r.values.size());
  fr.valid.resize(r.values.size());
  for (std::size_t i = 0; i < r.values.size(); ++i) {
    const float v = r.values[i];
    fr.valid[i] = std::isfinite(v) && !(cal->nodata && v == *cal->nodata) && !(r.nodata && v == *r.nodata);
    const bool dry = cal->undetect && v == *cal->undetect;
    fr.values[i] = !fr.valid[i] ? 0.0f
                   : dry        ? floor
                                : std::max(floor, calibrated(path, cal->gain * v + cal->offset, v));
  }
  return fr;
}

}  // namespace convlstm::data::readers
