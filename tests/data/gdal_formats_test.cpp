// The readers behind GDAL (geo/raster.hpp; docs/formats.md): MeteoSwiss AQC GIF
// and MRMS GRIB2 on the real samples, GeoTIFF on the COG forecasts convlstm writes itself (a round trip), and
// their refusals.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/radar.hpp"
#include "data/radar_import.hpp"
#include "data/units.hpp"
#include "forecast/georeferenced.hpp"
#include "geo/cog.hpp"
#include "geo/crs.hpp"
#include "geo/raster.hpp"
#include "support/chain.hpp"
#include "support/radar_files.hpp"
#include "support/run_binary.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"

namespace convlstm {
namespace {

namespace fs = std::filesystem;

std::string samples() {
  return std::string(CONVLSTM_SOURCE_DIR) + "/../shared/data/radar";
}

std::vector<std::string> files_of(const std::string& series) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(samples() + "/" + series)) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

TEST_CASE("MeteoSwiss AQC GIF samples decode as documented", "[data][radar]") {
  if (!fs::exists(samples() + "/mch-gif-20160711")) {
    CONVLSTM_SKIP("shared", "the real radar samples are not at " << samples());
  }
  for (const char* series : {"mch-gif-20150515", "mch-gif-20160711"}) {
    INFO(series);
    const auto files = files_of(series);
    REQUIRE(files.size() == 40);
    CHECK(data::detect_radar_format(files[0]) == "mch");
    const auto fr = data::read_radar(files[0]);
    CHECK(fr.grid_rows == 640);
    CHECK(fr.grid_cols == 710);
    CHECK(fr.accumulation_min == 5);
    // Outside the network (index 255): 128-140 thousand pixels.
    const auto missing = std::count(fr.valid.begin(), fr.valid.end(), 0);
    CHECK(missing > 128000);
    CHECK(missing < 140000);
    // Indices up to 150: at most 8.9 mm in 5 minutes, 107 mm/h.
    CHECK(*std::max_element(fr.values.begin(), fr.values.end()) < 107.01f);
    CHECK(fr.grid.x0 == 255000.0);
    CHECK(fr.grid.y0 == 480000.0);
    CHECK(fr.grid.dx == 1000.0);
    CHECK(fr.grid.wkt.find("Hotine_Oblique_Mercator") != std::string::npos);  // Swiss somerc
    // The last file's time, from its name, 39 five-minute steps later.
    CHECK(data::read_radar_header(files.back()).time - fr.time == 39 * 300);
  }
  // 2016-07-11 20:45 is day 193 of 2016.
  CHECK(data::read_radar_header(files_of("mch-gif-20160711")[0]).time == 1468269900);
}

TEST_CASE("MRMS GRIB2 PrecipRate samples decode as documented", "[data][radar]") {
  if (!fs::exists(samples() + "/mrms-grib2-20190610")) {
    CONVLSTM_SKIP("shared", "the real radar samples are not at " << samples());
  }
  const auto files = files_of("mrms-grib2-20190610");
  REQUIRE(files.size() == 36);
  CHECK(data::detect_radar_format(files[0]) == "mrms");
  const auto fr = data::read_radar(files[0]);
  CHECK(fr.grid_rows == 3500);
  CHECK(fr.grid_cols == 7000);
  CHECK(fr.time == 1560124800);  // 2019-06-10 00:00 UTC, as the file name says
  // -3 = no coverage: 8.77 million pixels, 36%.
  const auto missing = std::count(fr.valid.begin(), fr.valid.end(), 0);
  CHECK(missing == Approx(8.77e6).epsilon(0.005));
  CHECK(*std::max_element(fr.values.begin(), fr.values.end()) == Approx(150.0).margin(3.0));
  CHECK(fr.grid.x0 == Approx(-130.0).margin(1e-6));
  CHECK(fr.grid.y0 == Approx(55.0).margin(1e-6));
  CHECK(fr.grid.dx == Approx(0.01).margin(1e-9));
  CHECK(fr.grid.proj.find("+proj=longlat") != std::string::npos);
  CHECK(data::read_radar_header(files.back()).time - fr.time == 35 * 120);
  // A region is read without the rest.
  const auto part = data::read_radar(files[0], std::nullopt, "", {1000, 3000, 8, 16});
  CHECK(part.values.size() == 128);
  CHECK(part.values[0] == fr.values[1000 * 7000 + 3000]);
}

// Two leads of a 3x4 polar-stereographic grid, without values.
forecast::GeoForecast small_cog_forecast() {
  forecast::GeoForecast f;
  f.field.grid.proj = "+proj=stere +lat_0=90 +lon_0=0 +lat_ts=60 +a=6378137 +b=6356752 +x_0=0 +y_0=0";
  f.field.grid.wkt = geo::wkt_of(f.field.grid.proj);
  f.field.grid.x0 = 160000.0;
  f.field.grid.y0 = -3874000.0;
  f.field.grid.dx = f.field.grid.dy = 4000.0;
  f.field.grid.rows = 3;
  f.field.grid.cols = 4;
  f.analysis_time = 1282808100;  // 2010-08-26 07:35
  f.lead_s = {300, 600};
  f.software_version = "test";
  return f;
}

TEST_CASE("a COG forecast reads back through the GeoTIFF reader with its values - time and grid",
          "[data][radar]") {
  test::TempDir dir;
  auto f = small_cog_forecast();
  for (int i = 0; i < 24; ++i) f.values.push_back(i == 5 ? std::nanf("") : 0.25f * i);
  const auto files = forecast::write_cog_forecast(f, dir.file("fc"));
  REQUIRE(files.size() == 2);
  CHECK(files[0] == dir.file("fc_201008260735_005.tif"));
  for (std::size_t k = 0; k < 2; ++k) {
    CHECK(data::detect_radar_format(files[k]) == "geotiff");
    const auto fr = data::read_radar(files[k]);
    CHECK(fr.time == f.analysis_time + f.lead_s[k]);
    CHECK(fr.grid.x0 == f.field.grid.x0);
    CHECK(fr.grid.y0 == f.field.grid.y0);
    CHECK(fr.grid.dx == f.field.grid.dx);
    CHECK(fr.quantity == data::Quantity::rain_rate);
    for (int i = 0; i < 12; ++i) {
      const float want = f.values[k * 12 + i];
      CHECK(fr.valid[i] == !std::isnan(want));
      if (!std::isnan(want)) CHECK(fr.values[i] == want);
    }
    // The CRS survives: the same point projects to the same lon/lat.
    const auto a = geo::lonlat(fr.grid.proj, 300000.0, -4000000.0),
               b = geo::lonlat(f.field.grid.proj, 300000.0, -4000000.0);
    CHECK(a.x == Approx(b.x).margin(1e-7));
    CHECK(a.y == Approx(b.y).margin(1e-7));
  }
}

TEST_CASE("a COG ensemble: one band per member, the probabilities in a _prob file beside each lead",
          "[data][radar]") {
  test::TempDir dir;
  auto f = small_cog_forecast();
  f.members = 2;
  for (int i = 0; i < 48; ++i) f.values.push_back(0.25f * i);  // (member, lead, 3, 4)
  f.thresholds = {1.0};
  for (int i = 0; i < 24; ++i) f.probabilities.push_back(i % 2 == 0 ? 0.5f : 1.0f);
  const auto files = forecast::write_cog_forecast(f, dir.file("fc"));
  REQUIRE(files == std::vector<std::string>{
                       dir.file("fc_201008260735_005.tif"), dir.file("fc_201008260735_005_prob.tif"),
                       dir.file("fc_201008260735_010.tif"), dir.file("fc_201008260735_010_prob.tif")});
  // Band by band through GDAL: member m of lead k, and the probability of threshold 0. The radar importer
  // reads single fields, and refuses the members' file by name.
  const auto whole = [](std::int64_t rows, std::int64_t cols) { return geo::Window{0, 0, rows, cols}; };
  for (std::size_t k = 0; k < 2; ++k) {
    for (int m = 0; m < 2; ++m) {
      const auto band = geo::read_raster(files[2 * k], whole, m + 1);
      CHECK(band.bands == 2);
      CHECK(band.description == "member_" + std::to_string(m));
      for (int i = 0; i < 12; ++i) CHECK(band.values[i] == f.values[(m * 2 + k) * 12 + i]);
    }
    const auto prob = geo::read_raster(files[2 * k + 1], whole, 1);
    CHECK(prob.unit == "1");
    CHECK(prob.description == ">= 1 mm/h");
    for (int i = 0; i < 12; ++i) CHECK(prob.values[i] == f.probabilities[k * 12 + i]);
    CHECK_THROWS_WITH(data::read_radar(files[2 * k]), Catch::Contains("2 bands"));
  }
}

TEST_CASE("GIF - GRIB and TIFF files that are not what they claim are refused by name", "[data][radar]") {
  test::TempDir dir;
  std::ofstream(dir.file("AQC161932045V_00005.801.gif"), std::ios::binary) << "GIF89a\x10\x00";
  CHECK_THROWS_WITH(data::read_radar(dir.file("AQC161932045V_00005.801.gif")),
                    Catch::Contains("AQC161932045V_00005.801.gif") && Catch::Contains("GDAL"));
  std::ofstream(dir.file("radar.gif"), std::ios::binary) << "GIF89a\x10\x00";
  CHECK_THROWS_WITH(data::read_radar(dir.file("radar.gif")),
                    Catch::Contains("radar.gif") && Catch::Contains("AQC"));
  std::ofstream(dir.file("cut.grib2"), std::ios::binary) << "GRIB\x00\x00";
  CHECK_THROWS_WITH(data::read_radar(dir.file("cut.grib2")), Catch::Contains("cut.grib2"));
  std::ofstream(dir.file("cut.tif"), std::ios::binary) << std::string("II*\0\x08\0\0\0", 8);
  CHECK_THROWS_WITH(data::read_radar(dir.file("cut.tif")), Catch::Contains("cut.tif"));
  CHECK_THROWS_AS(data::read_radar(dir.file("cut.tif")), DataError);
}

TEST_CASE("GeoTIFF end to end: import - train 20 steps - predict from raw files - evaluate", "[data][slow]") {
  test::TempDir dir;
  forecast::GeoForecast f;  // 30 frames of a band of rain moving east a pixel a frame, written as COGs
  f.field.grid.proj = "+proj=laea +lat_0=55 +lon_0=10 +x_0=1950000 +y_0=-2100000 +ellps=WGS84 +units=m";
  f.field.grid.wkt = geo::wkt_of(f.field.grid.proj);
  f.field.grid.x0 = 1000000.0;
  f.field.grid.y0 = -1000000.0;
  f.field.grid.dx = f.field.grid.dy = 2000.0;
  f.field.grid.rows = f.field.grid.cols = 16;
  f.analysis_time = 1535133600;
  f.software_version = "test";
  for (int t = 0; t < 30; ++t) {
    f.lead_s.push_back(300 * (t + 1));
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x)
        f.values.push_back(y < 3 && x < 3 ? std::nanf("") : ((x - t) % 16 + 16) % 16 < 4 ? 5.0f : 0.0f);
  }
  const auto files = forecast::write_cog_forecast(f, dir.file("rain"));
  data::import_radar(files, dir.file("tif.h5"), {});
  data::DatasetReader ds(dir.file("tif.h5"));
  CHECK(ds.meta().frames == 30);
  CHECK(ds.meta().field.provenance.at("import_source_format") == "geotiff");
  CHECK(ds.meta().field.grid.x0 == 1000000.0);
  CHECK(ds.meta().field.grid.y0 == -1000000.0);
  const auto r = test::train_predict_evaluate(dir, dir.file("tif.h5"), files);
  CHECK(r.steps == 20);
  CHECK(r.forecast_dims == std::vector<std::int64_t>{1, 2, 16, 16});
  CHECK(r.windows == 26);
}

