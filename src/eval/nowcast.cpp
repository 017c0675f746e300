#include "eval/nowcast.hpp"

#include <cmath>
#include <deque>
#include <filesystem>
#include <limits>
#include <map>

#include "core/error.hpp"
#include "core/folder_watch.hpp"
#include "core/log.hpp"
#include "data/radar.hpp"
#include "data/radar_import.hpp"
#include "eval/forecaster.hpp"
#include "eval/predict.hpp"
#include "forecast/georeferenced.hpp"
#include "forecast/writer.hpp"

namespace convlstm::eval {

namespace {

struct Frame {
  std::int64_t time = 0;
  std::string path;
  data::ProcessedFrame data;
  std::int64_t arrival_ns = 0;  // the file's last modification
};

std::string hhmm(std::int64_t t) {
  return forecast::format_utc(t, "%Y-%m-%d %H:%M");
}

std::string name_of(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

class Service {
 public:
  explicit Service(const NowcastOptions& o)
      : o_(o),
        model_(o.checkpoint, 1, o.members, o.seed),
        format_(forecast::format_named(o.format)),
        import_(data::options_from_provenance(model_.data_info())),
        watch_(o.watch, o.inotify) {
    const auto& step = model_.data_info().timestep_s;
    if (!step || *step <= 0)
      throw UsageError("nowcast: " + o.checkpoint +
                       " was trained on data without a time step; the service needs one to find gaps");
    step_s_ = static_cast<std::int64_t>(std::llround(*step));
    if (!o.probabilities.empty() && o.members < 2)
      throw UsageError(
          "nowcast --probabilities: needs an ensemble (--members 2 or more, of a stochastic model)");
    if (!std::filesystem::is_directory(o.watch))
      throw UsageError("nowcast --watch " + o.watch + ": not a folder");
    std::error_code ec;
    std::filesystem::create_directories(o.output_dir, ec);
    if (ec) throw DataError(o.output_dir + ": cannot make the output folder (" + ec.message() + ")");
  }

  NowcastCounts run() {
    log::info("nowcast: watching {} ({}), {} frames of {} min in, {} out, forecasts to {} as {}", o_.watch,
              watch_.uses_inotify() ? "inotify" : "polling every " + std::to_string(o_.poll_s) + " s",
              model_.t_in(), step_s_ / 60, model_.t_out(), o_.output_dir, format_.name);
    double due = look(true);
    while (!o_.once && !stopped()) {
      watch_.wait(std::min(o_.poll_s, std::max(0.01, due)));
      if (stopped()) break;
      due = look(false);
    }
    log::info(
        "nowcast: stopped after {} forecasts ({} frames; {} duplicates, {} older, {} gaps, {} unreadable, {} "
        "failed writes)",
        counts_.forecasts, counts_.frames, counts_.duplicates, counts_.older, counts_.gaps, counts_.damaged,
        counts_.write_failures);
    return counts_;
  }

 private:
  bool stopped() const { return o_.stop && o_.stop->load(); }

  // One look at the folder: every new complete file in time order. At start-up (a restart) the series is
  // rebuilt from what is there and only its newest frame is forecast, unless that forecast exists. Returns
  // the seconds until the next file still being written should be complete (infinity: none).
  double look(bool startup) {
    const std::int64_t now = wall_clock_ns(), settle = static_cast<std::int64_t>(o_.settle_s * 1e9);
    double due = std::numeric_limits<double>::infinity();
    std::vector<std::pair<std::int64_t, FileState>> ready;  // (time, file)
    for (const auto& f : list_files(o_.watch)) {
      if (handled_.count(f.path)) continue;
      const auto failed = failed_.find(f.path);
      if (failed != failed_.end() && failed->second == f) continue;  // unchanged since it failed
      if (now - f.mtime_ns < settle || f.size == 0) {
        due = std::min(due, static_cast<double>(f.mtime_ns + settle - now) / 1e9);
        continue;
      }
      try {
        const auto h =
            data::read_radar_header(f.path, import_.format, import_.source_quantity, import_.time_from_name);
        ready.push_back({h.time, f});
      } catch (const DataError& e) {
        unreadable(f, e.what());
      }
    }
    std::sort(ready.begin(), ready.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second.path < b.second.path;
    });
    bool pending = false;
    for (const auto& [time, f] : ready) {
      if (take(time, f) && series_.size() == static_cast<std::size_t>(model_.t_in())) {
        if (startup)
          pending = true;
        else
          forecast();
      }
      if (stopped() && !startup) break;
    }
    if (pending && series_.size() == static_cast<std::size_t>(model_.t_in())) {
      if (already_written(series_.back().time))
        log::info("nowcast: the forecast from {} is there already", hhmm(series_.back().time));
      else
        forecast();
    }
    if (o_.after_scan) o_.after_scan(counts_);
    return due;
  }

  void unreadable(const FileState& f, const std::string& what) {
    log::warn("nowcast: {}; skipped (read again if it changes)", what);
    failed_[f.path] = f;
    ++counts_.damaged;
  }

  // A complete file of the given time into the series; false when it was skipped.
  bool take(std::int64_t time, const FileState& f) {
    if (const auto t = taken_.find(time); t != taken_.end()) {
      log::info("nowcast: {}: the time of {} ({}), a duplicate; skipped", name_of(f.path), name_of(t->second),
                hhmm(time));
      handled_[f.path] = f;
      ++counts_.duplicates;
      return false;
    }
    if (newest_ && time < *newest_) {
      log::info("nowcast: {}: {} is older than the newest frame ({}); skipped", name_of(f.path), hhmm(time),
                hhmm(*newest_));
      handled_[f.path] = f;
      ++counts_.older;
      return false;
    }
    Frame fr{time, f.path, {}, f.mtime_ns};
    try {
      fr.data = process_like_training(model_, f.path);
    } catch (const DataError& e) {
      unreadable(f, e.what());
      return false;
    }
    if (!series_.empty()) {
      const auto& last = series_.back();
      if (fr.data.height != last.data.height || fr.data.width != last.data.width) {
        log::warn("nowcast: {}: {}x{} frames after {}x{} ones; the series starts again", name_of(f.path),
                  fr.data.height, fr.data.width, last.data.height, last.data.width);
        series_.clear();
      } else if (time - last.time != step_s_) {
        log::warn("nowcast: {}: {} min after the newest frame ({}), a gap; waiting for {} consecutive frames",
                  name_of(f.path), (time - last.time) / 60, hhmm(last.time), model_.t_in());
        series_.clear();
        ++counts_.gaps;
      }
    }
    series_.push_back(std::move(fr));
    while (series_.size() > static_cast<std::size_t>(model_.t_in())) series_.pop_front();
    handled_[f.path] = f;
    taken_[time] = f.path;
    newest_ = time;
    ++counts_.frames;
    return true;
  }

  std::string output_path(std::int64_t analysis) const {
    const std::string name = format_.name;
    const auto dir = std::filesystem::path(o_.output_dir);
    if (name == "geotiff") return (dir / "nowcast.tif").string();  // the writer adds time and lead
    return (dir / ("nowcast_" + forecast::utc_stamp(analysis) + (name == "netcdf" ? ".nc" : ".h5"))).string();
  }

  bool already_written(std::int64_t analysis) const {
    if (std::string(format_.name) != "geotiff") return std::filesystem::exists(output_path(analysis));
    char lead[24];
    std::snprintf(lead, sizeof lead, "%03lld", static_cast<long long>(step_s_ / 60));
    return std::filesystem::exists(std::filesystem::path(o_.output_dir) /
                                   ("nowcast_" + forecast::utc_stamp(analysis) + "_" + lead + ".tif"));
  }

  // The forecast from the series' last t_in frames, written; a failed write is logged and counted.
  void forecast() {
    const auto& last = series_.back();
    const std::int64_t t_in = model_.t_in(), t_out = model_.t_out(), M = model_.members();
    model_.set_grid(last.data.height, last.data.width, last.path);
    const std::int64_t fs = model_.frame_size();
    std::vector<float> in(static_cast<std::size_t>(t_in * fs)), mask(in.size());
    for (std::int64_t t = 0; t < t_in; ++t) {
      std::copy(series_[t].data.values.begin(), series_[t].data.values.end(), in.begin() + t * fs);
      std::copy(series_[t].data.mask.begin(), series_[t].data.mask.end(), mask.begin() + t * fs);
    }
    std::vector<float> pred(static_cast<std::size_t>(M * t_out * fs)),
        prob(o_.probabilities.size() * static_cast<std::size_t>(t_out * fs)),
        input_last(in.end() - fs, in.end());
    model_.forecast(in.data(), mask.data(), pred.data());
    finish_forecast(mask.data() + (t_in - 1) * fs, M, t_out, fs, o_.probabilities, pred.data(), prob.data());
    for (std::int64_t i = 0; i < fs; ++i)
      if (mask[(t_in - 1) * fs + i] == 0.0f) input_last[i] = std::nanf("");
    auto header = forecast_header(model_, last.data.grid, last.time, 1, step_s_, false, o_.checkpoint);
    header.thresholds = o_.probabilities;
    const std::string path = output_path(last.time);
    std::vector<std::string> written;
    try {
      if (o_.before_write) o_.before_write(path);
      auto sink = format_.open(header, path, {});
      sink->add({last.time, pred.data(), prob.empty() ? nullptr : prob.data(), nullptr, input_last.data()});
      written = sink->commit();
    } catch (const DataError& e) {
      log::warn("nowcast: the forecast from {} was not written: {}; the next one is tried as usual",
                hhmm(last.time), e.what());
      ++counts_.write_failures;
      return;
    }
    const double latency = static_cast<double>(wall_clock_ns() - last.arrival_ns) / 1e9;
    counts_.latencies_s.push_back(latency);
    ++counts_.forecasts;
    log::info("nowcast: {} forecast written to {}{}, {:.2f} s after {} arrived", hhmm(last.time),
              written.front(),
              written.size() > 1 ? fmt::format(" (and {} more files)", written.size() - 1) : std::string(),
              latency, name_of(last.path));
  }

  const NowcastOptions& o_;
  Forecaster model_;
  const forecast::Format& format_;
  data::ImportOptions import_;
  FolderWatch watch_;
  std::int64_t step_s_ = 0;
  std::deque<Frame> series_;                   // the newest consecutive frames, at most t_in
  std::optional<std::int64_t> newest_;         // the newest frame's time
  std::map<std::int64_t, std::string> taken_;  // every frame's time -> its file
  std::map<std::string, FileState> handled_;   // files taken or skipped
  std::map<std::string, FileState> failed_;    // unreadable files, as they were when they failed
  NowcastCounts counts_;
};

}  // namespace

NowcastCounts run_nowcast(const NowcastOptions& options) {
  Service service(options);
  return service.run();
}

}  // namespace convlstm::eval
