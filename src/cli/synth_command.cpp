// convlstm synth radar --output F [--frames N] [--size H W] [--seed S] [--segments K]
// convlstm synth moving-mnist --output F --digits data/mnist_digits.h5 [--sequences N] [--seed S]
#include <memory>

#include "cli/commands.hpp"
#include "data/moving_mnist.hpp"
#include "data/synth_radar.hpp"

namespace convlstm::cli {

Run add_synth(CLI::App& app) {
  struct Opts {
    std::string output;
    std::int64_t frames = 2000;
    std::vector<std::int64_t> size{64, 64};
    std::uint64_t seed = 1;
    std::int64_t segments = 1;
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
    if (radar->parsed()) {
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