TEST_CASE("the time from a file name: fields - anywhere in the name - refusals", "[data][radar]") {
  // FMI's GeoTIFF names, MeteoSwiss' day-of-year names, seconds and a literal percent sign.
  CHECK(data::name_time("/x/201705091045_FINUTM.tif", "%Y%m%d%H%M") == 1494326700);
  CHECK(data::name_time("AQC161932045V_00005.801.gif", "AQC%y%j%H%M") ==
        data::name_time("20160711_2045.tif", "%Y%m%d_%H%M"));
  CHECK(data::name_time("radar-2020-10-31T23:50:30.tif", "%Y-%m-%dT%H:%M:%S") == 1604188230);
  CHECK(data::name_time("r100%_2020103123.tif", "100%%_%Y%m%d%H") == 1604185200);
  // The first place that matches; a date that cannot be is no match there.
  CHECK(data::name_time("v2_201713991045_201705091045.tif", "%Y%m%d%H%M") == 1494326700);
  CHECK_FALSE(data::name_time("latest.tif", "%Y%m%d%H%M"));
  CHECK_FALSE(data::name_time("20170509104.tif", "%Y%m%d%H%M"));
  CHECK_FALSE(data::name_time("201702301045.tif", "%Y%m%d%H%M"));
  // A pattern that cannot give a time, or has an unknown field, is a usage error naming it.
  CHECK_THROWS_WITH(data::check_time_pattern("%Y%m%d"), Catch::Contains("%Y%m%d") && Catch::Contains("hour"));
  CHECK_THROWS_WITH(data::check_time_pattern("%Y%m%d%H%q"), Catch::Contains("%q"));
  CHECK_THROWS_AS(data::check_time_pattern("%Y%m%d%H%"), UsageError);
}

