// BoM Rainfields netCDF input (docs/formats.md): the real sample, files written here
// (rows stored south-first, km coordinates, fill and negative values), refusals, and the whole chain from
// import to evaluate.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/h5.hpp"
#include "data/netcdf.hpp"
#include "data/radar.hpp"
#include "data/radar_import.hpp"
#include "support/chain.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"

namespace convlstm {
namespace {

namespace fs = std::filesystem;
using nc = data::nc::File;

struct BomFile {
  std::int64_t rows = 4, cols = 3;
  std::int64_t valid_time = 1604102400, start_time = 1604101800;  // 10 minutes
  bool y_ascending = true;                                        // stored south-first
  std::vector<std::int16_t> raw;                                  // rows x cols, as stored
  bool with_valid_time = true;
  bool three_d = false;
};

// A Rainfields-like file: precipitation(y, x) short, scale 0.05, fill -1, kg m-2 over start..valid time.
void write_bom(const std::string& path, const BomFile& b) {
  auto f = nc::create(path);
  if (b.three_d) f.define_dim("t", 1);
  f.define_dim("y", b.rows);
  f.define_dim("x", b.cols);
  f.define_var("x", nc::Type::float64, {"x"});
  f.define_var("y", nc::Type::float64, {"y"});
  f.put_att("x", "units", "km");
  f.put_att("y", "units", "km");
  f.define_var("proj", nc::Type::int8, {});
  f.put_att("proj", "grid_mapping_name", "albers_conical_equal_area");
  f.put_numbers("proj", "standard_parallel", {-26.2, -29.3});
  f.put_numbers("proj", "longitude_of_central_meridian", {153.24});
  f.put_numbers("proj", "latitude_of_projection_origin", {-27.7178});
  f.put_numbers("proj", "semi_major_axis", {6378137.0});
  f.put_numbers("proj", "semi_minor_axis", {6356752.31414});
  f.define_var("precipitation", nc::Type::int16,
               b.three_d ? std::vector<std::string>{"t", "y", "x"} : std::vector<std::string>{"y", "x"});
  f.put_numbers("precipitation", "_FillValue", {-1.0}, nc::Type::int16);
  f.put_numbers("precipitation", "scale_factor", {0.05});
  f.put_numbers("precipitation", "add_offset", {0.0});
  f.put_att("precipitation", "units", "kg m-2");
  f.put_att("precipitation", "grid_mapping", "proj");
  for (const char* t : {"valid_time", "start_time"}) {
    if (std::string(t) == "valid_time" && !b.with_valid_time) continue;
    f.define_var(t, nc::Type::int64, {});
    f.put_att(t, "units", "seconds since 1970-01-01 00:00:00 UTC");
  }
  f.put_att("", "Conventions", "CF-1.7");
  f.end_define();
  std::vector<double> x, y;
  for (std::int64_t i = 0; i < b.cols; ++i) x.push_back(-0.25 * static_cast<double>(b.cols - 1) + 0.5 * i);
  for (std::int64_t i = 0; i < b.rows; ++i) {
    const double c = -0.25 * static_cast<double>(b.rows - 1) + 0.5 * i;
    y.push_back(b.y_ascending ? c : -c);
  }
  f.put("x", x);
  f.put("y", y);
  f.put("precipitation", b.raw);
  if (b.with_valid_time) f.put("valid_time", std::vector<std::int64_t>{b.valid_time});
  f.put("start_time", std::vector<std::int64_t>{b.start_time});
  f.close();
}

TEST_CASE("BoM netCDF written here: rows north-first - fill is missing - depth to rate - grid", "[data]") {
  test::TempDir dir;
  BomFile b;
  // Stored south-first: file row 0 is the southernmost. Raw 20 = 1 mm in 10 minutes = 6 mm/h.
  b.raw = {20, 0,  -1,  //
           0,  0,  0,   //
           0,  -2, 0,   //
           40, 0,  306};
  write_bom(dir.file("a.nc"), b);
  CHECK(data::detect_radar_format(dir.file("a.nc")) == "bom");
  const auto fr = data::read_radar(dir.file("a.nc"));
  CHECK(fr.grid_rows == 4);
  CHECK(fr.grid_cols == 3);
  CHECK(fr.time == 1604102400);
  CHECK(fr.accumulation_min == 10.0);
  CHECK(fr.pixel_x == Approx(500.0));
  CHECK(fr.pixel_y == Approx(500.0));
  CHECK(fr.projdef.find("+proj=aea +lat_1=-26.2 +lat_2=-29.3 +lat_0=-27.7178 +lon_0=153.24") == 0);
  // North row first: the file's last row.
  CHECK(fr.values[0] == Approx(40 * 0.05 * 6));
  CHECK(fr.values[2] == Approx(306 * 0.05 * 6));
  CHECK(fr.values[9] == Approx(6.0f));
  CHECK(fr.valid[11] == 0);  // the fill value, -1
  CHECK(fr.valid[4] == 1);   // -2: no rain
  CHECK(fr.values[4] == 0.0f);
  CHECK(std::count(fr.valid.begin(), fr.valid.end(), 0) == 1);
  // A region of the north-first grid reads the same pixels.
  const auto part = data::read_radar(dir.file("a.nc"), std::nullopt, "", {0, 1, 2, 2});
  CHECK(part.values == std::vector<float>{0.0f, fr.values[2], 0.0f, 0.0f});
  // Stored north-first, the same field reads the same.
  BomFile n = b;
  n.y_ascending = false;
  n.raw = {40, 0, 306, 0, -2, 0, 0, 0, 0, 20, 0, -1};
  write_bom(dir.file("n.nc"), n);
  CHECK(data::read_radar(dir.file("n.nc")).values == fr.values);
}

TEST_CASE("BoM netCDF refusals name the file", "[data]") {
  test::TempDir dir;
  BomFile b;
  b.raw.assign(12, 0);
  b.with_valid_time = false;
  write_bom(dir.file("no_time.nc"), b);
  CHECK_THROWS_WITH(data::read_radar(dir.file("no_time.nc")),
                    Catch::Contains("no_time.nc") && Catch::Contains("valid_time"));
  BomFile c;
  c.three_d = true;
  c.raw.assign(12, 0);
  write_bom(dir.file("cube.nc"), c);
  CHECK_THROWS_WITH(data::read_radar(dir.file("cube.nc"), "bom"),
                    Catch::Contains("cube.nc") && Catch::Contains("3 dimensions"));
  std::ofstream(dir.file("text.nc")) << "CDF\x01 but then nothing";
  CHECK_THROWS_AS(data::read_radar(dir.file("text.nc")), DataError);
  CHECK_THROWS_WITH(data::read_radar(dir.file("text.nc")), Catch::Contains("text.nc"));
}

TEST_CASE("BoM sample decodes as documented", "[data][radar]") {
  const std::string dir = std::string(CONVLSTM_SOURCE_DIR) + "/../shared/data/radar/bom-prcp-c10-66-20201031";
  if (!fs::exists(dir)) {
    CONVLSTM_SKIP("shared", "the real radar samples are not at " << dir);
  }
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".nc") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() == 144);
  const auto first = data::read_radar(files[0]);
  CHECK(first.format == "bom");
  CHECK(first.grid_rows == 512);
  CHECK(first.grid_cols == 512);
  CHECK(first.time == 1604102400);  // 2020-10-31 00:00, the end of the accumulation
  CHECK(first.accumulation_min == 10.0);
  CHECK(first.pixel_x == Approx(500.0));
  CHECK(first.projdef.find("+proj=aea") == 0);
  // The documented raw range -2..306 (15.3 mm in 10 minutes, 91.8 mm/h); 17 of 144 files hold negative raw
  // values: 16 the fill -1 (missing here), 6 the -2 (no rain here), counted with h5py.
  int with_fill = 0;
  float most = 0.0f;
  for (const auto& f : files) {
    const auto fr = data::read_radar(f);
    with_fill += std::count(fr.valid.begin(), fr.valid.end(), 0) > 0;
    most = std::max(most, *std::max_element(fr.values.begin(), fr.values.end()));
    CHECK(fr.time == first.time + 600 * (&f - files.data()));
  }
  CHECK(with_fill == 16);
  CHECK(most == Approx(306 * 0.05 * 6).epsilon(1e-5));
}

