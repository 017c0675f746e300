// `convlstm nowcast`: the forecast service. It watches a folder that a radar feed fills
// (core/folder_watch.hpp: inotify, or polling), keeps the model loaded and the decoded frames it needs, and
// for every new complete file that extends a gap-free series of the model's time step forecasts from the last
// t_in frames and writes the forecast atomically (under a temporary name, synced, renamed) into the output
// folder, named by its reference time: nowcast_<YYYYmmddHHMM>.h5 (hdf5, odim), .nc (netcdf),
// nowcast_<YYYYmmddHHMM>_<lead>.tif (geotiff). One log line per forecast gives the latency from the file's
// arrival (its last modification) to the forecast on disk.
//
// What feeds do, and what the service does about it:
//   a file still being written  complete once its size and time have not changed for `settle_s` seconds
//   a duplicate, or a file older than the newest frame   logged, skipped
//   a gap in time               logged; the series starts again and waits for t_in consecutive frames
//   a damaged or foreign file   one logged line naming it; read again only if it changes
//   a failed write (disk full)  logged, nothing left behind; the next forecast is tried as usual
//   SIGTERM (the stop flag)     the forecast in progress is finished, then run_nowcast returns
//   a restart                   the folder's files are read again and the newest frame is forecast unless its
//                               forecast is already there; once running, every new frame is forecast in order
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace convlstm::eval {

struct NowcastCounts {
  std::int64_t frames = 0;          // files taken into the series
  std::int64_t forecasts = 0;       // forecasts written
  std::int64_t duplicates = 0;      // files with the time of a frame already taken
  std::int64_t older = 0;           // files older than the newest frame
  std::int64_t gaps = 0;            // frames that did not follow the newest one by the model's time step
  std::int64_t damaged = 0;         // files that could not be read (once per version of the file)
  std::int64_t write_failures = 0;  // forecasts that could not be written
  std::vector<double> latencies_s;  // per forecast written: its newest file's arrival to the forecast on disk
};

struct NowcastOptions {
  std::string checkpoint;
  std::string watch;            // the folder the feed fills
  std::string output_dir;       // where forecasts go (made when missing)
  std::string format = "hdf5";  // a name of the writers' table (forecast/writer.hpp)
  std::int64_t members = 1;     // a stochastic model's ensemble (predict --members)
  std::uint64_t seed = 0;
  std::vector<double> probabilities;        // exceedance thresholds, with members
  bool once = false;                        // process what is in the folder, then return (for cron)
  bool inotify = true;                      // false: poll only (network file systems)
  double poll_s = 1.0;                      // the longest wait between two looks at the folder
  double settle_s = 1.0;                    // a file unchanged this long is complete
  const std::atomic<bool>* stop = nullptr;  // set (by SIGTERM): finish the forecast in progress and return
  // Tests: called with each forecast's path before it is written (a hook that throws DataError stands for a
  // full disk), and after every look at the folder with the counts so far.
  std::function<void(const std::string&)> before_write;
  std::function<void(const NowcastCounts&)> after_scan;
};

NowcastCounts run_nowcast(const NowcastOptions& options);

}  // namespace convlstm::eval
