// Subcommands of the convlstm binary. Each add_* registers its options on the app and returns the function
// that runs it after parsing; the function returns the exit status or throws (main maps errors to exit
// statuses).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace convlstm::cli {

using Run = std::function<int()>;

Run add_train(CLI::App& app);
Run add_synth(CLI::App& app);
Run add_info(CLI::App& app);

}  // namespace convlstm::cli
