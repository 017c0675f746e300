// Config to YAML (RUN/config.yaml), the defaults listing, and the keys two configs differ in: all from the
// table of keys (keys.cpp), in its order.
#include <algorithm>
#include <sstream>
#include <string>
#include <utility>
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

namespace {

// Leaves of a YAML mapping as dotted keys with their emitted values (sequences whole).
void flatten(const YAML::Node& n, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (n.IsMap()) {
    for (const auto& kv : n)
      flatten(kv.second, prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar(), out);
    return;
  }
  out.push_back({prefix, flow_text(n)});
}

}  // namespace

std::vector<std::string> changed_keys(const Config& a, const Config& b) {
  std::vector<std::pair<std::string, std::string>> fa, fb;
  flatten(YAML::Load(to_yaml(a)), "", fa);
  flatten(YAML::Load(to_yaml(b)), "", fb);
  // (No structured bindings captured by the lambdas: C++17 does not allow it, and clang refuses.)
  auto find = [](const std::vector<std::pair<std::string, std::string>>& in, const std::string& key) {
    return std::find_if(in.begin(), in.end(), [&key](const auto& p) { return p.first == key; });
  };
  std::vector<std::string> out;
  for (const auto& entry : fa) {
    const auto it = find(fb, entry.first);
    if (it == fb.end() || it->second != entry.second) out.push_back(entry.first);
  }
  for (const auto& entry : fb)
    if (find(fa, entry.first) == fa.end()) out.push_back(entry.first);
  return out;
}

bool resume_may_change(const std::string& key) {
  const auto* k = detail::find_key(key);
  return k && k->resume_may_change;
}

}  // namespace convlstm::config
