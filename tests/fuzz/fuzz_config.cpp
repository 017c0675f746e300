#include <algorithm>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/error.hpp"
#include "fuzz/targets.hpp"

namespace convlstm::fuzz {

namespace {

constexpr const char* kSource = "fuzz.yaml";

// A config error must say where: the file (with its line) or the override it came from.
void check_message(const ConfigError& e) {
  const std::string m = e.what();
  if (m.rfind(kSource, 0) != 0 && m.rfind("--set", 0) != 0 && m.rfind("model.", 0) != 0)
    finding("config error without its source: " + m);
  if (m.size() > 600) finding("config error longer than 600 characters: " + m.substr(0, 200) + "...");
}

}  // namespace

int fuzz_config(const std::uint8_t* data, std::size_t size) {
  const char* text = reinterpret_cast<const char*>(data);
  const std::size_t nul = std::find(text, text + size, '\0') - text;
  const std::string yaml(text, nul);
  std::vector<std::string> overrides;
  if (nul < size) {
    std::istringstream rest(std::string(text + nul + 1, size - nul - 1));
    for (std::string line; std::getline(rest, line);) overrides.push_back(line);
  }
  config::Config c;
  try {
    c = config::parse_config(yaml, kSource, overrides);
  } catch (const ConfigError& e) {
    check_message(e);
    return 0;
  }
  // What was accepted prints as YAML that parses back to the same configuration.
  const std::string printed = config::to_yaml(c);
  try {
    const std::string again = config::to_yaml(config::parse_config(printed, "printed.yaml"));
    if (again != printed) finding("to_yaml does not round-trip:\n" + printed + "---\n" + again);
  } catch (const ConfigError& e) {
    finding(std::string("the printed configuration does not parse back: ") + e.what() + "\n" + printed);
  }
  // The model for a few frame shapes: accepted, or refused with a ConfigError naming the key.
  const std::int64_t shapes[][3] = {{1, 16, 16}, {2, 64, 48}, {1, 7, 5}, {3, 1, 1}};
  for (const auto& s : shapes) {
    try {
      const auto spec = config::model_spec(c, s[0], s[1], s[2]);
      spec.validate();
      if (spec.grid_h() * spec.patch != s[1] || spec.grid_w() * spec.patch != s[2])
        finding("an accepted patch does not divide the frame: " + spec.str());
      (void)spec.hidden_sum();
      (void)spec.str();
    } catch (const ConfigError& e) {
      check_message(e);
    }
  }
  return 0;
}

}  // namespace convlstm::fuzz
