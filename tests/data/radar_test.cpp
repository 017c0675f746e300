#include "data/radar.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/h5.hpp"
#include "data/radar_import.hpp"
#include "support/chain.hpp"
#include "support/radar_files.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"

namespace convlstm {
namespace {

namespace fs = std::filesystem;

// The real radar samples beside the checkout (../shared/data/radar); tests that need them skip without them.
std::string radar_dir() {
  return std::string(CONVLSTM_SOURCE_DIR) + "/../shared/data/radar";
}
bool have_radar() {
  return fs::exists(radar_dir() + "/knmi-20100826");
}
std::string knmi(int minute_of_day) {
  char name[64];
  std::snprintf(name, sizeof name, "/knmi-20100826/RAD_NL25_RAP_5min_20100826%02d%02d.h5", minute_of_day / 60,
                minute_of_day % 60);
  return radar_dir() + name;
}

TEST_CASE("time and calibration strings parse", "[data]") {
  CHECK(data::parse_knmi_time("26-AUG-2010;00:00:00.000") == 1282780800);
  CHECK(data::parse_knmi_time("25-AUG-2010;23:55:00.000") == 1282780800 - 300);
  CHECK(data::parse_odim_time("20180824", "180000") == 1535133600);
  CHECK_THROWS_AS(data::parse_knmi_time("26-XYZ-2010;00:00:00.000"), DataError);
  CHECK_THROWS_AS(data::parse_odim_time("2018082", "180000"), DataError);
  double g = 0, o = 0;
  data::parse_knmi_calibration("GEO=0.01*PV+0.0", g, o);
  CHECK(g == 0.01);
  CHECK(o == 0.0);
  data::parse_knmi_calibration("GEO= 0.5*PV -32", g, o);
  CHECK(g == 0.5);
  CHECK(o == -32.0);
  CHECK_THROWS_AS(data::parse_knmi_calibration("GEO=log(PV)", g, o), DataError);
  // Found by fuzzing: what the pattern lets through must still be a finite number.
  CHECK_THROWS_AS(data::parse_knmi_calibration("GEO=.*PV", g, o), DataError);
  CHECK_THROWS_AS(data::parse_knmi_calibration("GEO=1e999*PV", g, o), DataError);
  CHECK_THROWS_AS(data::parse_knmi_calibration("GEO=1*PV+e", g, o), DataError);
  CHECK(data::dbz_from_rain_rate(1.0f, 200, 1.6) == Approx(23.01).epsilon(1e-3));
  CHECK(data::rain_rate_from_dbz(39.01f, 200, 1.6) == Approx(10.0).epsilon(1e-3));
}

TEST_CASE("ODIM decoding: merged attributes - nodata - undetect - NaN - gain and offset", "[data]") {
  test::TempDir dir;
  const bool data_level = GENERATE(true, false);
  test::write_odim_file(dir.file("r.h5"), {"DBZH", "010000", data_level});
  CHECK(data::detect_radar_format(dir.file("r.h5")) == "odim");
  const auto fr = data::read_radar(dir.file("r.h5"));
  CHECK(fr.source_quantity == "DBZH");
  CHECK(fr.quantity == data::Quantity::reflectivity);
  CHECK(fr.time == data::parse_odim_time("20241126", "010000"));
  CHECK(fr.projdef == "+proj=laea +lat_0=55.0 +lon_0=10.0");  // trailing blank trimmed
  const std::vector<std::uint8_t> valid{1, 0, 1, 1, 0, 1, 1, 1};
  CHECK(fr.valid == valid);
  CHECK(fr.values[0] == data::kDbzFloor);  // undetect
  CHECK(fr.values[2] == Approx(0.0f));     // -10 + 0.5 * 20
  CHECK(fr.values[3] == Approx(40.0f));
  CHECK_THROWS_WITH(data::read_radar(dir.file("r.h5"), std::nullopt, "RATE"),
                    Catch::Contains("no RATE data"));
  // Imported as rain rate: Z-R conversion, undetect is no rain.
  data::ImportOptions o;
  const auto p = data::process_radar_file(dir.file("r.h5"), o);
  CHECK(p.values[0] == 0.0f);
  CHECK(p.mask[1] == 0.0f);
  CHECK(p.values[3] == Approx(data::rain_rate_from_dbz(40.0f, 200, 1.6)));
}

TEST_CASE("a file of no known radar format is refused by name", "[data]") {
  test::TempDir dir;
  { auto f = data::h5::File::create(dir.file("x.h5")); }
  CHECK_THROWS_WITH(data::detect_radar_format(dir.file("x.h5")), Catch::Contains("x.h5") &&
                                                                     Catch::Contains("not a radar format") &&
                                                                     Catch::Contains("ODIM_H5"));
}

TEST_CASE("KNMI sample decodes as documented", "[data][radar]") {
  if (!have_radar())
    CONVLSTM_SKIP("shared", "the real radar samples are not at " << radar_dir()
                                                                 << " (CI and developers have ../shared)");
  const auto fr = data::read_radar(knmi(0));
  CHECK(fr.format == "knmi");
  CHECK(fr.grid_rows == 765);
  CHECK(fr.grid_cols == 700);
  CHECK(fr.time == data::parse_knmi_time("26-AUG-2010;00:00:00.000"));
  CHECK(fr.accumulation_min == 5.0);
  CHECK(std::count(fr.valid.begin(), fr.valid.end(), 0) == 398271);
  // Max depth 0.72 mm in 5 minutes = 8.64 mm/h.
  CHECK(*std::max_element(fr.values.begin(), fr.values.end()) == Approx(0.72 * 12).epsilon(1e-5));
}

TEST_CASE("OPERA samples decode as documented", "[data][radar][slow]") {
  if (!have_radar())
    CONVLSTM_SKIP("shared", "the real radar samples are not at " << radar_dir()
                                                                 << " (CI and developers have ../shared)");
  const auto rate = data::read_radar(radar_dir() + "/opera-20180824/T_PAAH21_C_EUOC_20180824180000.hdf");
  CHECK(rate.grid_rows == 2200);
  CHECK(rate.grid_cols == 1900);
  CHECK(rate.source_quantity == "RATE");  // not QIND
  const double n = static_cast<double>(rate.values.size());
  CHECK(std::count(rate.valid.begin(), rate.valid.end(), 0) / n == Approx(0.4990).margin(5e-4));
  CHECK(*std::max_element(rate.values.begin(), rate.values.end()) == Approx(1205).margin(1.0));
  const auto dbz =
      data::read_radar(radar_dir() + "/opera-cirrus-20241126/T_PABV21_C_EUOC_20241126010000.hdf");
  CHECK(dbz.grid_rows == 4400);
  CHECK(dbz.grid_cols == 3800);
  CHECK(dbz.quantity == data::Quantity::reflectivity);
  float lo = 1e9f, hi = -1e9f;
  for (std::size_t i = 0; i < dbz.values.size(); ++i)
    if (dbz.valid[i] && dbz.values[i] > data::kDbzFloor) {
      lo = std::min(lo, dbz.values[i]);
      hi = std::max(hi, dbz.values[i]);
    }
  CHECK(lo == Approx(-32.0f));
  CHECK(hi == Approx(78.0f));
}

TEST_CASE("importing a KNMI series: time order - crop - downsample - segments at gaps - refusals",
          "[data][radar]") {
  if (!have_radar())
    CONVLSTM_SKIP("shared", "the real radar samples are not at " << radar_dir()
                                                                 << " (CI and developers have ../shared)");
  test::TempDir dir;
  data::ImportOptions o;
  o.crop = data::Crop{200, 150, 440, 440};
  o.downsample = 4;
  // Out of order, and 00:15 missing: two segments.
  const std::vector<std::string> files{knmi(20), knmi(0), knmi(10), knmi(5), knmi(25)};
  const auto r = data::import_radar(files, dir.file("k.h5"), o);
  CHECK(r.frames == 5);
  CHECK(r.segments == 2);
  data::DatasetReader ds(dir.file("k.h5"));
  CHECK(ds.meta().height == 110);
  CHECK(ds.meta().width == 110);
  CHECK(ds.meta().field.quantity == data::Quantity::rain_rate);
  CHECK(ds.meta().field.units == "mm/h");
  CHECK(ds.meta().field.time.front() == data::parse_knmi_time("26-AUG-2010;00:00:00.000"));
  CHECK(ds.meta().field.provenance.at("import_crop") == "200,150,440,440");
  const auto back = data::options_from_provenance(ds.meta().field);
  CHECK(back.downsample == 4);
  CHECK(back.crop->y0 == 200);
  // Each output pixel is the mean of the observed pixels of its 4x4 block.
  const auto raw = data::read_radar(knmi(0));
  std::vector<float> v(110 * 110), m(v.size());
  ds.read(0, 1, v.data(), m.data());
  double sum = 0, count = 0;
  for (int dy = 0; dy < 4; ++dy)
    for (int dx = 0; dx < 4; ++dx) {
      const std::size_t i = (200 + 50 * 4 + dy) * 700 + 150 + 60 * 4 + dx;
      if (raw.valid[i]) {
        sum += raw.values[i];
        ++count;
      }
    }
  REQUIRE(count > 0);
  CHECK(v[50 * 110 + 60] == Approx(sum / count).epsilon(1e-5));
  CHECK_THROWS_WITH(data::import_radar({knmi(0), knmi(0)}, dir.file("d.h5"), o),
                    Catch::Contains("same time"));
  CHECK_FALSE(fs::exists(dir.file("d.h5")));
  const auto opera = radar_dir() + "/opera-20180824/T_PAAH21_C_EUOC_20180824180000.hdf";
  CHECK_THROWS_WITH(data::import_radar({knmi(0), opera}, dir.file("g.h5"), {}), Catch::Contains("differs"));
}

}  // namespace
}  // namespace convlstm

