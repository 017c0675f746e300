// convlstm command-line entry point: parses arguments, runs a subcommand, maps errors to exit statuses
// (0 success, 1 runtime/data error, 2 usage/config error, 130 interrupted). The only place that catches
// library errors and prints them.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <exception>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "data/h5.hpp"

namespace {

constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) or quota must fail the write that meets it, with an error naming the file,
  // not kill the process: ignored, SIGXFSZ turns into EFBIG from write().
  std::signal(SIGXFSZ, SIG_IGN);
  convlstm::data::h5::skip_library_shutdown_at_exit();
  CLI::App app{"convlstm: ConvLSTM precipitation nowcasting (Shi et al. 2015) on oneDNN"};
  app.set_version_flag("--version", std::string("convlstm ") + CONVLSTM_VERSION);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")->capture_default_str();
  app.require_subcommand(0, 1);
  std::map<std::string, convlstm::cli::Run> commands{
      {"train", convlstm::cli::add_train(app)},     {"synth", convlstm::cli::add_synth(app)},
      {"info", convlstm::cli::add_info(app)},       {"import", convlstm::cli::add_import(app)},
      {"predict", convlstm::cli::add_predict(app)}, {"evaluate", convlstm::cli::add_evaluate(app)},
      {"bench", convlstm::cli::add_bench(app)},
  };
  // Logs go to stderr (results go to files and stdout).
  spdlog::set_default_logger(spdlog::stderr_color_mt("convlstm"));
  spdlog::set_pattern("[%H:%M:%S] %^%l%$: %v");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "convlstm: " << e.what() << " (see convlstm --help)\n";
    return kExitUsage;
  }

  try {
    convlstm::log::set_level(log_level);
    for (auto* sub : app.get_subcommands()) {
      // A subcommand with subcommands of its own (synth radar) is dispatched by its own run function.
      return commands.at(sub->get_name())();
    }
    std::cout << app.help();
    return 0;
  } catch (const convlstm::ConfigError& e) {
    convlstm::log::error("{}", e.what());
    return kExitUsage;
  } catch (const convlstm::UsageError& e) {
    convlstm::log::error("{}", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    convlstm::log::error("{}", e.what());
    return kExitRuntime;
  }
}
