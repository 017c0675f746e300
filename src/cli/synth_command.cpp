// convlstm synth radar --output F [--kind cells|cascade] [--frames N] [--size H W] [--seed S] [--segments K]
//                      [--slope B] [--lifetime T] [--speed V] [--regimes] (cascade)
// convlstm synth moving-mnist --output F --digits data/mnist_digits.h5 [--sequences N] [--seed S]
#include <memory>

#include "cascade/synth.hpp"
#include "cli/commands.hpp"
#include "core/error.hpp"
#include "data/moving_mnist.hpp"
#include "data/synth_radar.hpp"

namespace convlstm::cli {

namespace {

// The cascade generator's own options (--kind cascade).
void add_cascade_options(CLI::App& radar, cascade::CascadeSynthOptions& c) {
  radar.add_option("--slope", c.slope, "cascade: the field's spectral slope (power ~ k^-slope)")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 6.0));
  radar.add_option("--lifetime", c.lifetime, "cascade: frames a 64-pixel scale lives")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 1000.0));
  radar.add_option("--speed", c.speed, "cascade: mean motion in pixels per frame")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  radar.add_flag("--regimes", c.regimes,
                 "cascade: each segment draws its own weather regime (slope, lifetime, speed, wet fraction "
                 "and rates)");
}

}  // namespace

Run add_synth(CLI::App& app) {
  struct Opts {
    std::string output;
    std::int64_t frames = 2000;
    std::vector<std::int64_t> size{64, 64};
    std::uint64_t seed = 1;
    std::int64_t segments = 1;
    std::string kind = "cells";
    cascade::CascadeSynthOptions cascade;
  };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("synth", "Write a deterministic synthetic dataset");
  sub->require_subcommand(1);
  auto* radar =
      sub->add_subcommand("radar", "Synthetic radar echoes (mm/h every 5 minutes): the default data");
  radar->add_option("--output", o->output, "dataset file to write")->required();
  radar->add_option("--frames", o->frames, "number of frames")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  radar->add_option("--size", o->size, "frame height and width")
      ->expected(2)
      ->capture_default_str()
      ->check(CLI::Range(8, 8192));
  radar->add_option("--seed", o->seed, "random seed")->capture_default_str();
  radar
      ->add_option(
          "--kind", o->kind,
          "cells: smooth rain cells (the demo's); cascade: a power-law field whose scales live shorter "
          "the smaller they are, with real composites' wet fraction and rates")
      ->capture_default_str()
      ->check(CLI::IsMember({"cells", "cascade"}));
  add_cascade_options(*radar, o->cascade);
  radar
      ->add_option("--segments", o->segments,
                   "independent series (seeds S, S+1, ...) of frames/segments frames each, one segment each")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}));
  auto mm = std::make_shared<data::MovingMnistOptions>();
  auto* mnist = sub->add_subcommand("moving-mnist",
                                    "Moving MNIST (Srivastava et al. 2015): two digits bouncing in 64x64");
  mnist->add_option("--output", o->output, "dataset file to write")->required();
  mnist->add_option("--digits", mm->digits, "MNIST digits file (scripts/fetch_mnist.sh)")
      ->default_val("data/mnist_digits.h5")
      ->capture_default_str();
  mnist->add_option("--sequences", mm->sequences, "number of 20-frame sequences")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10000000}));
  mnist->add_option("--seed", mm->seed, "random seed")->capture_default_str();
  return [o, mm, radar, mnist]() {
    if (mnist->parsed()) data::write_moving_mnist(o->output, *mm);
    if (o->cascade.regimes && o->kind != "cascade")
      throw UsageError("synth radar --regimes: weather regimes are the cascade generator's (--kind cascade)");
    if (radar->parsed() && o->kind == "cascade") {
      auto c = o->cascade;
      c.segments = o->segments;
      c.frames = o->frames;
      c.height = o->size[0];
      c.width = o->size[1];
      c.seed = o->seed;
      cascade::write_cascade_radar(o->output, c);
    } else if (radar->parsed()) {
      data::SynthRadarOptions opts;
      opts.frames = o->frames;
      opts.height = o->size[0];
      opts.width = o->size[1];
      opts.seed = o->seed;
      opts.segments = o->segments;
      data::write_synth_radar(o->output, opts);
    }
    return 0;
  };
}

}  // namespace convlstm::cli
