#include "data/dataset.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>

#include "core/error.hpp"
#include "data/h5.hpp"
#include "support/raw_dataset.hpp"
#include "support/temp_dir.hpp"

namespace convlstm {
namespace {

using data::DatasetMeta;
using data::DatasetReader;
using data::DatasetWriter;

DatasetMeta meta_of(const std::string& dtype, double gain, double offset, std::optional<double> nodata) {
  DatasetMeta m;
  m.height = 3;
  m.width = 4;
  m.dtype = dtype;
  m.gain = gain;
  m.offset = offset;
  m.nodata = nodata;
  m.field.quantity = data::Quantity::rain_rate;
  m.field.units = "mm/h";
  m.field.source = "test";
  m.field.timestep_s = 300.0;
  m.field.provenance["crop"] = "0,0,3,4";
  return m;
}

TEST_CASE("dataset files round-trip in every frame type", "[data]") {
  test::TempDir dir;
  const std::string dtype = GENERATE("uint8", "uint16", "float32");
  const auto m = meta_of(dtype, 0.5, -1.0, 255.0);
  const std::string path = dir.file("ds.h5");
  std::vector<float> frame(12);
  {
    DatasetWriter w(path, m);
    for (int t = 0; t < 5; ++t) {
      for (int i = 0; i < 12; ++i) frame[i] = -1.0f + 0.5f * static_cast<float>((t * 12 + i) % 40);
      frame[3] = std::numeric_limits<float>::quiet_NaN();  // unobserved
      w.append(frame.data());
    }
    w.finish({100, 400, 700, 1000, 1300}, {{0, 2}, {2, 3}});
  }
  CHECK_FALSE(std::filesystem::exists(path + ".partial"));
  DatasetReader r(path);
  CHECK(r.meta().frames == 5);
  CHECK(r.meta().height == 3);
  CHECK(r.meta().width == 4);
  CHECK(r.meta().dtype == dtype);
  CHECK(r.meta().field.quantity == data::Quantity::rain_rate);
  CHECK(r.meta().field.time.size() == 5);
  CHECK(r.meta().segments.size() == 2);
  CHECK(r.meta().field.provenance.at("crop") == "0,0,3,4");
  std::vector<float> v(2 * 12), mask(2 * 12);
  r.read(3, 2, v.data(), mask.data());
  for (int t = 3; t < 5; ++t)
    for (int i = 0; i < 12; ++i) {
      const int k = (t - 3) * 12 + i;
      if (i == 3) {
        CHECK(mask[k] == 0.0f);
      } else {
        CHECK(mask[k] == 1.0f);
        CHECK(v[k] == Approx(-1.0f + 0.5f * static_cast<float>((t * 12 + i) % 40)));
      }
    }
  // A time gap (400 -> 700 is the nominal 300 s; 100 -> 400 too) and segments split the series into runs.
  const auto runs = data::contiguous_runs(r.meta());
  REQUIRE(runs.size() == 2);
  CHECK(runs[1].start == 2);
}

TEST_CASE("a dataset writer that does not finish leaves no file", "[data]") {
  test::TempDir dir;
  const std::string path = dir.file("ds.h5");
  {
    DatasetWriter w(path, meta_of("uint16", 0.01, 0.0, std::nullopt));
    std::vector<float> frame(12, 1.0f);
    w.append(frame.data());
  }
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK_FALSE(std::filesystem::exists(path + ".partial"));
}

void expect_error(const std::string& path, const std::string& fragment) {
  INFO(path);
  try {
    DatasetReader r(path);
    std::vector<float> v(r.meta().frames * r.meta().frame_size()), m(v.size());
    r.read(0, r.meta().frames, v.data(), m.data());
    FAIL("no error for " << fragment);
  } catch (const DataError& e) {
    INFO(e.what());
    CHECK_THAT(e.what(), Catch::Contains(fragment));
    CHECK_THAT(e.what(), Catch::Contains(path));
  }
}

TEST_CASE("malformed datasets are refused with the file and what was expected", "[data]") {
  test::TempDir dir;
  SECTION("not HDF5") {
    std::ofstream(dir.file("x.h5")) << "plain text";
    expect_error(dir.file("x.h5"), "not an HDF5 file");
  }
  SECTION("missing file") {
    expect_error(dir.file("missing.h5"), "cannot open");
  }
  SECTION("truncated") {
    {
      DatasetWriter w(dir.file("t.h5"), meta_of("float32", 1, 0, std::nullopt));
      std::vector<float> frame(12, 1.0f);
      for (int i = 0; i < 50; ++i) w.append(frame.data());
      w.finish({}, {});
    }
    std::filesystem::resize_file(dir.file("t.h5"), std::filesystem::file_size(dir.file("t.h5")) / 2);
    expect_error(dir.file("t.h5"), "t.h5");
  }
  SECTION("missing /frames") {
    { test::RawFile r(dir.file("a.h5")); }
    expect_error(dir.file("a.h5"), "/frames: missing dataset");
  }
  SECTION("wrong rank") {
    {
      test::RawFile r(dir.file("b.h5"));
      r.frames(data::h5::Scalar::float32, {4, 5});
    }
    expect_error(dir.file("b.h5"), "expected rank 3");
  }
  SECTION("unsupported element type") {
    {
      test::RawFile r(dir.file("c.h5"));
      r.frames(data::h5::Scalar::int32, {2, 3, 3});
    }
    expect_error(dir.file("c.h5"), "expected uint8, uint16 or float32");
  }
  SECTION("gain 0") {
    {
      test::RawFile r(dir.file("d.h5"));
      r.frames(data::h5::Scalar::float32, {2, 3, 3}).attrs().set_attr("gain", 0.0);
    }
    expect_error(dir.file("d.h5"), "gain");
  }
  SECTION("NaN values") {
    {
      test::RawFile r(dir.file("e.h5"));
      r.frames(data::h5::Scalar::float32, {2, 3, 3}, std::nanf(""));
    }
    expect_error(dir.file("e.h5"), "non-finite value");
  }
  SECTION("segments out of range") {
    {
      test::RawFile r(dir.file("f.h5"));
      r.frames(data::h5::Scalar::float32, {4, 3, 3});
      auto s = r.f.create_dataset("/segments", data::h5::Scalar::int64, {1, 2});
      const std::int64_t seg[2] = {2, 5};
      s.write_all(seg);
    }
    expect_error(dir.file("f.h5"), "out of range");
  }
  SECTION("times not increasing") {
    {
      test::RawFile r(dir.file("g.h5"));
      r.frames(data::h5::Scalar::float32, {3, 3, 3});
      auto t = r.f.create_dataset("/time", data::h5::Scalar::int64, {3});
      const std::int64_t times[3] = {0, 300, 300};
      t.write_all(times);
    }
    expect_error(dir.file("g.h5"), "not strictly increasing");
  }
  SECTION("not a convlstm dataset") {
    { auto f = data::h5::File::create(dir.file("h.h5")); }
    expect_error(dir.file("h.h5"), "convlstm import");
  }
}

}  // namespace
}  // namespace convlstm
