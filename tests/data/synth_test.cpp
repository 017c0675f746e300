#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/h5.hpp"
#include "data/moving_mnist.hpp"
#include "data/synth_radar.hpp"
#include "support/temp_dir.hpp"

namespace convlstm {
namespace {

std::vector<float> all_frames(const std::string& path, std::vector<float>* mask = nullptr) {
  data::DatasetReader r(path);
  std::vector<float> v(r.meta().frames * r.meta().frame_size()), m(v.size());
  r.read(0, r.meta().frames, v.data(), m.data());
  if (mask) *mask = m;
  return v;
}

TEST_CASE("synthetic radar is deterministic - mostly dry - log-normal-ish and moving", "[data]") {
  test::TempDir dir;
  data::SynthRadarOptions o;
  o.frames = 200;
  o.height = o.width = 48;
  data::write_synth_radar(dir.file("a.h5"), o);
  data::write_synth_radar(dir.file("b.h5"), o);
  o.seed = 2;
  data::write_synth_radar(dir.file("c.h5"), o);
  const auto a = all_frames(dir.file("a.h5")), b = all_frames(dir.file("b.h5")),
             c = all_frames(dir.file("c.h5"));
  CHECK(a == b);
  CHECK(a != c);
  data::DatasetReader r(dir.file("a.h5"));
  CHECK(r.meta().quantity == "rain_rate");
  CHECK(r.meta().units == "mm/h");
  CHECK(r.meta().time.size() == 200);
  CHECK(r.meta().time[1] - r.meta().time[0] == 300);
  const double wet =
      static_cast<double>(std::count_if(a.begin(), a.end(), [](float v) { return v > 0.0f; })) / a.size();
  INFO("wet fraction " << wet);
  CHECK(wet > 0.05);
  CHECK(wet < 0.5);  // most pixels dry
  const float peak = *std::max_element(a.begin(), a.end());
  CHECK(peak > 5.0f);  // intense cores occur (median peak 4 mm/h, log-normal)
  CHECK(peak <= 100.0f);
  // Consecutive frames differ (echoes move and evolve) but stay close (they are 5 minutes apart).
  const std::size_t frame = 48 * 48;
  double diff = 0.0, total = 0.0;
  for (std::size_t i = 0; i < 199 * frame; ++i) {
    diff += std::abs(a[i + frame] - a[i]);
    total += a[i];
  }
  CHECK(diff > 0.02 * total);
  CHECK(diff < 0.8 * total);
}

TEST_CASE("moving MNIST follows the Srivastava protocol", "[data]") {
  test::TempDir dir;
  {
    // Two fake digits: a filled 28x28 square and an empty one.
    auto f = data::h5::File::create(dir.file("digits.h5"));
    auto d = f.create_dataset("/images", data::h5::Scalar::uint8, {2, 28, 28});
    std::vector<float> img(2 * 28 * 28, 0.0f);
    std::fill(img.begin(), img.begin() + 28 * 28, 255.0f);
    d.write({0, 0, 0}, {2, 28, 28}, img.data());
  }
  data::MovingMnistOptions o;
  o.digits = dir.file("digits.h5");
  o.sequences = 6;
  data::write_moving_mnist(dir.file("mm.h5"), o);
  data::DatasetReader r(dir.file("mm.h5"));
  CHECK(r.meta().frames == 120);
  CHECK(r.meta().height == 64);
  REQUIRE(r.meta().segments.size() == 6);
  CHECK(r.meta().segments[5].start == 100);
  CHECK(r.meta().segments[5].length == 20);
  const auto v = all_frames(dir.file("mm.h5"));
  CHECK(*std::max_element(v.begin(), v.end()) == Approx(1.0f));
  // Each frame shows at most two 28x28 squares: between 0 and 2 * 784 bright pixels.
  for (int t = 0; t < 120; ++t) {
    const auto lit =
        std::count_if(v.begin() + t * 4096, v.begin() + (t + 1) * 4096, [](float x) { return x > 0.5f; });
    REQUIRE(lit <= 2 * 784);
  }
  CHECK_THROWS_AS(data::write_moving_mnist(dir.file("x.h5"), {dir.file("missing.h5")}), DataError);
}

}  // namespace
}  // namespace convlstm
