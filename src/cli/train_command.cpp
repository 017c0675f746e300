// convlstm train --config C.yaml [--resume RUN/latest.h5] [--set key=value ...]
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "core/log.hpp"
#include "train/trainer.hpp"

namespace convlstm::cli {

namespace {

std::string format_eta(double s) {
  char buf[32];
  const long t = static_cast<long>(s);
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
  else
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  return buf;
}

}  // namespace

Run add_train(CLI::App& app, train::Communicator& comm) {
  struct Opts {
    std::string config;
    std::string resume;
    std::vector<std::string> overrides;
  };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("train", "Train a model from a YAML config");
  sub->add_option("--config", o->config, "YAML config (see configs/default.yaml)")->required();
  sub->add_option("--resume", o->resume, "continue exactly from a checkpoint, e.g. runs/default/latest.h5");
  sub->add_option("--set", o->overrides,
                  "override a config key by its dotted path, e.g. --set train.max_steps=100");
  return [o, &comm]() {
    config::Config cfg;
    comm.agree([&] { cfg = config::load_config(o->config, o->overrides); });
    train::TrainOptions options;
    options.comm = &comm;
    if (!o->resume.empty()) options.resume = o->resume;
    options.stop = &stop_on_signals();  // the trainer finishes its step, writes latest.h5 and returns
    const bool tty = isatty(STDERR_FILENO) && comm.root();
    if (tty) {
      options.on_step = [](const train::StepReport& r) {
        std::fprintf(stderr, "\rstep %lld/%lld  loss %.5f  %.1f seq/s  ETA %s   ",
                     static_cast<long long>(r.step), static_cast<long long>(r.total_steps), r.loss,
                     r.seq_per_s, format_eta(r.eta_s).c_str());
        if (r.step == r.total_steps) std::fprintf(stderr, "\n");
      };
    }
    const auto result = train::train_model(cfg, options);
    if (tty) std::fprintf(stderr, "\n");
    if (result.interrupted) {
      if (comm.root())
        log::warn("interrupted at step {}: latest.h5 written; continue with --resume {}/latest.h5",
                  result.steps, cfg.output.dir);
      return 130;
    }
    return 0;
  };
}

}  // namespace convlstm::cli