TEST_CASE("GeoTIFF files without a time: --time-from-name gives it - recorded - predict repeats it",
          "[data][radar][slow]") {
  test::TempDir dir;
  const std::string proj = "+proj=laea +lat_0=55 +lon_0=10 +x_0=1950000 +y_0=-2100000 +ellps=WGS84 +units=m";
  std::vector<std::string> files;
  std::vector<float> frame(16 * 16);
  for (int t = 29; t >= 0; --t) {  // written newest first: the import orders them by the names' times
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x) frame[y * 16 + x] = ((x - t) % 16 + 16) % 16 < 4 ? 5.0f : 0.0f;
    geo::CogImage image;
    image.rows = image.cols = 16;
    const double transform[6] = {1000000.0, 2000.0, 0.0, -1000000.0, 0.0, -2000.0};
    std::copy(transform, transform + 6, image.transform);
    image.wkt = geo::wkt_of(proj);
    image.bands = {{"mm/h", "", frame.data()}};
    const std::int64_t when = 1494326700 + 300 * t;  // from 2017-05-09 10:45
    const std::string path = dir.file(forecast::format_utc(when, "%Y%m%d%H%M") + "_FINUTM.tif");
    geo::write_cog(path, image);
    files.insert(files.begin(), path);
  }
  data::ImportOptions o;
  o.strict = true;
  CHECK_THROWS_WITH(data::import_radar(files, dir.file("none.h5"), o),
                    Catch::Contains("_FINUTM.tif") && Catch::Contains("--time-from-name"));
  CHECK_FALSE(fs::exists(dir.file("none.h5")));
  o.time_from_name = "%Y%m%d%H%M";
  data::import_radar(files, dir.file("named.h5"), o);
  data::DatasetReader ds(dir.file("named.h5"));
  REQUIRE(ds.meta().frames == 30);
  CHECK(ds.meta().segments.size() == 1);
  CHECK(ds.meta().field.time.front() == 1494326700);
  CHECK(ds.meta().field.time.back() == 1494326700 + 29 * 300);
  CHECK(ds.meta().field.provenance.at("import_time_from_name") == "%Y%m%d%H%M");
  // A name that does not match is refused by name.
  fs::copy_file(files[0], dir.file("latest.tif"));
  CHECK_THROWS_WITH(data::import_radar({dir.file("latest.tif")}, dir.file("bad.h5"), o),
                    Catch::Contains("latest.tif") && Catch::Contains("does not match"));
  // predict on the raw files repeats the import's pattern (from the checkpoint's record of the data).
  const auto r = test::train_predict_evaluate(dir, dir.file("named.h5"), files);
  CHECK(r.steps == 20);
  CHECK(r.windows == 26);
}

