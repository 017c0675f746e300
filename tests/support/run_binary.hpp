// Runs the convlstm binary (or mpirun with it) from a test, as a user would, and keeps what it printed.
#pragma once

#include <string>

#include "support/temp_dir.hpp"

namespace convlstm::test {

struct Outcome {
  int status = -1;  // exit status, or 128 + the signal that ended it
  std::string err;  // standard error
};

// Runs the shell command `command` in dir with OMP_NUM_THREADS=1; stdout discarded, stderr kept.
Outcome run_in(const TempDir& dir, const std::string& command);
// `convlstm --log-level warn ARGS` in dir.
Outcome run_convlstm(const TempDir& dir, const std::string& args);

std::string slurp(const std::string& path);
int count_lines(const std::string& s);

}  // namespace convlstm::test
