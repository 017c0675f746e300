#include "geo/crs.hpp"

#include <cpl_conv.h>
#include <ogr_srs_api.h>

#include <memory>

#include "core/error.hpp"
#include "geo/gdal_util.hpp"

namespace convlstm::geo {

namespace {

struct SrsDeleter {
  void operator()(OGRSpatialReferenceH h) const { OSRDestroySpatialReference(h); }
};
using Srs = std::unique_ptr<std::remove_pointer_t<OGRSpatialReferenceH>, SrsDeleter>;
struct TransformDeleter {
  void operator()(OGRCoordinateTransformationH h) const { OCTDestroyCoordinateTransformation(h); }
};
using Transform = std::unique_ptr<std::remove_pointer_t<OGRCoordinateTransformationH>, TransformDeleter>;

Srs srs_of(const std::string& proj) {
  Srs s(OSRNewSpatialReference(nullptr));
  CONVLSTM_CHECK(s, "GDAL could not allocate a spatial reference");
  if (proj.empty() || OSRImportFromProj4(s.get(), proj.c_str()) != OGRERR_NONE)
    throw DataError("CRS '" + proj + "': not a PROJ string GDAL can read" + QuietErrors::last());
  OSRSetAxisMappingStrategy(s.get(), OAMS_TRADITIONAL_GIS_ORDER);  // x = easting / longitude first
  return s;
}

void transform(const std::string& proj, bool forward, std::vector<double>& a, std::vector<double>& b) {
  QuietErrors quiet;
  const Srs projected = srs_of(proj);
  Srs geographic(OSRCloneGeogCS(projected.get()));
  if (!geographic) throw DataError("CRS '" + proj + "': no geographic CRS" + QuietErrors::last());
  OSRSetAxisMappingStrategy(geographic.get(), OAMS_TRADITIONAL_GIS_ORDER);
  Transform t(forward ? OCTNewCoordinateTransformation(geographic.get(), projected.get())
                      : OCTNewCoordinateTransformation(projected.get(), geographic.get()));
  if (!t) throw DataError("CRS '" + proj + "': no transformation to and from lon/lat" + QuietErrors::last());
  CONVLSTM_CHECK(a.size() == b.size(), "transform: " << a.size() << " x but " << b.size() << " y");
  std::vector<int> ok(a.size(), 0);
  if (!a.empty() &&
      !OCTTransformEx(t.get(), static_cast<int>(a.size()), a.data(), b.data(), nullptr, ok.data()))
    throw DataError("CRS '" + proj + "': cannot transform the points" + QuietErrors::last());
  for (std::size_t i = 0; i < ok.size(); ++i)
    if (!ok[i])
      throw DataError("CRS '" + proj + "': point " + std::to_string(i) + " cannot be transformed" +
                      QuietErrors::last());
}

Point transform(const std::string& proj, bool forward, double a, double b) {
  std::vector<double> x{a}, y{b};
  transform(proj, forward, x, y);
  return {x[0], y[0]};
}

}  // namespace

std::string wkt_of(const std::string& proj) {
  QuietErrors quiet;
  const Srs s = srs_of(proj);
  char* wkt = nullptr;
  if (OSRExportToWkt(s.get(), &wkt) != OGRERR_NONE || !wkt) {
    CPLFree(wkt);
    throw DataError("CRS '" + proj + "': GDAL gives no WKT for it" + QuietErrors::last());
  }
  std::string out(wkt);
  CPLFree(wkt);
  return out;
}

Point project(const std::string& proj, double lon, double lat) {
  return transform(proj, true, lon, lat);
}

Point lonlat(const std::string& proj, double x, double y) {
  return transform(proj, false, x, y);
}

void lonlat(const std::string& proj, std::vector<double>& x, std::vector<double>& y) {
  transform(proj, false, x, y);
}

}  // namespace convlstm::geo
