// Inside the config room: the table of keys (keys.cpp) that parsing (parse.cpp), writing (emit.cpp),
// validation, the resume check and the defaults listing all read. yaml-cpp appears only in this room.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace convlstm::config::detail {

// A type or value problem found while setting one key; turned into a ConfigError with file, line and key.
struct Bad {
  std::string what;
};

// One config key, declared once. Its default is the Config struct's (config.hpp).
struct Key {
  std::string path;  // "train.optimizer.lr"
  std::string type;  // what a value looks like: "integer", "number", "null or [height, width]", "adam | sgd"
  std::function<void(Config&, const YAML::Node&)> parse;  // throws Bad
  std::function<YAML::Node(const Config&)> emit;
  // The range rule: empty when the value is acceptable, else what is expected ("must be at least 1").
  std::function<std::string(const Config&)> check;
  bool resume_may_change = false;  // train --resume may change it (the data order and arithmetic stay)
  std::string help;
};

// Every key, in file order.
const std::vector<Key>& keys();
// nullptr when there is no such key.
const Key* find_key(const std::string& path);
// The section paths ("data", "data.normalize", "train.optimizer", ...), from the keys.
const std::set<std::string>& sections();

// User text as it appears in an error: quoted, on one line, at most 60 characters.
std::string quoted(const std::string& text);
std::string scalar_text(const YAML::Node& n);

}  // namespace convlstm::config::detail
