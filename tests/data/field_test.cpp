// The data's record (data/field.hpp): the quantity's names, and the record as attributes and back.
#include "data/field.hpp"

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "data/units.hpp"

namespace convlstm {
namespace {

data::FieldInfo knmi_like() {
  data::FieldInfo f = data::field_of(data::Quantity::rain_rate);
  f.grid.proj = "+proj=stere +lat_0=90 +lon_0=0 +lat_ts=60 +a=6378137 +b=6356752 +x_0=0 +y_0=0";
  f.grid.x0 = 150000.0;
  f.grid.y0 = -3850000.0;
  f.grid.dx = f.grid.dy = 2500.5;
  f.grid.rows = 56;
  f.grid.cols = 40;
  f.timestep_s = 300.0;
  f.source = "convlstm import of 3 knmi files: a b c";
  f.provenance = {{"import_zr", "200,1.6"}, {"import_downsample", "4"}};
  f.time = {0, 300, 600};
  return f;
}

TEST_CASE("each quantity has one name - its units - and its dry value", "[data]") {
  for (const auto& e : data::kQuantityNames) CHECK(data::parse_quantity(e.name, "here") == e.value);
  CHECK(std::string(data::units_of(data::Quantity::rain_rate)) == "mm/h");
  CHECK(std::string(data::units_of(data::Quantity::reflectivity)) == "dBZ");
  CHECK(std::string(data::units_of(data::Quantity::accumulation)) == "mm");
  CHECK(std::string(data::units_of(data::Quantity::intensity)) == "1");
  CHECK(data::dry_value(data::Quantity::reflectivity) == data::kDbzFloor);
  CHECK(data::dry_value(data::Quantity::rain_rate) == 0.0f);
  CHECK_THROWS_AS(data::parse_quantity("RATE", "f.h5:/frames"), DataError);
  CHECK_THROWS_WITH(data::parse_quantity("RATE", "f.h5:/frames"),
                    Catch::Contains("f.h5:/frames") && Catch::Contains("'RATE'") &&
                        Catch::Contains("rain_rate, reflectivity, accumulation or intensity"));
}

TEST_CASE("the record goes to attributes and back whole but for the times", "[data]") {
  const auto f = knmi_like();
  const auto a = data::field_attributes(f);
  CHECK(a.at("quantity") == "rain_rate");
  CHECK(a.at("units") == "mm/h");
  CHECK(a.at("timestep_s") == "300");  // as a person writes it
  CHECK(a.at("grid_pixel") == "2500.5,2500.5");
  CHECK(a.count("time") == 0);
  const auto back = data::field_from_attributes(a, "test");
  CHECK(back.quantity == f.quantity);
  CHECK(back.units == f.units);
  CHECK(back.timestep_s == f.timestep_s);
  CHECK(back.source == f.source);
  CHECK(back.provenance == f.provenance);
  CHECK(back.grid.proj == f.grid.proj);
  CHECK(back.grid.x0 == f.grid.x0);
  CHECK(back.grid.y0 == f.grid.y0);
  CHECK(back.grid.dx == f.grid.dx);
  CHECK(back.grid.rows == f.grid.rows);
  CHECK(back.grid.cols == f.grid.cols);
  CHECK(back.time.empty());
  CHECK(data::field_attributes(back) == a);
}

TEST_CASE("records written before the enum and without a grid still read - a malformed one is named",
          "[data]") {
  // Older checkpoints wrote the time step through std::to_string and no grid.
  const auto old = data::field_from_attributes(
      {{"quantity", "reflectivity"}, {"units", "dBZ"}, {"timestep_s", "300.000000"}, {"projdef", "x"}},
      "old.h5");
  CHECK(old.quantity == data::Quantity::reflectivity);
  CHECK(old.timestep_s == 300.0);
  CHECK_FALSE(old.georeferenced());
  CHECK(old.provenance.at("projdef") == "x");
  // Nothing at all: intensity in [0, 1], as the oldest checkpoints mean.
  CHECK(data::field_from_attributes({}, "none").quantity == data::Quantity::intensity);
  CHECK_THROWS_WITH(data::field_from_attributes({{"timestep_s", "five"}}, "bad.h5"),
                    Catch::Contains("bad.h5") && Catch::Contains("timestep_s"));
  CHECK_THROWS_WITH(data::field_from_attributes({{"quantity", "rain"}}, "bad.h5"),
                    Catch::Contains("bad.h5") && Catch::Contains("'rain'"));
  CHECK_THROWS_WITH(data::field_from_attributes({{"grid_proj", "+proj=longlat"}}, "bad.h5"),
                    Catch::Contains("bad.h5") && Catch::Contains("grid_corner"));
}

}  // namespace
}  // namespace convlstm
