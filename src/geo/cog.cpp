#include "geo/cog.hpp"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>

#include <cmath>

#include "core/error.hpp"
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

}  // namespace

void write_cog(const std::string& path, const CogImage& image) {
  QuietErrors quiet;
  GDALAllRegister();  // idempotent: the drivers are registered once per process by GDAL itself
  GDALDriverH mem_driver = GDALGetDriverByName("MEM"), cog_driver = GDALGetDriverByName("COG");
  if (!mem_driver || !cog_driver) throw DataError(path + ": this GDAL has no MEM or COG driver");
  const int cols = static_cast<int>(image.cols), rows = static_cast<int>(image.rows);
  if (image.bands.empty()) throw DataError(path + ": no band to write");
  const int count = static_cast<int>(image.bands.size());
  GdalDataset mem(GDALCreate(mem_driver, "", cols, rows, count, GDT_Float32, nullptr));
  if (!mem) throw DataError(path + ": GDAL cannot create the in-memory raster" + QuietErrors::last());
  double transform[6];
  std::copy(image.transform, image.transform + 6, transform);
  GDALSetGeoTransform(mem.get(), transform);
  if (GDALSetProjection(mem.get(), image.wkt.c_str()) != CE_None)
    throw DataError(path + ": GDAL refuses the CRS" + QuietErrors::last());
  for (const auto& [key, value] : image.metadata)
    GDALSetMetadataItem(mem.get(), key.c_str(), value.c_str(), nullptr);
  for (int k = 0; k < count; ++k) {
    const auto& b = image.bands[static_cast<std::size_t>(k)];
    GDALRasterBandH band = GDALGetRasterBand(mem.get(), k + 1);
    GDALSetRasterNoDataValue(band, std::nan(""));
    GDALSetRasterUnitType(band, b.unit.c_str());
    GDALSetDescription(band, b.description.c_str());
    if (GDALRasterIO(band, GF_Write, 0, 0, cols, rows, const_cast<float*>(b.values), cols, rows, GDT_Float32,
                     0, 0) != CE_None)
      throw DataError(path + ": GDAL cannot fill the raster" + QuietErrors::last());
  }
  OptionList options;
  options.add("COMPRESS", "DEFLATE");
  options.add("PREDICTOR", "YES");
  options.add("BLOCKSIZE", "512");
  options.add("OVERVIEWS", "AUTO");
  GdalDataset cog(GDALCreateCopy(cog_driver, path.c_str(), mem.get(), FALSE, options.list, nullptr, nullptr));
  if (!cog) throw DataError(path + ": GDAL cannot write the COG" + QuietErrors::last());
  cog.reset();  // GDALClose flushes
}

}  // namespace convlstm::geo
