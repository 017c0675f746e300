// The georeference through the chain (data/grid.hpp): the grid arithmetic and its attributes, every reader's
// grid on the real samples against their documentation (docs/formats.md), the import's crop
// and downsample, and the georeferenced forecast writers (forecast/) read back:
// ODIM by convlstm's own reader (values and grid), netCDF-CF by libnetcdf (times, y order, grid mapping).
// scripts/check_georeferenced.py reads them with GDAL, xarray, netCDF4 and rasterio (tests/CMakeLists).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <tuple>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/grid.hpp"
#include "data/h5.hpp"
#include "data/netcdf.hpp"
#include "data/radar.hpp"
#include "data/radar_import.hpp"
#include "forecast/georeferenced.hpp"
#include "geo/crs.hpp"
#include "support/run_binary.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"

namespace convlstm {
namespace {

namespace fs = std::filesystem;

const char* kOpera =
    "+proj=laea +lat_0=55.0 +lon_0=10.0 +x_0=1950000.0 +y_0=-2100000.0 +units=m +ellps=WGS84";

data::Grid opera_grid() {
  data::Grid g;
  g.proj = kOpera;
  g.wkt = geo::wkt_of(kOpera);
  g.dx = g.dy = 2000.0;
  g.rows = 2200;
  g.cols = 1900;
  return g;
}

TEST_CASE("a grid's crop and downsample move the corner and grow the pixel - its attributes round-trip",
          "[data][grid]") {
  const auto g = opera_grid();
  const auto c = g.cropped(100, 40, 64, 80).downsampled(4);
  CHECK(c.x0 == 80000.0);
  CHECK(c.y0 == -200000.0);
  CHECK(c.dx == 8000.0);
  CHECK(c.rows == 16);
  CHECK(c.cols == 20);
  CHECK(c.x_centre(0) == 84000.0);
  CHECK(c.y_centre(15) == -200000.0 - 15.5 * 8000.0);
  CHECK_THROWS_AS(g.cropped(2190, 0, 20, 20), Error);
  CHECK_THROWS_AS(c.downsampled(3), Error);
  const auto back = data::grid_from_attributes(data::grid_attributes(c), "test");
  REQUIRE(back);
  CHECK(back->proj == c.proj);
  CHECK(back->wkt == c.wkt);
  CHECK(back->x0 == c.x0);
  CHECK(back->y0 == c.y0);
  CHECK(back->dy == c.dy);
  CHECK(back->cols == c.cols);
  CHECK_FALSE(data::grid_from_attributes({}, "test"));
  auto bad = data::grid_attributes(c);
  bad["grid_pixel"] = "8000,-8000";
  CHECK_THROWS_WITH(data::grid_from_attributes(bad, "d.h5"),
                    Catch::Contains("d.h5") && Catch::Contains("grid_"));
  bad.erase("grid_pixel");
  CHECK_THROWS_WITH(data::grid_from_attributes(bad, "d.h5"), Catch::Contains("grid_pixel"));
  CHECK(data::snap_to_pixel(-3.0, 2000.0) == 0.0);
  CHECK(data::snap_to_pixel(700.0, 2000.0) == 700.0);  // not within a tenth of a pixel: kept
}

TEST_CASE("GDAL gives WKT and lon/lat for the radar CRSs and refuses a broken PROJ string by name",
          "[data][grid]") {
  CHECK(geo::wkt_of(kOpera).find("Lambert_Azimuthal_Equal_Area") != std::string::npos);
  const auto origin = geo::lonlat(kOpera, 1950000.0, -2100000.0);  // the false origin: lon_0, lat_0
  CHECK(origin.x == Approx(10.0).margin(1e-9));
  CHECK(origin.y == Approx(55.0).margin(1e-9));
  const auto xy = geo::project(kOpera, origin.x, origin.y);
  CHECK(xy.x == Approx(1950000.0).margin(1e-3));
  CHECK_THROWS_WITH(geo::wkt_of("+proj=nonsense +x_0=0"), Catch::Contains("+proj=nonsense"));
}

std::string samples() {
  return std::string(CONVLSTM_SOURCE_DIR) + "/../shared/data/radar";
}

std::string first_file(const std::string& series) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(samples() + "/" + series)) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files.at(0);
}

