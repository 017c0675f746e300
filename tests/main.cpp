#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "core/log.hpp"

int main(int argc, char* argv[]) {
  // Library code logs at info level (effective configs, progress); tests only want warnings and errors.
  convlstm::log::set_level("warn");
  return Catch::Session().run(argc, argv);
}
