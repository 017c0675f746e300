// DWD RADOLAN input (docs/formats.md): files written here (gzipped and plain, every flag bit), refusals, the
// real samples of 2014-08-10 with the corners DWD's format description gives, and the chain from import to
// evaluate on a series written here.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "checkpoint/checkpoint.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/gzip.hpp"
#include "data/h5.hpp"
#include "data/radar.hpp"
#include "data/radar_import.hpp"
#include "data/units.hpp"
#include "eval/predict.hpp"
#include "geo/crs.hpp"
#include "support/chain.hpp"
#include "support/radar_files.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"
#include "train/trainer.hpp"

namespace convlstm {
namespace {

namespace fs = std::filesystem;

// A RADOLAN file of `product` on the 900x900 grid at ddhhmm of August 2014: `values` (row 0 north, as
// convlstm reads them) stored southernmost row first, 2 bytes (RY, RW) or 1 (RX) each.
std::string write_radolan(const test::TempDir& dir, const std::string& name, const std::string& product,
                          const std::string& ddhhmm, const std::vector<int>& values, bool gzip,
                          const std::string& precision = " E-02", const std::string& interval = "   5") {
  const std::int64_t rows = 900, cols = 900, width = product == "RX" ? 1 : 2;
  std::string data(static_cast<std::size_t>(rows * cols * width), '\0');
  for (std::int64_t y = 0; y < rows; ++y)
    for (std::int64_t x = 0; x < cols; ++x) {
      const int v = values[static_cast<std::size_t>((y * cols + x) % values.size())];
      const std::int64_t k = (rows - 1 - y) * cols + x;
      if (width == 1) {
        data[static_cast<std::size_t>(k)] = static_cast<char>(v);
      } else {
        data[static_cast<std::size_t>(2 * k)] = static_cast<char>(v & 0xff);
        data[static_cast<std::size_t>(2 * k + 1)] = static_cast<char>((v >> 8) & 0xff);
      }
    }
  const std::string tail = "VS 3SW   2.13.1PR" + precision + "INT" + interval + "GP 900x 900MS 10<boo,ros>";
  std::string header = product + ddhhmm + "100000814BY";
  const std::size_t length = header.size() + 7 + tail.size();  // BY's 7 digits
  char by[16];
  std::snprintf(by, sizeof by, "%7lld", static_cast<long long>(length + 1 + data.size()));
  header += by + tail + "\x03";
  const std::string path = dir.file(name);
  data::gz::write(path, {header, data}, gzip);
  return path;
}

TEST_CASE("RADOLAN written here: RY and RW depths to rates - flag bits - RX dBZ - the grid - gzip",
          "[data]") {
  test::TempDir dir;
  const bool gzip = GENERATE(true, false);
  INFO((gzip ? "gzipped" : "plain"));
  // RY: 0.01 mm in 5 minutes; 120 = 1.2 mm = 14.4 mm/h; flags: secondary (still data), missing, negative,
  // clutter.
  const std::vector<int> ry{120, 0x1000 | 120, 0x2000, 0x4000 | 5, 0x8000 | 300, 0};
  const auto p = write_radolan(dir, "raa01-ry_10000-1408102050-dwd---bin", "RY", "102050", ry, gzip);
  CHECK(data::detect_radar_format(p) == "radolan");
  const auto fr = data::read_radar(p, std::nullopt, "", {0, 0, 1, 6});
  CHECK(fr.time == 1407703800);  // 2014-08-10 20:50 UTC
  CHECK(fr.quantity == data::Quantity::rain_rate);
  CHECK(fr.accumulation_min == 5.0);
  CHECK(fr.values[0] == Approx(14.4));
  CHECK(fr.values[1] == Approx(14.4));
  CHECK(fr.valid == std::vector<std::uint8_t>{1, 1, 0, 1, 0, 1});
  CHECK(fr.values[3] == 0.0f);  // a negative depth is no rain
  CHECK(fr.values[5] == 0.0f);
  // The grid: 1 km, its upper-left corner 900 km above the documented lower-left one.
  CHECK(fr.grid.dx == 1000.0);
  CHECK(fr.grid.x0 == Approx(-523462.2));
  CHECK(fr.grid.y0 == Approx(-3758645.0));
  // Rows north-first: a pattern of 901 values, so that every row differs; the region of the last
  // (southernmost) row reads the file's first row.
  std::vector<int> ramp(901);
  for (int i = 0; i < 901; ++i) ramp[i] = i;
  const auto rp = write_radolan(dir, "ramp.bin", "RY", "102050", ramp, gzip);
  const auto south = data::read_radar(rp, std::nullopt, "", {899, 10, 1, 2});
  const int first = (899 * 900 + 10) % 901;  // the values' index of (row 899, column 10)
  CHECK(south.values[0] == Approx(first * 0.12));
  CHECK(south.values[1] == Approx((first + 1) * 0.12));
  // RW: hourly depth in 0.1 mm: 25 = 2.5 mm in an hour = 2.5 mm/h.
  const auto rw = write_radolan(dir, "rw.bin", "RW", "030950", {25}, gzip, " E-01", "  60");
  const auto w = data::read_radar(rw, std::nullopt, "", {0, 0, 1, 1});
  CHECK(w.values[0] == Approx(2.5));
  CHECK(w.accumulation_min == 60.0);
  CHECK(w.time == 1407059400);  // 2014-08-03 09:50 UTC
  // RX: dBZ = v / 2 - 32.5; 250 missing, 249 clutter.
  const auto rx = write_radolan(dir, "rx.bin", "RX", "102050", {100, 250, 249, 0}, gzip, " E+00");
  const auto x = data::read_radar(rx, std::nullopt, "", {0, 0, 1, 4});
  CHECK(x.quantity == data::Quantity::reflectivity);
  CHECK(x.values[0] == Approx(17.5));
  CHECK(x.valid == std::vector<std::uint8_t>{1, 0, 0, 1});
  CHECK(x.values[3] == -32.5f);  // code 0: the lowest reflectivity RADOLAN stores
}

TEST_CASE("RADOLAN files that are not what they claim are refused by name", "[data]") {
  test::TempDir dir;
  const auto ok = write_radolan(dir, "ok.bin", "RY", "102050", {1}, false);
  // Truncated values.
  fs::copy_file(ok, dir.file("cut.bin"));
  fs::resize_file(dir.file("cut.bin"), 5000);
  CHECK_THROWS_WITH(data::read_radar(dir.file("cut.bin")),
                    Catch::Contains("cut.bin") && Catch::Contains("truncated RADOLAN values"));
  // Another product, a header that never ends, a length that does not fit the grid.
  const auto sf = write_radolan(dir, "sf.bin", "SF", "102050", {1}, false);
  CHECK_THROWS_WITH(data::read_radar(sf), Catch::Contains("sf.bin") && Catch::Contains("RADOLAN product SF"));
  data::gz::write(dir.file("endless.bin"), {"RY102050100000814BY1620134VS 3" + std::string(5000, ' ')},
                  false);
  CHECK_THROWS_WITH(data::read_radar(dir.file("endless.bin")),
                    Catch::Contains("endless.bin") && Catch::Contains("end of the RADOLAN header"));
  data::gz::write(dir.file("short.bin"), {"RY102050100000814BY    999VS 3PR E-02INT   5GP 900x 900\x03"},
                  false);
  CHECK_THROWS_WITH(data::read_radar(dir.file("short.bin")),
                    Catch::Contains("short.bin") && Catch::Contains("does not fit"));
  data::gz::write(dir.file("grid.bin"), {"RY102050100000814BY    999VS 3PR E-02INT   5GP 100x 100\x03"},
                  false);
  CHECK_THROWS_WITH(data::read_radar(dir.file("grid.bin")),
                    Catch::Contains("grid.bin") && Catch::Contains("RADOLAN grid 100x100"));
  for (const char* f : {"cut.bin", "sf.bin", "endless.bin", "short.bin", "grid.bin"})
    CHECK_THROWS_AS(data::read_radar(dir.file(f)), DataError);
}

TEST_CASE("RADOLAN samples (RY, RW, RX, EX of 2014-08-10) decode as documented", "[data][radar]") {
  const std::string dir = std::string(CONVLSTM_SOURCE_DIR) + "/../shared/data/radar/dwd-radolan-20140810";
  if (!fs::exists(dir)) {
    CONVLSTM_SKIP("shared", "the real radar samples are not at " << dir);
  }
  struct Expect {
    const char* file;
    const char* product;
    std::int64_t time, rows, cols;
  };
  const Expect expect[] = {{"raa01-ry_10000-1408102050-dwd---bin.gz", "RY", 1407703800, 900, 900},
                           {"raa01-rw_10000-1408102050-dwd---bin.gz", "RW", 1407703800, 900, 900},
                           {"raa01-rw_10000-1408030950-dwd---bin.gz", "RW", 1407059400, 900, 900},
                           {"raa01-rx_10000-1408102050-dwd---bin.gz", "RX", 1407703800, 900, 900},
                           {"raa01-ex_10000-1408102050-dwd---bin.gz", "EX", 1407703800, 1500, 1400}};
  for (const auto& e : expect) {
    INFO(e.file);
    const auto fr = data::read_radar(dir + "/" + e.file);
    CHECK(fr.format == "radolan");
    CHECK(fr.source_quantity == e.product);
    CHECK(fr.time == e.time);
    CHECK(fr.grid_rows == e.rows);
    CHECK(fr.grid_cols == e.cols);
    // Observed share and value ranges of a summer evening over Germany.
    std::size_t seen = 0, wet = 0;
    float top = 0.0f;
    for (std::size_t i = 0; i < fr.values.size(); ++i) {
      if (!fr.valid[i]) continue;
      ++seen;
      wet += fr.values[i] > (fr.quantity == data::Quantity::reflectivity ? 15.0f : 0.1f);
      top = std::max(top, fr.values[i]);
    }
    const double observed = static_cast<double>(seen) / fr.values.size();
    CHECK(observed > 0.6);
    CHECK(observed < 0.95);
    CHECK(wet > 0);
    CHECK(top < (fr.quantity == data::Quantity::reflectivity ? 95.0f : 300.0f));
  }
  // The national grid's corners where DWD's format description puts them (lon, lat of the outer corners).
  const auto fr = data::read_radar_header(dir + "/raa01-ry_10000-1408102050-dwd---bin.gz");
  const auto ll = geo::lonlat(fr.grid.proj, fr.grid.x0, fr.grid.y0 - 900000.0);
  CHECK(ll.x == Approx(3.5889).margin(1e-3));
  CHECK(ll.y == Approx(46.9526).margin(1e-3));
  const auto ur = geo::lonlat(fr.grid.proj, fr.grid.x0 + 900000.0, fr.grid.y0);
  CHECK(ur.x == Approx(15.7208).margin(1e-3));
  CHECK(ur.y == Approx(54.7405).margin(1e-3));
}

TEST_CASE("RADOLAN end to end: import a series - train 20 steps - predict from raw files - evaluate",
          "[data][slow]") {
  test::TempDir dir;
  std::vector<std::string> files;
  for (int k = 0; k < 30; ++k) {  // a band of rain moving east a pixel every 5 minutes
    std::vector<int> row(900, 0);
    for (int x = 0; x < 900; ++x) row[x] = ((x - k) % 16 + 16) % 16 < 4 ? 100 : 0;
    char t[8];
    std::snprintf(t, sizeof t, "10%02d%02d", (k * 5) / 60 + 18, (k * 5) % 60);
    files.push_back(write_radolan(dir, std::string("ry_") + t + ".gz", "RY", t, row, true));
  }
  data::ImportOptions o;
  o.crop = data::Crop{400, 400, 32, 32};
  o.downsample = 2;
  data::import_radar(files, dir.file("ry.h5"), o);
  data::DatasetReader ds(dir.file("ry.h5"));
  CHECK(ds.meta().frames == 30);
  CHECK(ds.meta().field.provenance.at("import_source_format") == "radolan");
  CHECK(ds.meta().field.georeferenced());
  const auto r = test::train_predict_evaluate(dir, dir.file("ry.h5"), files);
  CHECK(r.steps == 20);
  CHECK(r.forecast_dims == std::vector<std::int64_t>{1, 2, 16, 16});
  CHECK(r.windows == 26);
}

TEST_CASE("a model trained on two radars forecasts from either's raw files - the shared processing recorded",
          "[data][slow]") {
  test::TempDir dir;
  // KNMI 16x16 files and RADOLAN RY files cropped to 16x16, a band of rain moving east in both.
  std::vector<std::string> knmi, radolan;
  for (int t = 0; t < 24; ++t) {
    std::vector<float> raw(16 * 16);
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x) raw[y * 16 + x] = ((x - t) % 16 + 16) % 16 < 4 ? 40 : 0;
    knmi.push_back(dir.file("knmi_" + std::to_string(t) + ".h5"));
    test::write_knmi_file(knmi.back(), 5 * t, "GEO=0.01*PV+0.0", 16, 16, raw);
    std::vector<int> row(900, 0);
    for (int x = 0; x < 900; ++x) row[x] = ((x - t) % 16 + 16) % 16 < 4 ? 30 : 0;
    char when[8];
    std::snprintf(when, sizeof when, "10%02d%02d", (t * 5) / 60 + 18, (t * 5) % 60);
    radolan.push_back(write_radolan(dir, std::string("ry_") + when, "RY", when, row, true));
  }
  data::import_radar(knmi, dir.file("knmi.h5"), {});
  data::ImportOptions crop;
  crop.crop = data::Crop{400, 400, 16, 16};
  data::import_radar(radolan, dir.file("ry.h5"), crop);
  const auto cfg = config::parse_config(
      "", "two radars",
      {"data.train=[" + dir.file("knmi.h5") + ", " + dir.file("ry.h5") + "]", "data.weights=[1, 1]",
       "data.t_in=3", "data.t_out=2", "data.normalize.kind=log", "data.val_fraction=0", "model.patch=2",
       "model.layers=[{filters: 8, k: 3}]", "train.batch_size=2", "train.max_steps=10", "train.val_every=10",
       "output.dir=" + dir.file("run")});
  CHECK(train::train_model(cfg, {}).steps == 10);
  // The record keeps what both imports share (the quantity, the Z-R relation) and drops what differs (the
  // format, detected per file, and the crop).
  const auto info = checkpoint::read_checkpoint_info(dir.file("run/latest.h5"));
  CHECK(info.data.provenance.count("import_quantity") == 1);
  CHECK(info.data.provenance.count("import_format") == 0);
  CHECK(info.data.provenance.count("import_crop") == 0);
  // From raw KNMI files, and from the RADOLAN dataset.
  eval::PredictOptions p;
  p.checkpoint = dir.file("run/latest.h5");
  p.inputs = {knmi.end() - 3, knmi.end()};
  p.output = dir.file("knmi_pred.h5");
  eval::predict(p);
  CHECK(data::h5::File::open_read(p.output).dataset("/pred").dims() ==
        std::vector<std::int64_t>{1, 2, 16, 16});
  p.inputs = {dir.file("ry.h5")};
  p.output = dir.file("ry_pred.h5");
  eval::predict(p);
  CHECK(data::h5::File::open_read(p.output).dataset("/pred").dims() ==
        std::vector<std::int64_t>{1, 2, 16, 16});
}

}  // namespace
}  // namespace convlstm