// A GeoTIFF of FMI's layout, written here (the real composites are not among the samples): uint8 codes (as
// Float32), dBZ = 0.5 code - 32, 255 no coverage, 0 no echo, TM35FIN (EPSG:3067) at 250 m, the time and
// calibration in nested metadata items, escaped once more inside the item that holds them when `nested`.
std::string write_fmi_like_geotiff(const test::TempDir& dir, const std::string& name, std::int64_t when,
                                   bool nested) {
  std::vector<float> codes(8 * 10);
  for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = i < 10 ? 255.0f : i < 20 ? 0.0f : 64.0f + i;
  geo::CogImage image;
  image.rows = 8;
  image.cols = 10;
  const double transform[6] = {-118000.0, 250.0, 0.0, 7770000.0, 0.0, -250.0};
  std::copy(transform, transform + 6, image.transform);
  image.wkt = geo::wkt_of("+proj=utm +zone=35 +ellps=GRS80 +units=m +no_defs");  // TM35FIN
  image.bands = {{"", "", codes.data()}};
  const std::string t = forecast::format_utc(when, "%Y%m%d%H%M");
  std::string xml = "<Item name=\"Observation time\" format=\"YYYYMMDDhhmm\">" + t +
                    "</Item><Item name=\"Quantity\" unit=\"dBZ\">DBZH</Item><Item name=\"Gain\">0.5</Item>"
                    "<Item name=\"Offset\">-32</Item><Item name=\"Nodata\">255</Item>"
                    "<Item name=\"Undetect\">0</Item>";
  if (nested) {
    std::string escaped;
    for (char c : xml)
      escaped += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;" : std::string(1, c);
    image.metadata = {{"FMI composite", "<GDALMetadata>" + escaped + "</GDALMetadata>"}};
  } else {
    image.metadata = {
        {"Observation time", t}, {"Gain", "0.5"}, {"Offset", "-32"}, {"Nodata", "255"}, {"Undetect", "0"}};
    image.bands[0].unit = "dBZ";
  }
  const std::string path = dir.file(name);
  geo::write_cog(path, image);
  return path;
}

