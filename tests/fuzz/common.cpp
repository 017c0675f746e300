#include <cstdio>
#include <cstdlib>

#include "core/error.hpp"
#include "core/log.hpp"
#include "fuzz/targets.hpp"

namespace convlstm::fuzz {

void fuzz_setup() {
  log::set_level("off");
}

void read_expecting_named_errors(const std::string& path, const std::function<void()>& read) {
  try {
    read();
  } catch (const DataError& e) {
    if (std::string(e.what()).find(path) == std::string::npos)
      finding(std::string("an error that does not name the file: ") + e.what());
  }
  std::remove(path.c_str());
}

void finding(const std::string& what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::abort();
}

}  // namespace convlstm::fuzz
