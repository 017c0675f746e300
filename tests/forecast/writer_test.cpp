// The forecast writers' table (forecast/writer.hpp); each writer's output is read back in
// tests/data/grid_test.cpp, tests/data/gdal_formats_test.cpp and tests/eval/predict_evaluate_test.cpp.
#include "forecast/writer.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

namespace convlstm {
namespace {

TEST_CASE("the writers' table names each format once - and maps suffixes to formats", "[eval]") {
  std::set<std::string> names;
  for (const auto& f : forecast::formats()) {
    CHECK(names.insert(f.name).second);
    CHECK(std::string(f.writes).size() > 0);
    CHECK(f.open != nullptr);
  }
  CHECK(names == std::set<std::string>{"hdf5", "odim", "netcdf", "geotiff"});
  CHECK(std::string(forecast::format_for("", "a/b.nc").name) == "netcdf");
  CHECK(std::string(forecast::format_for("", "a/b.tif").name) == "geotiff");
  CHECK(std::string(forecast::format_for("", "a/b.tiff").name) == "geotiff");
  CHECK(std::string(forecast::format_for("", "a/b.h5").name) == "hdf5");
  CHECK(std::string(forecast::format_for("", "a/b").name) == "hdf5");
  CHECK(std::string(forecast::format_for("odim", "a/b.h5").name) == "odim");
  CHECK(forecast::stem("a/b.tiff") == "a/b");
  CHECK(forecast::stem("a/b.nc") == "a/b");
  CHECK(forecast::stem("a/b") == "a/b");
  CHECK_THROWS_WITH(forecast::format_named("grib"),
                    Catch::Contains("grib") && Catch::Contains("hdf5, odim, netcdf or geotiff"));
}

}  // namespace
}  // namespace convlstm
