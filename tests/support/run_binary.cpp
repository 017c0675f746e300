#include "support/run_binary.hpp"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace convlstm::test {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

Outcome run_in(const TempDir& dir, const std::string& command) {
  const std::string err = dir.file("stderr.txt");
  const std::string cmd = "cd '" + dir.path().string() + "' && export OMP_NUM_THREADS=1 && (" + command +
                          ") >/dev/null 2>'" + err + "'";
  const int raw = std::system(cmd.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw), slurp(err)};
}

Outcome run_convlstm(const TempDir& dir, const std::string& args) {
  return run_in(dir, std::string("'") + CONVLSTM_BINARY + "' --log-level warn " + args);
}

}  // namespace convlstm::test
