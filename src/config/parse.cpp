#include "config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "config/detail.hpp"
#include "core/error.hpp"

namespace convlstm::config {

namespace {

using detail::Bad;
using detail::quoted;
using detail::scalar_text;

std::string closest_key(const std::string& path) {
  std::string best;
  std::size_t best_d = std::string::npos;
  auto consider = [&](const std::string& cand) {
    const std::size_t d = edit_distance(path, cand);
    if (d < best_d) {
      best_d = d;
      best = cand;
    }
  };
  for (const auto& k : detail::keys()) consider(k.path);
  for (const auto& k : detail::sections()) consider(k);
  // Also match on the last component alone, so "train.max_step" and "max_step" both find train.max_steps.
  const std::string last = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
  for (const auto& key : detail::keys()) {
    const std::string& k = key.path;
    const std::string k_last = k.substr(k.rfind('.') + 1);
    const std::size_t d = edit_distance(last, k_last) + (k.rfind('.') == std::string::npos ? 0 : 1);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best;
}

struct Parser {
  std::string source;
  Config config;
  std::map<std::string, int> lines;  // key -> 1-based line where it was set (0: --set)
  std::set<std::string> overridden;  // keys last set by --set: their range errors name --set, not the file

  [[noreturn]] void fail(int line, const std::string& key, const std::string& what) const {
    std::ostringstream os;
    os << source;
    if (line > 0) os << ":" << line;
    // A key is user text too when it is unknown: shortened like a value.
    os << ": " << (key.size() > 60 ? quoted(key) : key) << ": " << what;
    throw ConfigError(os.str());
  }

  void set(const std::string& path, const YAML::Node& value, int line) {
    const auto* key = detail::find_key(path);
    if (!key) {
      if (detail::sections().count(path)) fail(line, path, "is a section: expected a mapping of its keys");
      fail(line, path, "unknown key (did you mean '" + closest_key(path) + "'?)");
    }
    try {
      key->parse(config, value);
    } catch (const Bad& b) {
      fail(line, path, b.what);
    } catch (const ConfigError& e) {
      fail(line, path, e.what());
    }
    lines[path] = line;
  }

  void walk(const YAML::Node& map, const std::string& prefix) {
    for (const auto& kv : map) {
      const int line = kv.first.Mark().line + 1;
      if (!kv.first.IsScalar())
        fail(line, prefix.empty() ? "(top level)" : prefix, "keys must be plain names");
      const std::string path = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
      if (detail::sections().count(path)) {
        if (kv.second.IsNull()) continue;
        if (!kv.second.IsMap()) fail(line, path, "expected a mapping, got " + scalar_text(kv.second));
        walk(kv.second, path);
      } else {
        set(path, kv.second, line);
      }
    }
  }

  void require(bool ok, const std::string& key, const std::string& what) const {
    if (!ok && overridden.count(key)) throw ConfigError("--set: " + key + ": " + what);
    if (!ok) {
      const auto it = lines.find(key);
      fail(it == lines.end() ? -1 : it->second, key, what);
    }
  }
};

}  // namespace

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

Config parse_config(const std::string& yaml, const std::string& source,
                    const std::vector<std::string>& overrides) {
  Parser p{source, {}, {}, {}};
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML (" + e.msg + ")");
  }
  if (!root.IsNull()) {
    if (!root.IsMap())
      throw ConfigError(source + ": expected a mapping with data, model, train and output sections");
    p.walk(root, "");
  }
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ConfigError("--set " + quoted(o) + ": expected key=value, for example --set train.max_steps=100");
    const std::string key = o.substr(0, eq), value = o.substr(eq + 1);
    YAML::Node v;
    try {
      v = YAML::Load(value);
    } catch (const YAML::ParserException& e) {
      throw ConfigError("--set " + quoted(key) + ": value is not valid YAML (" + e.msg + ")");
    }
    Parser sub{"--set", p.config, {}, {}};
    sub.set(key, v, 0);
    p.config = sub.config;
    p.lines.erase(key);
    p.overridden.insert(key);
  }
  // Every key's range rule, in file order: the first broken one is named with its file and line (or --set).
  for (const auto& key : detail::keys())
    if (key.check) {
      const std::string what = key.check(p.config);
      p.require(what.empty(), key.path, what);
    }
  return p.config;
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot read the config file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path, overrides);
}

}  // namespace convlstm::config