TEST_CASE("every reader's grid on the real samples is the documented one", "[data][grid][radar]") {
  if (!fs::exists(samples() + "/knmi-20100826")) {
    CONVLSTM_SKIP("shared", "the real radar samples are not at " << samples());
  }
  // KNMI (docs/formats.md): x 0..700 km, y -3650..-4415 km, row 0 north; the km ellipsoid in metres.
  const auto knmi = data::read_radar_header(first_file("knmi-20100826")).grid;
  REQUIRE(knmi.known());
  CHECK(knmi.x0 == Approx(0.0).margin(1e-6));
  CHECK(knmi.y0 == Approx(-3650000.0));
  CHECK(knmi.dx == Approx(1000.0));
  CHECK(knmi.rows == 765);
  CHECK(knmi.proj.find("+a=6378137") != std::string::npos);
  // Its documented corners: the outer lower-left (0, 49.362) and upper-right (10.856, 55.389) lon/lat.
  const auto ll = geo::lonlat(knmi.proj, knmi.x0, knmi.y0 - 765 * knmi.dy);
  CHECK(ll.x == Approx(0.0).margin(1e-3));
  CHECK(ll.y == Approx(49.362).margin(1e-3));
  const auto ur = geo::lonlat(knmi.proj, knmi.x0 + 700 * knmi.dx, knmi.y0);
  CHECK(ur.x == Approx(10.856).margin(1e-3));
  CHECK(ur.y == Approx(55.389).margin(1e-3));
  // OPERA (docs/formats.md): the outer upper-left corner at projected (0, 0); 2 km pixels, 1900 columns
  // (ODYSSEY 2018), 1 km and 3800 (CIRRUS).
  for (const auto& [series, pixel, cols] :
       {std::tuple<const char*, double, std::int64_t>{"opera-20180824", 2000.0, 1900},
        {"opera-cirrus-20241126", 1000.0, 3800}}) {
    const auto g = data::read_radar_header(first_file(series)).grid;
    INFO(series);
    REQUIRE(g.known());
    CHECK(g.x0 == 0.0);
    CHECK(g.y0 == 0.0);
    CHECK(g.dx == pixel);
    CHECK(g.cols == cols);
    CHECK(g.proj.find("+proj=laea") != std::string::npos);
  }
  // BoM (docs/formats.md): GeoTransform (-128, 0.5, 0, 128, 0, -0.5) km.
  const auto bom = data::read_radar_header(first_file("bom-prcp-c10-66-20201031")).grid;
  REQUIRE(bom.known());
  CHECK(bom.x0 == Approx(-128000.0));
  CHECK(bom.y0 == Approx(128000.0));
  CHECK(bom.dx == Approx(500.0));
  CHECK(bom.proj.find("+proj=aea") != std::string::npos);
  // FMI (docs/formats.md): the outer lower-left corner at (0, 0), 760 x 1226 pixels.
  const auto fmi = data::read_radar_header(first_file("fmi-pgm-20160928")).grid;
  REQUIRE(fmi.known());
  CHECK(fmi.x0 == 0.0);
  CHECK(fmi.y0 == Approx(1226 * fmi.dy));
  CHECK(fmi.dx == Approx(999.674053));
  for (const auto* g : {&knmi, &bom, &fmi}) CHECK_FALSE(g->wkt.empty());
}

TEST_CASE("import stores the grid after its crop and downsample", "[data][grid][radar]") {
  if (!fs::exists(samples() + "/knmi-20100826")) {
    CONVLSTM_SKIP("shared", "the real radar samples are not at " << samples());
  }
  test::TempDir dir;
  data::ImportOptions o;
  o.crop = data::Crop{224, 160, 416, 416};
  o.downsample = 4;
  data::import_radar({first_file("knmi-20100826")}, dir.file("k.h5"), o);
  const data::Grid k = data::DatasetReader(dir.file("k.h5")).meta().field.grid;
  const auto* g = &k;
  REQUIRE(g->known());
  CHECK(g->x0 == Approx(160000.0));
  CHECK(g->y0 == Approx(-3650000.0 - 224000.0));
  CHECK(g->dx == Approx(4000.0));
  CHECK(g->rows == 104);
}

forecast::GeoForecast small_forecast() {
  forecast::GeoForecast f;
  f.field.grid = opera_grid().cropped(1000, 900, 6, 5);
  f.analysis_time = 1535133600;  // 2018-08-24 18:00
  f.lead_s = {900, 1800};
  f.software_version = "test";
  f.source = "a test";
  for (std::int64_t t = 0; t < 2; ++t)
    for (std::int64_t i = 0; i < 30; ++i) f.values.push_back(i == 7 ? std::nanf("") : 0.37f * i + t);
  f.values[3] = 0.0f;
  return f;
}

