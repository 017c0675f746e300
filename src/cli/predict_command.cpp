// convlstm predict --checkpoint CKPT --input FILES... --output OUT.h5 [--png DIR] [--gif FILE]
// [--all-windows] [--stride N] [--crop y0,x0,h,w] [--downsample k] [--format hdf5|odim|netcdf|geotiff]
// [--one-file-per-lead] [--members N [--seed S] [--probabilities T,...]]
#include <memory>

#include "cli/commands.hpp"
#include "core/log.hpp"
#include "eval/predict.hpp"
#include "forecast/writer.hpp"

namespace convlstm::cli {

Run add_predict(CLI::App& app) {
  auto o = std::make_shared<eval::PredictOptions>();
  auto* sub = app.add_subcommand("predict", "Forecast T_out frames from the last T_in frames of the inputs");
  sub->add_option("--checkpoint", o->checkpoint, "checkpoint (RUN/best.h5)")->required();
  sub->add_option("--input", o->inputs,
                  "a dataset file, or raw radar files or globs (any format import reads)")
      ->required();
  sub->add_option("--output", o->output,
                  "predictions file to write (geotiff, --one-file-per-lead: the prefix of one file per lead)")
      ->required();
  // The choices and their help: the writers' table (forecast/writer.hpp).
  std::vector<std::string> names;
  std::string help =
      std::string("the output's format; default from the suffix, else ") + forecast::formats()[0].name;
  for (const auto& f : forecast::formats()) {
    names.push_back(f.name);
    help += std::string("\n  ") + f.name + ": " + f.writes;
    if (*f.suffixes) help += std::string(" (") + f.suffixes + ")";
  }
  sub->add_option("--format", o->format, help)->check(CLI::IsMember(names));
  sub->add_flag("--one-file-per-lead", o->one_file_per_lead,
                "odim: one file per lead, OUTPUT_<minutes>.h5 (pysteps reads one field per ODIM file)");
  sub->add_flag("--all-windows", o->all_windows, "dataset input: forecast every window (with its truth)");
  sub->add_option("--stride", o->stride, "frames between windows with --all-windows")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--png", o->png_dir, "write a PNG strip per forecast into this directory");
  sub->add_option("--gif", o->gif, "write an animation of the (last) forecast");
  auto crop = std::make_shared<std::string>();
  sub->add_option("--crop", *crop,
                  "y0,x0,height,width of the input's pixels (dataset frames or raw grid), replacing the "
                  "checkpoint's crops: forecast a larger domain");
  sub->add_option(
         "--downsample", o->downsample,
         "block-mean factor over the input's pixels, replacing the checkpoint's (the pixel must stay "
         "the size the model trained on)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--members", o->members,
                  "a stochastic model's ensemble: members per forecast (run as one batch)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sub->add_option("--seed", o->seed, "the seed of the members' noise")->capture_default_str();
  sub->add_option("--probabilities", o->probabilities,
                  "also write the probability of reaching each threshold (the data's units; e.g. "
                  "0.5,1,2,5,10), from --members")
      ->delimiter(',');
  return [o, crop]() {
    o->inputs = expand_globs(o->inputs);
    o->crop = parse_crop(*crop);
    const auto r = eval::predict(*o);
    log::info("predict: {} forecast(s) of {} frames{} written to {}{}", r.forecasts, r.t_out,
              o->members > 1 ? fmt::format(", {} members each", o->members) : std::string(),
              r.files.size() == 1 ? r.files[0] : std::to_string(r.files.size()) + " files",
              r.with_target ? " with the observed frames" : "");
    if (r.files.size() > 1)
      for (const auto& f : r.files) log::info("predict: wrote {}", f);
    for (const auto& f : r.images) log::info("predict: wrote {}", f);
    return 0;
  };
}

}  // namespace convlstm::cli
