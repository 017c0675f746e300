// The forecast service (eval/nowcast.hpp): a soak test that feeds a day of frames with the faults feeds have,
// and what a restart and cron's --once do.
#include "eval/nowcast.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "core/error.hpp"
#include "data/h5.hpp"
#include "data/radar_import.hpp"
#include "forecast/georeferenced.hpp"
#include "support/radar_files.hpp"
#include "support/run_binary.hpp"
#include "support/temp_dir.hpp"
#include "train/trainer.hpp"

namespace convlstm {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDay0 = 1282780800;  // 2010-08-26 00:00 UTC

// A 32x32 KNMI-like frame at minute `m` of 2010-08-26: a rain cell moving a pixel per frame.
std::vector<float> cell_at(int k) {
  std::vector<float> raw(32 * 32, 0.0f);
  for (int y = 10; y < 18; ++y)
    for (int x = 0; x < 8; ++x) raw[y * 32 + (x + k) % 32] = 40.0f;
  return raw;
}

// A tiny model trained on 12 such frames, imported at 16x16 (3 frames in, 2 out).
struct Model {
  test::TempDir dir;
  std::string checkpoint;
  Model() {
    std::vector<std::string> files;
    for (int k = 0; k < 12; ++k) {
      files.push_back(dir.file("train_" + std::to_string(k) + ".h5"));
      test::write_knmi_file(files.back(), 5 * k, "GEO=0.01*PV+0.0", 32, 32, cell_at(k));
    }
    data::ImportOptions io;
    io.downsample = 2;
    data::import_radar(files, dir.file("ds.h5"), io);
    train::train_model(
        config::parse_config("", "tiny",
                             {"data.train=" + dir.file("ds.h5"), "data.t_in=3", "data.t_out=2",
                              "data.val_fraction=0", "model.patch=2", "model.layers=[{filters: 16, k: 3}]",
                              "train.batch_size=2", "train.max_steps=2", "output.dir=" + dir.file("run")}),
        {});
    checkpoint = dir.file("run/latest.h5");
  }
};

Model& model() {
  static Model m;
  return m;
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const std::string& path, const std::string& bytes, bool append = false) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << bytes;
}

