#include "geo/raster.hpp"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include <memory>

#include "core/error.hpp"
#include "geo/gdal_util.hpp"

namespace convlstm::geo {

namespace {

void add_metadata(GDALMajorObjectH h, std::map<std::string, std::string>& out) {
  char** items = GDALGetMetadata(h, nullptr);
  for (char** it = items; it && *it; ++it) {
    char* key = nullptr;
    const char* value = CPLParseNameValue(*it, &key);
    if (key && value && !out.count(key)) out[key] = value;
    CPLFree(key);
  }
}

}  // namespace

Raster read_raster(const std::string& path,
                   const std::function<Window(std::int64_t rows, std::int64_t cols)>& window,
                   int band_number) {
  QuietErrors quiet;
  GDALAllRegister();  // idempotent
  GdalDataset ds(GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
  if (!ds) throw DataError(path + ": GDAL cannot open it as a raster" + QuietErrors::last());
  Raster r;
  r.driver = GDALGetDriverShortName(GDALGetDatasetDriver(ds.get()));
  r.cols = GDALGetRasterXSize(ds.get());
  r.rows = GDALGetRasterYSize(ds.get());
  r.bands = GDALGetRasterCount(ds.get());
  if (r.bands < 1 || r.rows < 1 || r.cols < 1) throw DataError(path + ": no raster band");
  r.has_geotransform = GDALGetGeoTransform(ds.get(), r.transform) == CE_None;
  if (const char* wkt = GDALGetProjectionRef(ds.get()); wkt && *wkt) {
    r.wkt = wkt;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(wkt);
    if (srs) {
      char* proj = nullptr;
      if (OSRExportToProj4(srs, &proj) == OGRERR_NONE && proj) r.proj = proj;
      CPLFree(proj);
      OSRDestroySpatialReference(srs);
    }
  }
  if (band_number < 1 || band_number > r.bands)
    throw DataError(path + ": no band " + std::to_string(band_number) + " (it has " +
                    std::to_string(r.bands) + ")");
  GDALRasterBandH band = GDALGetRasterBand(ds.get(), band_number);
  if (const char* d = GDALGetDescription(band)) r.description = d;
  int has_nodata = 0;
  const double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
  if (has_nodata) r.nodata = nodata;
  if (const char* unit = GDALGetRasterUnitType(band)) r.unit = unit;
  add_metadata(ds.get(), r.metadata);
  add_metadata(band, r.metadata);
  if (!window) return r;
  const Window w = window(r.rows, r.cols);
  const std::int64_t y0 = w.y0, x0 = w.x0, height = w.height, width = w.width;
  if (y0 < 0 || x0 < 0 || height < 1 || width < 1 || y0 + height > r.rows || x0 + width > r.cols)
    throw DataError(path + ": region outside the " + std::to_string(r.rows) + "x" + std::to_string(r.cols) +
                    " raster");
  r.values.resize(static_cast<std::size_t>(height * width));
  if (GDALRasterIO(band, GF_Read, static_cast<int>(x0), static_cast<int>(y0), static_cast<int>(width),
                   static_cast<int>(height), r.values.data(), static_cast<int>(width),
                   static_cast<int>(height), GDT_Float32, 0, 0) != CE_None)
    throw DataError(path + ": GDAL cannot read the raster" + QuietErrors::last());
  return r;
}

}  // namespace convlstm::geo
