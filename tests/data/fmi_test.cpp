// FMI PGM input (docs/formats.md): files written here, gzipped and plain, refusals,
// the two real series, and the whole chain from import to evaluate.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/h5.hpp"
#include "data/pgm.hpp"
#include "data/radar.hpp"
#include "data/radar_import.hpp"
#include "support/chain.hpp"
#include "support/skip.hpp"
#include "support/temp_dir.hpp"

namespace convlstm {
namespace {

namespace fs = std::filesystem;

data::pgm::Image fmi_image(std::int64_t w, std::int64_t h, const std::string& obstime) {
  data::pgm::Image im;
  im.width = w;
  im.height = h;
  im.maxval = 255;
  im.comments = {"composite_area FIN",          "projection_name SUOMI1",      "obstime " + obstime,
                 "param CorrectedReflectivity", "metersperpixel_x 999.674053", "metersperpixel_y 999.62859"};
  im.pixels.assign(static_cast<std::size_t>(w * h), 0);
  return im;
}

TEST_CASE("FMI PGM written here: dBZ = 0.5 v - 32 - 255 no coverage - 0 no echo - time - grid", "[data]") {
  test::TempDir dir;
  auto im = fmi_image(3, 2, "201609281445");
  im.pixels = {0, 100, 255, 64, 200, 1};
  const bool gzip = GENERATE(true, false);
  const std::string path = dir.file(gzip ? "a.pgm.gz" : "a.pgm");
  data::pgm::write(path, im, gzip);
  CHECK(data::detect_radar_format(path) == "fmi");
  const auto fr = data::read_radar(path);
  CHECK(fr.quantity == data::Quantity::reflectivity);
  CHECK(fr.grid_rows == 2);
  CHECK(fr.grid_cols == 3);
  CHECK(fr.time == data::parse_odim_time("20160928", "144500"));
  CHECK(fr.pixel_x == Approx(999.674053));
  CHECK(fr.pixel_y == Approx(999.62859));
  CHECK(fr.projdef.find("+proj=stere +lon_0=25 +lat_0=90 +lat_ts=60 +a=6371288") == 0);
  CHECK(fr.values == std::vector<float>{data::kDbzFloor, 18.0f, 0.0f, 0.0f, 68.0f, -31.5f});
  CHECK(fr.valid == std::vector<std::uint8_t>{1, 1, 0, 1, 1, 1});
  const auto part = data::read_radar(path, std::nullopt, "", {1, 1, 1, 2});
  CHECK(part.values == std::vector<float>{68.0f, -31.5f});
}

TEST_CASE("FMI PGM refusals name the file", "[data]") {
  test::TempDir dir;
  auto im = fmi_image(4, 4, "2016092814");  // too short
  data::pgm::write(dir.file("time.pgm.gz"), im, true);
  CHECK_THROWS_WITH(data::read_radar(dir.file("time.pgm.gz")),
                    Catch::Contains("time.pgm.gz") && Catch::Contains("obstime"));
  im = fmi_image(4, 4, "201609281445");
  data::pgm::write(dir.file("full.pgm"), im, false);
  const auto bytes = fs::file_size(dir.file("full.pgm"));
  fs::copy_file(dir.file("full.pgm"), dir.file("cut.pgm"));
  fs::resize_file(dir.file("cut.pgm"), bytes - 5);
  CHECK_THROWS_WITH(data::read_radar(dir.file("cut.pgm")),
                    Catch::Contains("cut.pgm") && Catch::Contains("truncated"));
  std::ofstream(dir.file("p2.pgm")) << "P2\n2 2\n255\n0 0 0 0\n";
  CHECK_THROWS_WITH(data::read_radar(dir.file("p2.pgm"), "fmi"),
                    Catch::Contains("p2.pgm") && Catch::Contains("P5"));
}

TEST_CASE("FMI samples decode as documented", "[data][radar]") {
  const std::string root = std::string(CONVLSTM_SOURCE_DIR) + "/../shared/data/radar";
  if (!fs::exists(root + "/fmi-pgm-20160928")) {
    CONVLSTM_SKIP("shared", "the real radar samples are not at " << root);
  }
  for (const char* series : {"fmi-pgm-20160928", "fmi-pgm-20170509"}) {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(root + "/" + series)) files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() == 40);
    const auto fr = data::read_radar(files[0]);
    CHECK(fr.format == "fmi");
    CHECK(fr.grid_rows == 1226);
    CHECK(fr.grid_cols == 760);
    CHECK(std::count(fr.valid.begin(), fr.valid.end(), 0) == 226844);  // no coverage, in both samples
    CHECK(fr.pixel_x == Approx(999.674053));
    const auto last = data::read_radar_header(files.back());
    CHECK(last.time - fr.time == 39 * 300);  // 40 frames, 5 minutes apart, named by their obstime
    const std::string name = fs::path(files[0]).filename().string();
    CHECK(fr.time == data::parse_odim_time(name.substr(0, 8), name.substr(8, 4) + "00"));
  }
}

TEST_CASE("FMI PGM end to end: import - train 20 steps - predict from raw files - evaluate", "[data][slow]") {
  test::TempDir dir;
  std::vector<std::string> files;
  for (int t = 0; t < 30; ++t) {
    char obs[16];
    std::snprintf(obs, sizeof obs, "2016092814%02d", t);
    auto im = fmi_image(16, 16, obs);
    for (int y = 0; y < 16; ++y)  // a band of echo moving east a pixel a frame; a corner without coverage
      for (int x = 0; x < 16; ++x)
        im.pixels[y * 16 + x] = y < 3 && x < 3 ? 255 : ((x - t) % 16 + 16) % 16 < 4 ? 140 : 0;
    files.push_back(dir.file(std::string(obs) + ".pgm.gz"));
    data::pgm::write(files.back(), im, true);
  }
  data::import_radar(files, dir.file("fmi.h5"), {});  // reflectivity through Z-R into mm/h
  data::DatasetReader ds(dir.file("fmi.h5"));
  CHECK(ds.meta().frames == 30);
  CHECK(ds.meta().field.provenance.at("import_source_format") == "fmi");
  const auto r = test::train_predict_evaluate(dir, dir.file("fmi.h5"), files);
  CHECK(r.steps == 20);
  CHECK(r.forecast_dims == std::vector<std::int64_t>{1, 2, 16, 16});
  CHECK(r.windows == 26);
}

}  // namespace
}  // namespace convlstm
