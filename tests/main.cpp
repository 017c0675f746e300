#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "core/log.hpp"
#include "ops/threads.hpp"

int main(int argc, char* argv[]) {
  // Library code logs at info level (effective configs, progress); tests only want warnings and errors.
  convlstm::log::set_level("warn");
  convlstm::ops::flush_denormals();  // the arithmetic of the command line (cli/main.cpp)
  return Catch::Session().run(argc, argv);
}
