// convlstm evaluate --checkpoint CKPT --data DS.h5 [--baselines persistence,optical-flow|none]
// [--thresholds LIST] [--bootstrap N [--block L] [--seed S]] [--csv F] [--json F]
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "eval/evaluate.hpp"

namespace convlstm::cli {

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

Run add_evaluate(CLI::App& app) {
  struct Opts {
    eval::EvaluateOptions e;
    std::string baselines, thresholds, csv, json, flow = "dis";
    std::vector<std::string> forecasts;
    std::int64_t max_windows = 0, block = 0;
  };
  auto o = std::make_shared<Opts>();
  for (const auto& b : eval::default_baselines()) o->baselines += (o->baselines.empty() ? "" : ",") + b;
  auto* sub =
      app.add_subcommand("evaluate", "Score a model over every window of a dataset, next to baselines");
  sub->add_option("--checkpoint", o->e.checkpoint, "checkpoint (RUN/best.h5)")->required();
  sub->add_option("--data", o->e.data, "dataset file")->required();
  sub->add_option("--baselines", o->baselines,
                  "comma-separated: persistence, optical-flow, sprog (S-PROG, Seed 2003), steps (a STEPS "
                  "ensemble, Bowler et al. 2006), or none")
      ->capture_default_str();
  sub->add_option(
      "--forecast", o->forecasts,
      "NAME=FILES: score forecasts another system wrote (pysteps' netCDF exporter, with or without "
      "members; convlstm's netCDF or HDF5 forecasts), FILES comma-separated paths or quoted globs, "
      "matched to the windows by analysis and lead time (repeatable)");
  sub->add_option("--reference", o->e.reference,
                  "the baseline whose difference from the model is printed with its interval (default: "
                  "optical-flow when scored, else the first baseline)");
  sub->add_option("--members", o->e.members,
                  "members of the ensembles scored: steps', and a stochastic model's (model.noise)")
      ->capture_default_str()
      ->check(CLI::Range(2, 1000));
  sub->add_option("--ensemble-seed,--steps-seed", o->e.seed,
                  "the seed of the ensembles' noise (steps': also its motion perturbations)")
      ->capture_default_str();
  sub->add_option("--flow-method", o->flow, "optical-flow baseline: dis or farneback (OpenCV)")
      ->capture_default_str()
      ->check(CLI::IsMember({"dis", "farneback"}));
  sub->add_option("--thresholds", o->thresholds,
                  "comma-separated rain-rate thresholds in mm/h (default 0.5,2,5,10,30)");
  sub->add_option("--stride", o->e.stride, "frames between window starts")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--max-windows", o->max_windows, "evaluate at most this many windows (0: all)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option(
         "--bootstrap", o->e.bootstrap,
         "block-bootstrap replicates for 90% intervals of every score and of model - baseline (0: none)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--block", o->block, "windows per bootstrap block (default: the windows sharing a frame)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--seed", o->e.bootstrap_seed, "bootstrap seed")->capture_default_str();
  sub->add_option("--csv", o->csv, "write the scores per lead time as CSV");
  sub->add_option("--json", o->json, "write the scores as JSON");
  return [o]() {
    o->e.baselines = o->baselines == "none" ? std::vector<std::string>{} : split_list(o->baselines);
    o->e.flow_method = motion::parse_flow_method(o->flow);
    for (const auto& f : o->forecasts) {
      auto files = eval::parse_forecast_option(f);
      files.files = expand_globs(files.files);
      o->e.forecasts.push_back(files);
    }
    if (!o->thresholds.empty()) {
      std::vector<double> t;
      for (const auto& s : split_list(o->thresholds)) {
        try {
          std::size_t used = 0;
          t.push_back(std::stod(s, &used));
          if (used != s.size()) throw std::invalid_argument(s);
        } catch (const std::exception&) {
          throw UsageError("--thresholds: '" + s + "' is not a number");
        }
      }
      o->e.thresholds = t;
    }
    if (o->max_windows > 0) o->e.max_windows = o->max_windows;
    if (o->block > 0) o->e.block = o->block;
    const auto e = eval::evaluate(o->e);
    std::cout << eval::format_table(e);
    if (!o->csv.empty()) eval::write_csv(e, o->csv);
    if (!o->json.empty()) eval::write_json(e, o->json);
    return 0;
  };
}

}  // namespace convlstm::cli
