// Subcommands of the convlstm binary. Each add_* registers its options on the app and returns the function
// that runs it after parsing; the function returns the exit status or throws (main maps errors to exit
// statuses).
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "data/windows.hpp"
#include "train/distributed.hpp"

namespace convlstm::cli {

using Run = std::function<int()>;

// train and bench run data-parallel on the ranks of `comm` (one rank without mpirun).
Run add_train(CLI::App& app, train::Communicator& comm);
Run add_synth(CLI::App& app);
Run add_info(CLI::App& app);
Run add_import(CLI::App& app);
Run add_predict(CLI::App& app);
Run add_evaluate(CLI::App& app);
Run add_bench(CLI::App& app, train::Communicator& comm);
Run add_config(CLI::App& app);
Run add_nowcast(CLI::App& app);

// The flag SIGINT and SIGTERM set from now on (train finishes its step, nowcast its forecast, and they
// return). Signal handlers can only reach a global, so this flag is the one piece of global state outside
// oneDNN's engine.
const std::atomic<bool>& stop_on_signals();

// Shared by import and predict: shell-style globs expanded (a pattern matching nothing is a UsageError), and
// "y0,x0,height,width" parsed.
std::vector<std::string> expand_globs(const std::vector<std::string>& patterns);
std::optional<data::Crop> parse_crop(const std::string& s);

}  // namespace convlstm::cli