TEST_CASE("BoM netCDF end to end: import - train 20 steps - predict from raw files - evaluate",
          "[data][slow]") {
  test::TempDir dir;
  std::vector<std::string> files;
  for (int t = 0; t < 30; ++t) {
    BomFile b;
    b.rows = b.cols = 16;
    b.valid_time = 1604102400 + 600 * t;
    b.start_time = b.valid_time - 600;
    b.raw.assign(256, 0);
    for (int y = 0; y < 16; ++y)  // a band of rain moving east a pixel a frame
      for (int x = 0; x < 4; ++x) b.raw[y * 16 + (x + t) % 16] = static_cast<std::int16_t>(10 + 5 * x);
    files.push_back(dir.file("f" + std::to_string(100 + t) + ".nc"));
    write_bom(files.back(), b);
  }
  data::import_radar(files, dir.file("bom.h5"), {});
  data::DatasetReader ds(dir.file("bom.h5"));
  CHECK(ds.meta().frames == 30);
  CHECK(ds.meta().field.provenance.at("import_source_format") == "bom");
  const auto r = test::train_predict_evaluate(dir, dir.file("bom.h5"), files);
  CHECK(r.steps == 20);
  CHECK(r.forecast_dims == std::vector<std::int64_t>{1, 2, 16, 16});
  CHECK(r.windows == 26);
  CHECK(r.lead_times_s == std::vector<double>{600, 1200});
}

}  // namespace
}  // namespace convlstm