TEST_CASE("an ODIM forecast reads back through convlstm's ODIM reader with its values and grid",
          "[data][grid]") {
  test::TempDir dir;
  const auto f = small_forecast();
  const auto files = forecast::write_odim_forecast(f, dir.file("fc"), /*one_file_per_lead=*/true);
  REQUIRE(files == std::vector<std::string>{dir.file("fc_015.h5"), dir.file("fc_030.h5")});
  for (std::size_t k = 0; k < files.size(); ++k) {
    CHECK(data::detect_radar_format(files[k]) == "odim");
    const auto fr = data::read_radar(files[k]);
    CHECK(fr.source_quantity == "RATE");
    CHECK(fr.time == f.analysis_time);  // ODIM's what@date/time: the analysis time
    REQUIRE(fr.grid.known());
    CHECK(std::abs(fr.grid.x0 - f.field.grid.x0) < 1.0);
    CHECK(std::abs(fr.grid.y0 - f.field.grid.y0) < 1.0);
    CHECK(fr.grid.dx == f.field.grid.dx);
    CHECK(fr.grid.rows == 6);
    for (std::int64_t i = 0; i < 30; ++i) {
      const float want = f.values[k * 30 + i];
      if (std::isnan(want)) {
        CHECK(fr.valid[i] == 0);
      } else {
        CHECK(fr.valid[i] == 1);
        CHECK(fr.values[i] == Approx(want).margin(0.005f));  // packed to 0.01 mm/h
      }
    }
    auto h = data::h5::File::open_read(files[k]);
    CHECK(h.root().group("dataset1/what").attr_string("starttime") == (k == 0 ? "181500" : "183000"));
    CHECK(h.root().attr_string("Conventions") == "ODIM_H5/V2_4");
    CHECK(h.root().group("dataset1/data1/what").attr_double("undetect") == 0.0);
  }
  // All leads in one file: one dataset per lead.
  forecast::write_odim_forecast(f, dir.file("all.h5"), false);
  auto h = data::h5::File::open_read(dir.file("all.h5"));
  CHECK(h.root().has("dataset2"));
  CHECK_FALSE(h.root().has("dataset3"));
  CHECK_FALSE(fs::exists(dir.file("all.h5.partial")));
}

TEST_CASE("a netCDF-CF forecast holds lead times after the analysis time - north-first y - its grid mapping",
          "[data][grid]") {
  test::TempDir dir;
  const auto f = small_forecast();
  forecast::write_cf_forecast(f, dir.file("fc.nc"));
  const auto nc = data::nc::File::open_read(dir.file("fc.nc"));
  CHECK(nc.att_text("time", "units") == std::optional<std::string>("seconds since 2018-08-24 18:00:00"));
  CHECK(nc.read_doubles("time") == std::vector<double>{900.0, 1800.0});
  CHECK(nc.read_doubles("forecast_period") == std::vector<double>{900.0, 1800.0});
  const auto y = nc.read_doubles("y"), x = nc.read_doubles("x");
  CHECK(y.front() == f.field.grid.y_centre(0));
  CHECK(y.front() > y.back());  // north first
  CHECK(x.front() == f.field.grid.x_centre(0));
  // The grid-mapping variable is named after its grid_mapping_name, where pysteps' importer looks for it.
  const std::string gm = "lambert_azimuthal_equal_area";
  CHECK(nc.att_text("precip_intensity", "grid_mapping") == std::optional<std::string>(gm));
  CHECK(nc.att_text(gm, "grid_mapping_name") == std::optional<std::string>(gm));
  CHECK(nc.att_text(gm, "crs_wkt") == std::optional<std::string>(f.field.grid.wkt));
  CHECK(nc.att_doubles(gm, "false_easting").value_or(std::vector<double>{}) ==
        std::vector<double>{1950000.0});
  CHECK(nc.att_text("precip_intensity", "units") == std::optional<std::string>("mm h-1"));
  const auto v = nc.read_doubles("precip_intensity");
  REQUIRE(v.size() == f.values.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (std::isnan(f.values[i]))
      CHECK(std::isnan(v[i]));
    else
      CHECK(v[i] == Approx(f.values[i]));
  }
  // lon/lat of the first cell centre, as GDAL computes them.
  const auto ll = geo::lonlat(f.field.grid.proj, x[0], y[0]);
  CHECK(nc.read_doubles("lon")[0] == Approx(ll.x));
  CHECK(nc.read_doubles("lat")[0] == Approx(ll.y));
}

