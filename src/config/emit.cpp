// Config to YAML (RUN/config.yaml), the defaults listing, and the keys two configs differ in: all from the
// table of keys (keys.cpp), in its order.
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/detail.hpp"

namespace convlstm::config {

namespace {

// The node at a dotted path under root, the sections made on the way.
YAML::Node at(YAML::Node root, const std::string& path) {
  YAML::Node node = root;
  std::size_t from = 0;
  for (auto dot = path.find('.'); dot != std::string::npos; dot = path.find('.', from)) {
    node.reset(node[path.substr(from, dot - from)]);
    from = dot + 1;
  }
  return node[path.substr(from)];
}

std::string flow_text(const YAML::Node& n) {
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
}

}  // namespace

std::string to_yaml(const Config& c) {
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& key : detail::keys()) at(root, key.path) = key.emit(c);
  YAML::Emitter e;
  e << root;
  return std::string(e.c_str()) + "\n";
}

std::string defaults_listing() {
  std::ostringstream os;
  os << "# The code's defaults (src/config/config.hpp), key by key: what a config that leaves a key out "
        "gets,\n"
        "# with what each key takes. Printed by `convlstm config --defaults`; configs/default.yaml is the "
        "demo's\n"
        "# preset.\n";
  const Config defaults;
  std::vector<std::string> open;  // the sections written so far on the current path
  for (const auto& key : detail::keys()) {
    std::vector<std::string> parts;
    std::stringstream ss(key.path);
    for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
    std::size_t same = 0;
    while (same < open.size() && same + 1 < parts.size() && open[same] == parts[same]) ++same;
    open.resize(same);
    for (std::size_t d = same; d + 1 < parts.size(); ++d) {
      os << std::string(2 * d, ' ') << parts[d] << ":\n";
      open.push_back(parts[d]);
    }
    const std::string line =
        std::string(2 * (parts.size() - 1), ' ') + parts.back() + ": " + flow_text(key.emit(defaults));
    os << line << std::string(line.size() < 40 ? 40 - line.size() : 1, ' ') << "# " << key.type << ": "
       << key.help << (key.resume_may_change ? " (a resume may change it)" : "") << "\n";
  }
  return os.str();
}

std::vector<std::string> changed_keys(const Config& a, const Config& b) {
  std::vector<std::string> out;
  for (const auto& key : detail::keys())
    if (flow_text(key.emit(a)) != flow_text(key.emit(b))) out.push_back(key.path);
  return out;
}

bool resume_may_change(const std::string& key) {
  const auto* k = detail::find_key(key);
  return k && k->resume_may_change;
}

}  // namespace convlstm::config
