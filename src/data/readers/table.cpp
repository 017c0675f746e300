// The table of radar readers, and the public entry points of data/radar.hpp that read through it.
#include "data/readers/reader.hpp"
#include "geo/crs.hpp"

namespace convlstm::data {

namespace readers {

const std::vector<Reader>& table() {
  // In detection order: the first whose detect accepts a file reads it.
  static const std::vector<Reader> rows = {
      {"knmi", "KNMI HDF5 (RAD_NL25 5-minute accumulations)", detect_knmi, read_knmi},
      {"odim", "ODIM_H5 Cartesian composite (OPERA, CIRRUS, NIMBUS)", detect_odim, read_odim},
      {"bom", "BoM Rainfields 3 netCDF", detect_bom, read_bom},
      {"fmi", "FMI PGM composite, gzipped or plain", detect_fmi, read_fmi},
      {"mch", "MeteoSwiss AQC GIF", detect_mch, read_mch},
      {"mrms", "MRMS GRIB2 PrecipRate", detect_mrms, read_mrms},
      {"geotiff", "single-band north-up GeoTIFF with a CRS", detect_geotiff, read_geotiff},
  };
  return rows;
}

namespace {

const Reader& reader_named(const std::string& name) {
  for (const auto& r : table())
    if (name == r.name) return r;
  std::string list;
  for (const auto& r : table()) list += (list.empty() ? "" : ", ") + std::string(r.name);
  throw UsageError("unknown radar format '" + name + "' (expected one of " + list + ")");
}

RadarFrame read_any(const std::string& path, const std::optional<std::string>& format,
                    const std::string& quantity, bool with_values, RadarRegion region) {
  const Reader& reader = reader_named(format ? *format : detect_radar_format(path));
  RadarFrame fr = reader.read(Request{path, quantity, with_values, region});
  fr.grid.rows = fr.grid_rows;
  fr.grid.cols = fr.grid_cols;
  if (!fr.grid.proj.empty() && fr.grid.wkt.empty()) {
    try {
      fr.grid.wkt = geo::wkt_of(fr.grid.proj);
    } catch (const DataError&) {
      fr.grid = Grid{};  // a CRS GDAL cannot read: no georeference
    }
  }
  return fr;
}

}  // namespace

}  // namespace readers

std::vector<RadarFormatInfo> radar_formats() {
  std::vector<RadarFormatInfo> out;
  for (const auto& r : readers::table()) out.push_back({r.name, r.reads});
  return out;
}

std::string parse_radar_format(const std::string& s) {
  return readers::reader_named(s).name;
}

std::string detect_radar_format(const std::string& path) {
  readers::Probe probe(path);
  for (const auto& r : readers::table())
    if (r.detect(probe)) return r.name;
  std::string list;
  for (const auto& r : readers::table()) list += (list.empty() ? "" : "; ") + std::string(r.reads);
  throw DataError(path + ": not a radar format convlstm reads (" + list + ")");
}

RadarFrame read_radar_header(const std::string& path, const std::optional<std::string>& format,
                             const std::string& quantity) {
  return readers::read_any(path, format, quantity, false, {});
}

RadarFrame read_radar(const std::string& path, const std::optional<std::string>& format,
                      const std::string& quantity, RadarRegion region) {
  return readers::read_any(path, format, quantity, true, region);
}

}  // namespace convlstm::data