TEST_CASE("a netCDF-CF ensemble: members on ens_number (a realization), probabilities on a threshold axis",
          "[data][grid]") {
  test::TempDir dir;
  auto f = small_forecast();  // 2 leads of 6x5
  const auto one = f.values;
  f.members = 3;
  f.values.clear();
  for (int m = 0; m < 3; ++m)
    for (float v : one) f.values.push_back(std::isnan(v) ? v : v + m);
  f.thresholds = {0.5, 2.0};
  for (std::size_t i = 0; i < 2 * one.size(); ++i) f.probabilities.push_back(0.25f * (i % 5));
  forecast::write_cf_forecast(f, dir.file("ens.nc"));
  const auto nc = data::nc::File::open_read(dir.file("ens.nc"));
  CHECK(nc.dims("precip_intensity") == std::vector<std::int64_t>{3, 2, 6, 5});
  CHECK(nc.att_text("ens_number", "standard_name") == std::optional<std::string>("realization"));
  CHECK(nc.read_int64s("ens_number") == std::vector<std::int64_t>{0, 1, 2});
  const auto v = nc.read_doubles("precip_intensity");
  REQUIRE(v.size() == f.values.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isnan(f.values[i])) CHECK(v[i] == Approx(f.values[i]));
  CHECK(nc.dims("probability_of_exceedance") == std::vector<std::int64_t>{2, 2, 6, 5});
  CHECK(nc.read_doubles("threshold") == std::vector<double>{0.5, 2.0});
  CHECK(nc.att_text("threshold", "standard_name") == std::optional<std::string>("lwe_precipitation_rate"));
  CHECK(nc.att_text("probability_of_exceedance", "units") == std::optional<std::string>("1"));
  const auto p = nc.read_doubles("probability_of_exceedance");
  REQUIRE(p.size() == f.probabilities.size());
  for (std::size_t i = 0; i < p.size(); ++i) CHECK(p[i] == Approx(f.probabilities[i]));
  // xarray, netCDF4, GDAL and rasterio read the ensemble (scripts/check_georeferenced.py), the COGs too.
  const auto cogs = forecast::write_cog_forecast(f, dir.file("ens"));
  REQUIRE(cogs.size() == 4);  // per lead: the members' file and the probabilities'
  char corner[96], pixel[64];
  std::snprintf(corner, sizeof corner, "%.3f,%.3f", f.field.grid.x0, f.field.grid.y0);
  std::snprintf(pixel, sizeof pixel, "%.3f,%.3f", f.field.grid.dx, f.field.grid.dy);
  const auto check = test::run_in(
      dir, "/usr/bin/python3 " + std::string(CONVLSTM_SOURCE_DIR) +
               "/scripts/check_georeferenced.py --corner=" + corner + " --pixel " + pixel +
               " --shape 6,5 --analysis 2018-08-24T18:00:00 --leads 900,1800" +
               " --members 3 --thresholds 0.5,2 --netcdf ens.nc --cog " + cogs[0] + " " + cogs[2]);
  if (check.status == 77) {
    CONVLSTM_SKIP("geo", "python3-xarray, -netcdf4, -rasterio or gdal-bin missing: " << check.err);
  }
  INFO(check.err);
  CHECK(check.status == 0);
  // A single field keeps the layout it had: (time, y, x), no member or threshold axis.
  forecast::write_cf_forecast(small_forecast(), dir.file("one.nc"));
  const auto single = data::nc::File::open_read(dir.file("one.nc"));
  CHECK(single.dims("precip_intensity") == std::vector<std::int64_t>{2, 6, 5});
  CHECK_FALSE(single.has_var("ens_number"));
  CHECK_FALSE(single.has_var("probability_of_exceedance"));
}

TEST_CASE("a georeferenced forecast without a grid or times is refused by name, and nothing is written",
          "[data][grid]") {
  test::TempDir dir;
  auto f = small_forecast();
  f.field.grid = data::Grid{};
  CHECK_THROWS_WITH(forecast::write_cf_forecast(f, dir.file("a.nc")),
                    Catch::Contains("a.nc") && Catch::Contains("georeference"));
  f = small_forecast();
  f.analysis_time = 0;
  CHECK_THROWS_WITH(forecast::write_odim_forecast(f, dir.file("b.h5"), false),
                    Catch::Contains("analysis time"));
  CHECK(fs::is_empty(dir.path()));
}

}  // namespace
}  // namespace convlstm
