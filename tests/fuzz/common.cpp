#include <cstdio>
#include <cstdlib>

#include "core/log.hpp"
#include "fuzz/targets.hpp"

namespace convlstm::fuzz {

void fuzz_setup() {
  log::set_level("off");
}

void finding(const std::string& what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::abort();
}

}  // namespace convlstm::fuzz
