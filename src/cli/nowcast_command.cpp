// convlstm nowcast --checkpoint CKPT --watch DIR --output-dir OUT [--format hdf5|odim|netcdf|geotiff]
// [--members N [--seed S] [--probabilities T,...]] [--once] [--poll S] [--settle S] [--no-inotify]
#include <memory>

#include "cli/commands.hpp"
#include "core/log.hpp"
#include "eval/nowcast.hpp"
#include "forecast/writer.hpp"

namespace convlstm::cli {

Run add_nowcast(CLI::App& app) {
  auto o = std::make_shared<eval::NowcastOptions>();
  auto* sub = app.add_subcommand(
      "nowcast",
      "Watch a folder the radar feed fills and forecast every new frame (the operational service)");
  sub->add_option("--checkpoint", o->checkpoint, "checkpoint (RUN/best.h5)")->required();
  sub->add_option("--watch", o->watch, "the folder new radar files arrive in (any format import reads)")
      ->required();
  sub->add_option("--output-dir", o->output_dir, "where forecasts go, named by their reference time")
      ->required();
  std::vector<std::string> names;
  for (const auto& f : forecast::formats()) names.push_back(f.name);
  sub->add_option("--format", o->format, "the forecasts' format")
      ->capture_default_str()
      ->check(CLI::IsMember(names));
  sub->add_option("--members", o->members, "a stochastic model's ensemble: members per forecast")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sub->add_option("--seed", o->seed, "the seed of the members' noise")->capture_default_str();
  sub->add_option("--probabilities", o->probabilities,
                  "exceedance thresholds (the data's units), with --members")
      ->delimiter(',');
  sub->add_flag("--once", o->once, "forecast from what is in the folder, then exit (for cron)");
  sub->add_option("--poll", o->poll_s, "seconds between looks at the folder when nothing wakes the service")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 3600.0));
  sub->add_option("--settle", o->settle_s, "seconds a file must stay unchanged to count as complete")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  auto no_inotify = std::make_shared<bool>(false);
  sub->add_flag("--no-inotify", *no_inotify,
                "poll only (network file systems, where inotify sees no writes)");
  return [o, no_inotify]() {
    o->inotify = !*no_inotify;
    o->stop = &stop_on_signals();
    eval::run_nowcast(*o);
    return 0;
  };
}

}  // namespace convlstm::cli