TEST_CASE("nowcast soak: a day of frames with the feed's faults - every forecast due and nothing else",
          "[eval][slow]") {
  auto& m = model();
  test::TempDir watch, out, scratch;
  std::atomic<std::int64_t> handled{0};
  std::atomic<bool> stop{false};
  eval::NowcastOptions o;
  o.checkpoint = m.checkpoint;
  o.watch = watch.path();
  o.output_dir = out.file("forecasts");
  o.settle_s = 0.1;
  o.poll_s = 0.05;
  o.stop = &stop;
  const std::int64_t failing = kDay0 + 200 * 300;  // the output disk is full for this forecast
  o.before_write = [&](const std::string& path) {
    if (path.find(forecast::utc_stamp(failing)) != std::string::npos)
      throw DataError(path + ": No space left on device");
  };
  o.after_scan = [&](const eval::NowcastCounts& c) {
    handled = c.frames + c.duplicates + c.older + c.damaged;
  };
  eval::NowcastCounts counts;
  std::thread service([&] { counts = eval::run_nowcast(o); });

  // The feed, one event at a time, each waited for until the service has handled it (at an accelerated pace:
  // no 5 minutes between frames). The reference below applies the documented rules to the same events.
  std::int64_t events = 0, fed_frames = 0;
  std::set<std::int64_t> due;  // analysis times whose forecast must exist
  std::vector<std::int64_t> series, taken;
  auto expect_taken = [&](std::int64_t t) {
    if (std::count(taken.begin(), taken.end(), t)) return;                            // a duplicate
    if (!taken.empty() && t < *std::max_element(taken.begin(), taken.end())) return;  // older
    if (!series.empty() && t - series.back() != 300) series.clear();                  // a gap
    series.push_back(t);
    taken.push_back(t);
    if (series.size() >= 3 && t != failing) due.insert(t);
  };
  auto wait_handled = [&] {
    ++events;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (handled < events && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    REQUIRE(handled == events);
  };
  auto feed = [&](int k, const std::string& name) {
    test::write_knmi_file(watch.file(name), 5 * k, "GEO=0.01*PV+0.0", 32, 32, cell_at(k));
    ++fed_frames;
    expect_taken(kDay0 + 300 * k);
    wait_handled();
  };
  std::int64_t truncated = 0, halves = 0, duplicated = 0, reordered = 0, gapped = 0, foreign = 0;
  for (int k = 0; k < 288; ++k) {
    const std::string name = "RAD_" + std::to_string(1000 + k) + ".h5";
    if (k == 20) {  // a truncated file: one logged line, never a frame
      test::write_knmi_file(scratch.file("whole.h5"), 5 * k, "GEO=0.01*PV+0.0", 32, 32, cell_at(k));
      const auto b = bytes_of(scratch.file("whole.h5"));
      write_bytes(watch.file(name), b.substr(0, b.size() / 2));
      ++truncated;
      wait_handled();
    } else if (k == 50) {  // written in two halves, a pause (shorter than the settle time) between them
      test::write_knmi_file(scratch.file("whole.h5"), 5 * k, "GEO=0.01*PV+0.0", 32, 32, cell_at(k));
      const auto b = bytes_of(scratch.file("whole.h5"));
      write_bytes(watch.file(name), b.substr(0, b.size() / 2));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      write_bytes(watch.file(name), b.substr(b.size() / 2), true);
      ++halves;
      ++fed_frames;
      expect_taken(kDay0 + 300 * k);
      wait_handled();
    } else if (k == 80) {  // delivered twice, under another name
      feed(k, name);
      feed(k, "again_" + name);
      ++duplicated;
    } else if (k == 100) {  // 101 comes first
      feed(101, "RAD_1101.h5");
      feed(100, name);
      ++reordered;
    } else if (k == 101) {
      continue;
    } else if (k >= 150 && k < 153) {  // a gap in the feed
      ++gapped;
    } else if (k == 230) {  // something that is no radar file at all
      write_bytes(watch.file("README.txt"), "not a radar file\n");
      ++foreign;
      wait_handled();
      feed(k, name);
    } else {
      feed(k, name);
    }
  }
  stop = true;  // as SIGTERM does
  service.join();

  INFO("fed " << fed_frames << " frames; faults: " << truncated << " truncated, " << halves << " in halves, "
              << duplicated << " duplicated, " << reordered << " out of order, " << gapped << " missing, "
              << foreign << " foreign");
  // 285 frame files (288 slots, 3 missing, 1 truncated, 1 delivered twice), 274 forecasts: four unbroken runs
  // of 20, 79, 49 and 135 frames less 2 each, less the one the full disk lost.
  CHECK(fed_frames == 285);
  CHECK(due.size() == 274);
  CHECK(counts.frames == 283);
  CHECK(counts.duplicates == 1);
  CHECK(counts.older == 1);
  CHECK(counts.damaged == 2);
  CHECK(counts.gaps == 3);  // after the truncated frame, after the reordered pair, after the missing frames
  CHECK(counts.write_failures == 1);
  CHECK(counts.forecasts == static_cast<std::int64_t>(due.size()));
  CHECK(counts.latencies_s.size() == due.size());
  // Every forecast that should exist exists, complete and readable; nothing else is in the folder.
  std::set<std::string> want, got;
  for (auto t : due) want.insert("nowcast_" + forecast::utc_stamp(t) + ".h5");
  for (const auto& e : fs::directory_iterator(o.output_dir)) got.insert(e.path().filename().string());
  CHECK(got == want);
  for (const auto& name : got) {
    auto f = data::h5::File::open_read(o.output_dir + "/" + name);
    REQUIRE(f.dataset("/pred").dims() == std::vector<std::int64_t>{1, 2, 16, 16});
  }

  // A restart picks up the folder's frames: the newest forecast exists, so --once writes nothing new.
  o.once = true;
  o.stop = nullptr;
  o.after_scan = nullptr;
  const auto again = eval::run_nowcast(o);
  CHECK(again.frames > 0);
  CHECK(again.forecasts == 0);
}

TEST_CASE("nowcast --once forecasts the newest frame of a folder, polling, and refuses what cannot work",
          "[eval]") {
  auto& m = model();
  test::TempDir watch, out;
  for (int k = 0; k < 4; ++k)
    test::write_knmi_file(watch.file("f" + std::to_string(k) + ".h5"), 5 * k, "GEO=0.01*PV+0.0", 32, 32,
                          cell_at(k));
  eval::NowcastOptions o;
  o.checkpoint = m.checkpoint;
  o.watch = watch.path();
  o.output_dir = out.path();
  o.once = true;
  o.inotify = false;
  o.settle_s = 0.0;
  const auto c = eval::run_nowcast(o);
  CHECK(c.frames == 4);
  CHECK(c.forecasts == 1);
  CHECK(fs::exists(out.file("nowcast_" + forecast::utc_stamp(kDay0 + 15 * 60) + ".h5")));
  o.watch = out.file("missing");
  CHECK_THROWS_AS(eval::run_nowcast(o), UsageError);
  o.watch = watch.path();
  o.members = 2;  // a deterministic model
  CHECK_THROWS_AS(eval::run_nowcast(o), UsageError);
}

TEST_CASE("convlstm nowcast ends on SIGTERM with status 0, its forecast written", "[eval]") {
  auto& m = model();
  test::TempDir dir;
  fs::create_directories(dir.file("watch"));
  for (int k = 0; k < 3; ++k)
    test::write_knmi_file(dir.file("watch/f" + std::to_string(k) + ".h5"), 5 * k, "GEO=0.01*PV+0.0", 32, 32,
                          cell_at(k));
  // The service starts, forecasts the folder's newest frame, and is sent SIGTERM as systemd stops it.
  const auto r =
      test::run_in(dir, std::string("'") + CONVLSTM_BINARY + "' nowcast --checkpoint '" + m.checkpoint +
                            "' --watch watch --output-dir out --settle 0 --poll 0.1 & pid=$!; "
                            "for i in $(seq 200); do [ -n \"$(ls out 2>/dev/null)\" ] && break; "
                            "sleep 0.05; done; kill -TERM $pid; wait $pid");
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(fs::exists(dir.file("out/nowcast_" + forecast::utc_stamp(kDay0 + 10 * 60) + ".h5")));
  CHECK_THAT(r.err, Catch::Contains("stopped after 1 forecasts"));
}

}  // namespace
}  // namespace convlstm