TEST_CASE("FMI's GeoTIFF composites: time and calibration from the nested metadata", "[data][radar]") {
  test::TempDir dir;
  for (const bool nested : {true, false}) {
    INFO((nested ? "nested items" : "plain items"));
    const auto path =
        write_fmi_like_geotiff(dir, nested ? "201705091045_FINUTM.tif" : "plain.tif", 1494326700, nested);
    const auto fr = data::read_radar(path);
    CHECK(fr.format == "geotiff");
    CHECK(fr.time == 1494326700);
    CHECK(fr.quantity == data::Quantity::reflectivity);
    CHECK(fr.grid.known());
    CHECK(fr.grid.dx == 250.0);
    for (std::size_t i = 0; i < fr.values.size(); ++i) {
      INFO("pixel " << i);
      CHECK(fr.valid[i] == (i >= 10));                                // 255: no coverage
      if (i >= 10 && i < 20) CHECK(fr.values[i] == data::kDbzFloor);  // 0: no echo
      if (i >= 20) CHECK(fr.values[i] == Approx(0.5 * (64.0 + i) - 32.0));
    }
  }
  // A calibration that is not a number is refused by name.
  {
    std::vector<float> codes(4, 10.0f);
    geo::CogImage image;
    image.rows = image.cols = 2;
    const double transform[6] = {0.0, 250.0, 0.0, 7770000.0, 0.0, -250.0};
    std::copy(transform, transform + 6, image.transform);
    image.wkt = geo::wkt_of("+proj=utm +zone=35 +ellps=GRS80 +units=m +no_defs");
    image.bands = {{"", "", codes.data()}};
    image.metadata = {{"Observation time", "201705091045"}, {"Gain", "half"}};
    geo::write_cog(dir.file("odd_gain.tif"), image);
    CHECK_THROWS_WITH(data::read_radar(dir.file("odd_gain.tif")),
                      Catch::Contains("odd_gain.tif") && Catch::Contains("Gain") && Catch::Contains("half"));
  }
  // Imported as rain rates, through Z = a R^b.
  std::vector<std::string> files;
  for (int k = 0; k < 3; ++k)
    files.push_back(
        write_fmi_like_geotiff(dir, forecast::format_utc(1494326700 + 300 * k, "%Y%m%d%H%M") + "_FINUTM.tif",
                               1494326700 + 300 * k, true));
  data::import_radar(files, dir.file("fmi.h5"), {});
  data::DatasetReader ds(dir.file("fmi.h5"));
  CHECK(ds.meta().frames == 3);
  CHECK(ds.meta().field.quantity == data::Quantity::rain_rate);
  std::vector<float> v(80), m(80);
  ds.read(0, 1, v.data(), m.data());
  CHECK(m[5] == 0.0f);
  CHECK(v[15] == 0.0f);
  CHECK(v[40] == Approx(data::rain_rate_from_dbz(0.5f * (64 + 40) - 32, 200, 1.6)).epsilon(1e-4));
}

