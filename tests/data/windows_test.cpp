#include "data/windows.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "core/error.hpp"
#include "support/temp_dir.hpp"

namespace convlstm {
namespace {

data::DatasetMeta series(std::int64_t frames, std::vector<data::Segment> segments,
                         std::vector<std::int64_t> time) {
  data::DatasetMeta m;
  m.frames = frames;
  m.segments = std::move(segments);
  m.field.time = std::move(time);
  return m;
}

TEST_CASE("windows never cross a segment boundary or a time gap", "[data]") {
  std::vector<std::int64_t> time;
  for (int t = 0; t < 40; ++t)
    time.push_back(t < 25 ? t * 300 : t * 300 + 3600);  // a 1 h gap before frame 25
  const auto m = series(40, {{0, 12}, {12, 28}}, time);
  const auto runs = data::contiguous_runs(m);
  REQUIRE(runs.size() == 3);  // [0, 12), [12, 25), [25, 40)
  const auto w = data::all_windows(m, 5, 2);
  for (auto s : w) {
    INFO("window at " << s);
    const bool inside = std::any_of(runs.begin(), runs.end(), [&](const data::Segment& r) {
      return s >= r.start && s + 5 <= r.start + r.length;
    });
    CHECK(inside);
  }
  CHECK(std::find(w.begin(), w.end(), 8) == w.end());   // 8..12 fits; stride 2 from 0 gives 0,2,4,6
  CHECK(std::find(w.begin(), w.end(), 24) == w.end());  // would cross the gap
  // Exactly these: every stride-2 start inside each run (the loops above pass on an empty list too).
  CHECK(w == (std::vector<std::int64_t>{0, 2, 4, 6, 12, 14, 16, 18, 20, 25, 27, 29, 31, 33, 35}));
}

TEST_CASE("validation is the time-blocked tail of each run - disjoint from training", "[data]") {
  const auto m = series(100, {{0, 50}, {50, 50}}, {});
  const auto split = data::split_windows(m, 6, 1, 0.2);
  std::set<std::int64_t> train_frames, val_frames;
  for (auto s : split.train)
    for (int t = 0; t < 6; ++t) train_frames.insert(s + t);
  for (auto s : split.val)
    for (int t = 0; t < 6; ++t) val_frames.insert(s + t);
  for (auto f : val_frames) CHECK(train_frames.count(f) == 0);
  CHECK(split.val.size() == 2 * (10 - 6 + 1));  // the last 10 frames of each segment
  CHECK(*std::max_element(split.train.begin(), split.train.end()) == 50 + 40 - 6);
}

TEST_CASE("epoch order is a deterministic permutation that changes between epochs", "[data]") {
  const auto a = data::epoch_order(50, 7, 3), b = data::epoch_order(50, 7, 3),
             c = data::epoch_order(50, 7, 4);
  CHECK(a == b);
  CHECK(a != c);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 50; ++i) CHECK(sorted[i] == i);
}

TEST_CASE("windows of several datasets: every one once, or drawn by weight, the same for a seed", "[data]") {
  const std::vector<std::vector<std::int64_t>> windows{{0, 1, 2, 3, 4, 5}, {10, 20}, {7, 8, 9, 11}};
  // Without weights: each window once; one dataset gives epoch_order's order.
  auto once = data::epoch_windows(windows, {}, 7, 0);
  REQUIRE(once.size() == 12);
  std::vector<std::int64_t> count(3, 0);
  for (const auto& w : once) ++count[static_cast<std::size_t>(w.source)];
  CHECK(count == std::vector<std::int64_t>{6, 2, 4});
  const auto single = data::epoch_windows({windows[0]}, {}, 7, 3);
  const auto order = data::epoch_order(6, 7, 3);
  for (std::size_t i = 0; i < order.size(); ++i) CHECK(single[i].start == windows[0][order[i]]);
  // Weights 1:2:1 of 12 draws: 3, 6 and 3; the second dataset's two windows three times each.
  const auto drawn = data::epoch_windows(windows, {1.0, 2.0, 1.0}, 7, 0);
  REQUIRE(drawn.size() == 12);
  std::map<std::pair<std::int64_t, std::int64_t>, int> seen;
  count.assign(3, 0);
  for (const auto& w : drawn) {
    ++count[static_cast<std::size_t>(w.source)];
    ++seen[{w.source, w.start}];
    const auto& own = windows[static_cast<std::size_t>(w.source)];
    CHECK(std::find(own.begin(), own.end(), w.start) != own.end());
  }
  CHECK(count == std::vector<std::int64_t>{3, 6, 3});
  CHECK(seen[{1, 10}] == 3);
  CHECK(seen[{1, 20}] == 3);
  // Deterministic for (seed, epoch); another epoch or seed draws another order.
  CHECK(data::epoch_windows(windows, {1.0, 2.0, 1.0}, 7, 0) == drawn);
  CHECK(data::epoch_windows(windows, {1.0, 2.0, 1.0}, 7, 1) != drawn);
  CHECK(data::epoch_windows(windows, {1.0, 2.0, 1.0}, 8, 0) != drawn);
  // Shares that do not divide evenly: largest remainders, the total kept.
  const auto odd = data::epoch_windows(windows, {1.0, 1.0, 1.0}, 7, 0);
  count.assign(3, 0);
  for (const auto& w : odd) ++count[static_cast<std::size_t>(w.source)];
  CHECK(count == std::vector<std::int64_t>{4, 4, 4});
}

TEST_CASE("window reader crops - block-means over observed pixels and normalises", "[data]") {
  test::TempDir dir;
  data::DatasetMeta m;
  m.height = 4;
  m.width = 6;
  m.dtype = "float32";
  m.nodata = -1.0;
  {
    data::DatasetWriter w(dir.file("d.h5"), m);
    std::vector<float> f(24);
    for (int i = 0; i < 24; ++i) f[i] = static_cast<float>(i);
    f[7] = std::nanf("");  // (1, 1) unobserved
    w.append(f.data());
    w.finish({}, {});
  }
  data::DatasetReader r(dir.file("d.h5"));
  data::Normalizer norm;  // linear 0..60
  data::WindowReader wr(r, data::Crop{0, 0, 4, 4}, 2, norm);
  CHECK(wr.height() == 2);
  CHECK(wr.width() == 2);
  std::vector<float> v(4), mask(4);
  wr.read(0, 1, v.data(), mask.data());
  // Block (0,0): pixels 0, 1, 6 observed (7 is not): mean 7/3.
  CHECK(v[0] == Approx((0.0 + 1.0 + 6.0) / 3.0 / 60.0));
  CHECK(mask[0] == 1.0f);
  CHECK(v[3] == Approx((14.0 + 15.0 + 20.0 + 21.0) / 4.0 / 60.0));
  CHECK_THROWS_AS(data::WindowReader(r, data::Crop{0, 0, 4, 4}, 3, norm), ConfigError);
  CHECK_THROWS_AS(data::WindowReader(r, data::Crop{2, 0, 4, 4}, 1, norm), ConfigError);
}

TEST_CASE("normalisations invert", "[data]") {
  for (auto kind : {data::NormalizeKind::linear, data::NormalizeKind::log, data::NormalizeKind::dbz}) {
    data::Normalizer n;
    n.kind = kind;
    n.min = kind == data::NormalizeKind::dbz ? 0.0 : 0.0;
    n.max = kind == data::NormalizeKind::dbz ? 60.0 : 100.0;
    for (float x : {0.5f, 2.0f, 10.0f, 50.0f}) CHECK(n.inverse(n.forward(x)) == Approx(x).epsilon(1e-4));
  }
}

}  // namespace
}  // namespace convlstm