namespace convlstm {
namespace {

// A KNMI-like file as KNMI writes them: 1-element array attributes, fixed-length strings, uint16 data. The
// 5-minute accumulation starts at 25-AUG-2010 23:55 (so the file ending at 00:00 is 5 minutes long).
void write_knmi(const std::string& path, const std::string& formula) {
  test::write_knmi_file(path, 0, formula, 2, 3, {0, 10, 65535, 245, 1, 0});
}

TEST_CASE("KNMI decoding on a file written here: arrays - fixed strings - calibration - missing", "[data]") {
  test::TempDir dir;
  write_knmi(dir.file("k.h5"), "GEO=0.01*PV+0.0");
  CHECK(data::detect_radar_format(dir.file("k.h5")) == "knmi");
  const auto fr = data::read_radar(dir.file("k.h5"));
  CHECK(fr.time == 1282780800);
  CHECK(fr.accumulation_min == 5.0);
  CHECK(fr.projdef == "+proj=stere");
  CHECK(fr.valid == std::vector<std::uint8_t>{1, 1, 0, 1, 1, 1});
  CHECK(fr.values[1] == Approx(0.10 * 12));  // 0.1 mm in 5 minutes = 1.2 mm/h
  CHECK(fr.values[3] == Approx(2.45 * 12));
  CHECK(fr.values[0] == 0.0f);  // 0 is measured: no rain
  write_knmi(dir.file("bad.h5"), "GEO=log(PV)");
  CHECK_THROWS_WITH(data::read_radar(dir.file("bad.h5")), Catch::Contains("calibration formula"));
}

TEST_CASE("ODIM rain rates: sizes signed or unsigned - undetect is no rain", "[data]") {
  test::TempDir dir;
  const bool data_level = GENERATE(true, false);  // unsigned sizes at data level, signed at dataset level
  test::write_odim_file(dir.file("r.h5"), {"RATE", "000000", data_level});
  const auto a = data::read_radar(dir.file("r.h5"));
  CHECK(a.grid_cols == 4);
  CHECK(a.grid_rows == 2);
  CHECK(a.source_quantity == "RATE");
  CHECK(a.quantity == data::Quantity::rain_rate);
  CHECK(a.values[0] == 0.0f);           // undetect: no rain
  CHECK(a.values[3] == Approx(40.0f));  // -10 + 0.5 * 100 mm/h
  CHECK(a.valid[4] == 0);               // NaN: missing
}

}  // namespace
}  // namespace convlstm

