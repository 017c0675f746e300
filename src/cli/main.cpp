// convlstm command-line entry point: parses arguments, runs a subcommand, maps errors to exit statuses
// (0 success, 1 runtime/data error, 2 usage/config error, 130 interrupted). The only place that catches
// library errors and prints them.
//
// Under mpirun (train and bench only) every rank runs this: rank 0 logs, the others print only errors,
// prefixed with their rank. An error all ranks share (train::CollectiveError) is printed once and every rank
// exits with its status; an error only one rank has seen ends the whole job through MPI_Abort, so nothing
// hangs.
#include <CLI/CLI.hpp>

#include <csignal>
#include <exception>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "data/h5.hpp"
#include "ops/threads.hpp"

namespace {

constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) or quota must fail the write that meets it, with an error naming the file,
  // not kill the process: ignored, SIGXFSZ turns into EFBIG from write().
  std::signal(SIGXFSZ, SIG_IGN);
  convlstm::ops::flush_denormals();  // before any thread starts, so that every thread inherits it
  convlstm::data::h5::skip_library_shutdown_at_exit();
  const convlstm::train::MpiSession mpi(&argc, &argv);
  auto comm = mpi.world();
  CLI::App app{"convlstm: ConvLSTM precipitation nowcasting (Shi et al. 2015) on oneDNN"};
  app.set_version_flag("--version", std::string("convlstm ") + CONVLSTM_VERSION);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")->capture_default_str();
  app.require_subcommand(0, 1);
  std::map<std::string, convlstm::cli::Run> commands{
      {"train", convlstm::cli::add_train(app, comm)}, {"synth", convlstm::cli::add_synth(app)},
      {"info", convlstm::cli::add_info(app)},         {"import", convlstm::cli::add_import(app)},
      {"predict", convlstm::cli::add_predict(app)},   {"evaluate", convlstm::cli::add_evaluate(app)},
      {"bench", convlstm::cli::add_bench(app, comm)}, {"config", convlstm::cli::add_config(app)},
      {"nowcast", convlstm::cli::add_nowcast(app)},
  };
  // Logs go to stderr (results go to files and stdout).
  const std::string rank_prefix =
      comm.size() > 1 ? "rank " + std::to_string(comm.rank()) + " of " + std::to_string(comm.size()) + ": "
                      : "";
  convlstm::log::init_console(comm.root() ? "" : rank_prefix);
  // Never fall back to one process silently when mpirun started us.
  if (!mpi.init_error().empty()) {
    convlstm::log::error("{}", mpi.init_error());
    if (comm.size() > 1) mpi.abort(kExitRuntime);
    return kExitRuntime;
  }
  // An error only this rank has: printed with its rank; under MPI it ends every rank of the job.
  auto local_failure = [&](int status, const char* what) {
    convlstm::log::error("{}{}", comm.root() ? rank_prefix : "", what);
    if (comm.size() > 1) mpi.abort(status);
    return status;
  };

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
    convlstm::log::set_level(comm.root() ? log_level : "error");
    for (auto* sub : app.get_subcommands()) {
      if (comm.size() > 1 && sub->get_name() != "train" && sub->get_name() != "bench")
        throw convlstm::train::CollectiveError(
            "convlstm " + sub->get_name() + " runs in one process: only train and bench run under mpirun",
            true);
      // A subcommand with subcommands of its own (synth radar) is dispatched by its own run function.
      return commands.at(sub->get_name())();
    }
    std::cout << app.help();
    return 0;
  } catch (const convlstm::train::CollectiveError& e) {
    if (comm.root()) convlstm::log::error("{}", e.what());
    return e.usage() ? kExitUsage : kExitRuntime;
  } catch (const convlstm::ConfigError& e) {
    return local_failure(kExitUsage, e.what());
  } catch (const convlstm::UsageError& e) {
    return local_failure(kExitUsage, e.what());
  } catch (const std::exception& e) {
    return local_failure(kExitRuntime, e.what());
  }
}
