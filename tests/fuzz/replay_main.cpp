// Runs fuzz inputs through a target without libFuzzer: the seed corpora and every input that once found a bug
// (tests/fuzz/regressions/), in the ordinary and the sanitizer build.
//   convlstm_fuzz_replay config|dataset|radar FILE_OR_DIR...
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "fuzz/targets.hpp"

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using Target = int (*)(const std::uint8_t*, std::size_t);
  const std::map<std::string, Target> targets{{"config", convlstm::fuzz::fuzz_config},
                                              {"dataset", convlstm::fuzz::fuzz_dataset},
                                              {"radar", convlstm::fuzz::fuzz_radar}};
  if (argc < 3 || !targets.count(argv[1])) {
    std::fprintf(stderr, "usage: %s config|dataset|radar FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  convlstm::fuzz::fuzz_setup();
  std::vector<fs::path> inputs;
  for (int i = 2; i < argc; ++i) {
    const fs::path p = argv[i];
    if (fs::is_directory(p)) {
      for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file() && e.path().filename() != "README.md") inputs.push_back(e.path());
    } else if (fs::exists(p)) {
      inputs.push_back(p);
    } else {
      std::fprintf(stderr, "%s: no such file or directory\n", p.c_str());
      return 2;
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "no inputs\n");
    return 2;
  }
  const Target run = targets.at(argv[1]);
  for (const auto& p : inputs) {
    std::ifstream in(p, std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%s: %zu inputs, no finding\n", argv[1], inputs.size());
  return 0;
}