TEST_CASE(
    "MeteoSwiss GIF and MRMS GRIB2 end to end on the samples: import with crop and downsample - train - "
    "predict - evaluate",
    "[data][slow]") {
  if (!fs::exists(samples() + "/mch-gif-20160711")) {
    CONVLSTM_SKIP("shared", "the real radar samples are not at " << samples());
  }
  test::TempDir dir;
  data::ImportOptions mch;
  mch.crop = data::Crop{0, 0, 640, 704};
  mch.downsample = 8;
  const auto gifs = files_of("mch-gif-20160711");
  data::import_radar(gifs, dir.file("mch.h5"), mch);
  auto r = test::train_predict_evaluate(dir, dir.file("mch.h5"), gifs);
  CHECK(r.steps == 20);
  CHECK(r.forecast_dims == std::vector<std::int64_t>{1, 2, 80, 88});
  CHECK(r.windows == 36);
  test::TempDir dir2;
  data::ImportOptions mrms;
  mrms.crop = data::Crop{1000, 3000, 64, 64};
  mrms.downsample = 4;
  const auto gribs = files_of("mrms-grib2-20190610");
  const std::vector<std::string> twelve(gribs.begin(), gribs.begin() + 12);
  data::import_radar(twelve, dir2.file("mrms.h5"), mrms);
  r = test::train_predict_evaluate(dir2, dir2.file("mrms.h5"), twelve);
  CHECK(r.steps == 20);
  CHECK(r.forecast_dims == std::vector<std::int64_t>{1, 2, 16, 16});
  CHECK(r.windows == 8);
}

TEST_CASE("MeteoSwiss AQC GIF files written here: the look-up table - no coverage - the time - end to end",
          "[data][radar]") {
  test::TempDir dir;
  std::vector<std::string> files;
  for (int t = 0; t < 30; ++t) {  // 2016-07-11 20:00 + 5 t minutes: a band moving east, a corner uncovered
    const int minutes = 20 * 60 + 5 * t;
    char name[64];
    std::snprintf(name, sizeof name, "AQC16193%02d%02dV_00005.801.gif", minutes / 60, minutes % 60);
    std::vector<std::uint8_t> px(16 * 16);
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x)
        px[y * 16 + x] = y < 3 && x < 3 ? 255 : ((x - t) % 16 + 16) % 16 < 4 ? 120 : (x + y) % 2;
    files.push_back(dir.file(name));
    test::write_gif_indices(files.back(), 16, 16, px);
  }
  const auto fr = data::read_radar(files[0]);
  CHECK(fr.format == "mch");
  CHECK(fr.time == 1468267200);          // 2016-07-11 20:00 UTC
  CHECK(fr.valid[0] == 0);               // 255: outside the network
  CHECK(fr.values[3 * 16 + 8] == 0.0f);  // 0 and 1: no rain
  // Index 120: (10^((120 - 71.5) / 20) / 316)^(1 / 1.5) mm in 5 minutes, twelve times that per hour.
  const double mm5 = std::pow(std::pow(10.0, (120 - 71.5) / 20.0) / 316.0, 1.0 / 1.5);
  CHECK(fr.values[5 * 16] == Approx(12.0 * mm5));
  CHECK_FALSE(fr.grid.known());  // not the 640x710 CCS4 grid: no georeference is invented
  data::import_radar(files, dir.file("mch.h5"), {});
  const auto r = test::train_predict_evaluate(dir, dir.file("mch.h5"), files);
  CHECK(r.steps == 20);
  CHECK(r.forecast_dims == std::vector<std::int64_t>{1, 2, 16, 16});
  CHECK(r.windows == 26);
}

