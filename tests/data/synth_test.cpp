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
  CHECK(r.meta().field.quantity == data::Quantity::rain_rate);
  CHECK(r.meta().field.units == "mm/h");
  CHECK(r.meta().field.time.size() == 200);
  CHECK(r.meta().field.time[1] - r.meta().field.time[0] == 300);
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

// Wet fraction and wet-pixel rain-rate quantiles of a synthetic series.
struct RainStats {
  double wet = 0.0, median = 0.0, p90 = 0.0;
};

RainStats rain_stats(const std::vector<float>& v) {
  std::vector<float> wet;
  for (float x : v)
    if (x > 0.0f) wet.push_back(x);
  RainStats s;
  s.wet = static_cast<double>(wet.size()) / v.size();
  if (wet.empty()) return s;
  std::sort(wet.begin(), wet.end());
  s.median = wet[wet.size() / 2];
  s.p90 = wet[wet.size() * 9 / 10];
  return s;
}

TEST_CASE("synthetic radar has the same wet fraction and rain rates at every grid size", "[data]") {
  // The same number of pixel-frames at each size (larger grids hold more cells, so fewer frames suffice),
  // from two seeds. Before the fix, 256x256 was 97% and 512x512 100% wet.
  test::TempDir dir;
  std::vector<RainStats> stats;
  for (std::int64_t size : {64, 128, 256, 512}) {
    std::vector<float> all;
    for (std::uint64_t seed : {1, 2}) {
      data::SynthRadarOptions o;
      o.height = o.width = size;
      o.frames = std::max<std::int64_t>(8, 600 * 64 * 64 / (size * size));
      o.seed = seed;
      data::write_synth_radar(dir.file("s.h5"), o);
      const auto v = all_frames(dir.file("s.h5"));
      all.insert(all.end(), v.begin(), v.end());
    }
    stats.push_back(rain_stats(all));
    INFO("size " << size << ": wet " << stats.back().wet << ", median " << stats.back().median << ", p90 "
                 << stats.back().p90);
    CHECK(stats.back().wet > 0.05);  // real composites: about 5-20% wet
    CHECK(stats.back().wet < 0.25);
  }
  for (std::size_t i = 1; i < stats.size(); ++i) {
    INFO("size index " << i << ": wet " << stats[i].wet << " against " << stats[0].wet << " at 64x64");
    CHECK(stats[i].wet == Approx(stats[0].wet).epsilon(0.25));
    CHECK(stats[i].median == Approx(stats[0].median).epsilon(0.25));
    CHECK(stats[i].p90 == Approx(stats[0].p90).epsilon(0.25));
  }
}

TEST_CASE("synthetic radar in segments: independent series of consecutive seeds", "[data]") {
  test::TempDir dir;
  data::SynthRadarOptions o;
  o.height = o.width = 16;
  o.frames = 70;
  o.seed = 5;
  o.segments = 3;  // 23 + 23 + 24 frames, seeds 5, 6, 7
  data::write_synth_radar(dir.file("seg.h5"), o);
  data::DatasetReader r(dir.file("seg.h5"));
  REQUIRE(r.meta().segments.size() == 3);
  CHECK(r.meta().segments[1].start == 23);
  CHECK(r.meta().segments[2].length == 24);
  CHECK(r.meta().field.time[23] - r.meta().field.time[22] > 86400);  // a day apart: windows never join them
  const auto all = all_frames(dir.file("seg.h5"));
  for (std::uint64_t k = 0; k < 3; ++k) {
    data::SynthRadarOptions one;
    one.height = one.width = 16;
    one.frames = 23;
    one.seed = 5 + k;
    data::write_synth_radar(dir.file("one.h5"), one);
    const auto single = all_frames(dir.file("one.h5"));
    const std::vector<float> part(all.begin() + static_cast<std::ptrdiff_t>(k * 23 * 256),
                                  all.begin() + static_cast<std::ptrdiff_t>((k + 1) * 23 * 256));
    CHECK(part == single);
  }
  o.segments = 71;
  CHECK_THROWS_AS(data::write_synth_radar(dir.file("bad.h5"), o), UsageError);
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