namespace convlstm {
namespace {

TEST_CASE("import skips a damaged file in a series - splitting it there - and --strict refuses it",
          "[data]") {
  test::TempDir dir;
  const std::string formula = "GEO = 0.010000 * PV + 0.000000";
  const std::vector<float> raw(4 * 4, 100.0f);
  std::vector<std::string> files;
  for (int minutes : {0, 5, 15, 20}) {
    files.push_back(dir.file("knmi_" + std::to_string(minutes) + ".h5"));
    test::write_knmi_file(files.back(), minutes, formula, 4, 4, raw);
  }
  // The 00:10 file arrived damaged: cut to its first bytes.
  test::write_knmi_file(dir.file("knmi_10.h5"), 10, formula, 4, 4, raw);
  fs::resize_file(dir.file("knmi_10.h5"), 300);
  files.push_back(dir.file("knmi_10.h5"));

  const auto r = data::import_radar(files, dir.file("series.h5"), {});
  CHECK(r.frames == 4);
  CHECK(r.segments == 2);  // 00:00-00:05 and 00:15-00:20
  REQUIRE(r.skipped.size() == 1);
  CHECK_THAT(r.skipped[0], Catch::Contains("knmi_10.h5"));
  data::DatasetReader ds(dir.file("series.h5"));
  CHECK(ds.meta().frames == 4);

  data::ImportOptions strict;
  strict.strict = true;
  CHECK_THROWS_WITH(data::import_radar(files, dir.file("strict.h5"), strict), Catch::Contains("knmi_10.h5"));
  CHECK_FALSE(fs::exists(dir.file("strict.h5")));
  // Nothing readable at all is an error naming the first reason.
  CHECK_THROWS_WITH(data::import_radar({dir.file("knmi_10.h5")}, dir.file("none.h5"), {}),
                    Catch::Contains("none of the 1 files could be read"));
  CHECK_FALSE(fs::exists(dir.file("none.h5")));
}

TEST_CASE(
    "KNMI and ODIM end to end on files written here: import - train 20 steps - predict from raw files - "
    "evaluate",
    "[data][slow]") {
  test::TempDir knmi_dir;
  std::vector<std::string> knmi;
  for (int t = 0; t < 30; ++t) {  // a band of echo moving east a pixel a frame; one pixel missing
    std::vector<float> raw(16 * 16);
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x)
        raw[y * 16 + x] = y == 0 && x == 0 ? 65535 : ((x - t) % 16 + 16) % 16 < 4 ? 40 : 0;
    knmi.push_back(knmi_dir.file("knmi_" + std::to_string(t) + ".h5"));
    test::write_knmi_file(knmi.back(), 5 * t, "GEO=0.01*PV+0.0", 16, 16, raw);
  }
  data::import_radar(knmi, knmi_dir.file("knmi.h5"), {});
  auto r = test::train_predict_evaluate(knmi_dir, knmi_dir.file("knmi.h5"), knmi);
  CHECK(r.steps == 20);
  CHECK(r.forecast_dims == std::vector<std::int64_t>{1, 2, 16, 16});
  CHECK(r.windows == 26);
  test::TempDir odim_dir;
  std::vector<std::string> odim;
  for (int t = 0; t < 30; ++t) {  // 5-minute composites of the 2 x 4 image the writer draws
    char hhmmss[16];
    std::snprintf(hhmmss, sizeof hhmmss, "%02d%02d00", (5 * t) / 60, (5 * t) % 60);
    odim.push_back(odim_dir.file(std::string("odim_") + hhmmss + ".h5"));
    test::write_odim_file(odim.back(), {"DBZH", hhmmss, true});
  }
  data::import_radar(odim, odim_dir.file("odim.h5"), {});
  r = test::train_predict_evaluate(odim_dir, odim_dir.file("odim.h5"), odim);
  CHECK(r.steps == 20);
  CHECK(r.forecast_dims == std::vector<std::int64_t>{1, 2, 2, 4});
  CHECK(r.windows == 26);
}

TEST_CASE("the readers' table names each format once and is what --format accepts", "[data]") {
  const auto formats = data::radar_formats();
  REQUIRE(formats.size() == 8);
  std::set<std::string> names;
  for (const auto& f : formats) {
    CHECK(!f.reads.empty());
    CHECK(names.insert(f.name).second);
    CHECK(data::parse_radar_format(f.name) == f.name);
  }
  CHECK_THROWS_AS(data::parse_radar_format("gif"), UsageError);
  CHECK_THROWS_WITH(data::parse_radar_format("gif"),
                    Catch::Contains("gif") && Catch::Contains("knmi") && Catch::Contains("geotiff"));
}

}  // namespace
}  // namespace convlstm