// MRMS-like GRIB2 files written by GDAL's own GRIB writer (gdal_translate, from gdal-bin): discipline 209,
// category 6, parameter 1 (PrecipRate in GDAL's MRMS table), centre 161, on the IAU 1965 lon/lat grid, from
// GeoTIFFs of the values that convlstm writes; -3 marks no coverage.
std::vector<std::string> write_mrms_like(const test::TempDir& dir, int frames) {
  std::vector<std::string> files;
  for (int t = 0; t < frames; ++t) {
    forecast::GeoForecast f;
    f.field.grid.proj = "+proj=longlat +a=6378160 +rf=298.2539 +no_defs";
    f.field.grid.wkt = geo::wkt_of(f.field.grid.proj);
    f.field.grid.x0 = -100.0;
    f.field.grid.y0 = 40.0;
    f.field.grid.dx = f.field.grid.dy = 0.01;
    f.field.grid.rows = f.field.grid.cols = 16;
    f.analysis_time = 1560124800 + 120 * t;  // 2019-06-10 00:00 + 2 t minutes
    f.lead_s = {0};
    f.software_version = "test";
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x)
        f.values.push_back(y < 3 && x < 3 ? -3.0f : ((x - t) % 16 + 16) % 16 < 4 ? 12.5f : 0.0f);
    const auto tif = forecast::write_cog_forecast(f, dir.file("src" + std::to_string(t))).at(0);
    char stamp[32];
    const std::time_t tt = static_cast<std::time_t>(f.analysis_time);
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&tt));
    char name[64];
    std::snprintf(name, sizeof name, "PrecipRate_00.00_20190610-00%02d00.grib2", 2 * t);
    const auto r = test::run_in(
        dir,
        std::string("gdal_translate -q -of GRIB -co DISCIPLINE=209 -co 'IDS=CENTER=161 SUBCENTER=0 "
                    "MASTER_TABLE=2 LOCAL_TABLE=1 SIGNF_REF_TIME=3 REF_TIME=") +
            stamp +
            " PROD_STATUS=2 TYPE=7' -co PDS_PDTN=0 -co 'PDS_TEMPLATE_NUMBERS=6 1 2 0 0 0 0 0 0 0 0 0 0 102 0 "
            "0 0 0 0 255 0 0 0 0 0' -co DATA_ENCODING=SIMPLE_PACKING " +
            tif + " " + name);
    if (r.status != 0) return {};
    files.push_back(dir.file(name));
  }
  return files;
}

TEST_CASE("MRMS-like GRIB2 files written here: PrecipRate - no coverage - the valid time - end to end",
          "[data][radar]") {
  test::TempDir dir;
  if (test::run_in(dir, "command -v gdal_translate").status != 0) {
    CONVLSTM_SKIP("geo", "gdal_translate (gdal-bin) is not installed");
  }
  const auto files = write_mrms_like(dir, 12);
  REQUIRE(files.size() == 12);
  const auto fr = data::read_radar(files[1]);
  CHECK(fr.format == "mrms");
  CHECK(fr.source_quantity == "PrecipRate");
  CHECK(fr.time == 1560124800 + 120);
  CHECK(fr.valid[0] == 0);  // -3
  CHECK(fr.values[5 * 16 + 1] == Approx(12.5f).margin(0.01));
  CHECK(fr.values[5 * 16 + 8] == 0.0f);
  CHECK(fr.grid.x0 == Approx(-100.0).margin(1e-9));
  CHECK(fr.grid.y0 == Approx(40.0).margin(1e-9));
  CHECK(fr.grid.dx == Approx(0.01).margin(1e-12));
  data::import_radar(files, dir.file("mrms.h5"), {});
  const auto r = test::train_predict_evaluate(dir, dir.file("mrms.h5"), files);
  CHECK(r.steps == 20);
  CHECK(r.forecast_dims == std::vector<std::int64_t>{1, 2, 16, 16});
  CHECK(r.windows == 8);
}

}  // namespace
}  // namespace convlstm
