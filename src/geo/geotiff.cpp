#include "geo/geotiff.hpp"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "geo/gdal_util.hpp"

namespace convlstm::geo {

namespace {

struct OptionList {
  char** list = nullptr;
  OptionList() = default;
  OptionList(const OptionList&) = delete;
  OptionList& operator=(const OptionList&) = delete;
  ~OptionList() { CSLDestroy(list); }
  void add(const char* key, const std::string& value) { list = CSLSetNameValue(list, key, value.c_str()); }
};

void write_one(const data::GeoForecast& f, std::size_t k, const std::string& path) {
  const auto& g = f.grid;
  QuietErrors quiet;
  GDALAllRegister();  // idempotent: the drivers are registered once per process by GDAL itself
  GDALDriverH mem_driver = GDALGetDriverByName("MEM"), cog_driver = GDALGetDriverByName("COG");
  if (!mem_driver || !cog_driver) throw DataError(path + ": this GDAL has no MEM or COG driver");
  GdalDataset mem(GDALCreate(mem_driver, "", static_cast<int>(g.cols), static_cast<int>(g.rows), 1,
                             GDT_Float32, nullptr));
  if (!mem) throw DataError(path + ": GDAL cannot create the in-memory raster" + QuietErrors::last());
  double transform[6] = {g.x0, g.dx, 0.0, g.y0, 0.0, -g.dy};
  GDALSetGeoTransform(mem.get(), transform);
  if (GDALSetProjection(mem.get(), g.wkt.c_str()) != CE_None)
    throw DataError(path + ": GDAL refuses the CRS" + QuietErrors::last());
  const bool dbz = f.quantity == "reflectivity";
  const std::int64_t valid = f.analysis_time + f.lead_s[k];
  GDALSetMetadataItem(mem.get(), "TIFFTAG_DATETIME", data::format_utc(valid, "%Y:%m:%d %H:%M:%S").c_str(),
                      nullptr);
  GDALSetMetadataItem(mem.get(), "TIFFTAG_SOFTWARE", ("convlstm " + f.software_version).c_str(), nullptr);
  GDALSetMetadataItem(mem.get(), "forecast_reference_time",
                      data::format_utc(f.analysis_time, "%Y-%m-%dT%H:%M:%SZ").c_str(), nullptr);
  GDALSetMetadataItem(mem.get(), "valid_time", data::format_utc(valid, "%Y-%m-%dT%H:%M:%SZ").c_str(),
                      nullptr);
  GDALSetMetadataItem(mem.get(), "lead_time_minutes", std::to_string(f.lead_s[k] / 60).c_str(), nullptr);
  GDALSetMetadataItem(mem.get(), "quantity", f.quantity.c_str(), nullptr);
  GDALSetMetadataItem(mem.get(), "units", dbz ? "dBZ" : "mm/h", nullptr);
  GDALSetMetadataItem(mem.get(), "proj4", g.proj.c_str(), nullptr);
  GDALSetMetadataItem(mem.get(), "source", f.source.c_str(), nullptr);
  GDALRasterBandH band = GDALGetRasterBand(mem.get(), 1);
  GDALSetRasterNoDataValue(band, std::nan(""));
  GDALSetRasterUnitType(band, dbz ? "dBZ" : "mm/h");
  GDALSetDescription(band, dbz ? "reflectivity" : "precip_intensity");
  const float* plane = f.values.data() + static_cast<std::int64_t>(k) * g.rows * g.cols;
  if (GDALRasterIO(band, GF_Write, 0, 0, static_cast<int>(g.cols), static_cast<int>(g.rows),
                   const_cast<float*>(plane), static_cast<int>(g.cols), static_cast<int>(g.rows), GDT_Float32,
                   0, 0) != CE_None)
    throw DataError(path + ": GDAL cannot fill the raster" + QuietErrors::last());
  OptionList options;
  options.add("COMPRESS", "DEFLATE");
  options.add("PREDICTOR", "YES");
  options.add("BLOCKSIZE", "512");
  options.add("OVERVIEWS", "AUTO");
  const std::string tmp = path + ".partial";
  GdalDataset cog(GDALCreateCopy(cog_driver, tmp.c_str(), mem.get(), FALSE, options.list, nullptr, nullptr));
  if (!cog) {
    std::remove(tmp.c_str());
    throw DataError(path + ": GDAL cannot write the COG" + QuietErrors::last());
  }
  cog.reset();  // GDALClose flushes
  try {
    data::commit_file(tmp, path);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
}

}  // namespace

std::vector<std::string> write_cog_forecast(const data::GeoForecast& f, const std::string& prefix) {
  data::check_georeferenced(f, prefix);
  if (f.grid.wkt.empty()) throw UsageError(prefix + ": the grid's CRS has no WKT, which a GeoTIFF needs");
  std::vector<std::string> written;
  for (std::size_t k = 0; k < f.lead_s.size(); ++k) {
    char lead[24];
    std::snprintf(lead, sizeof lead, "%03lld", static_cast<long long>(f.lead_s[k] / 60));
    const std::string path = prefix + "_" + data::utc_stamp(f.analysis_time) + "_" + lead + ".tif";
    write_one(f, k, path);
    written.push_back(path);
  }
  return written;
}

}  // namespace convlstm::geo
