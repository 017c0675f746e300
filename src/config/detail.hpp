// Inside the config room: what its parse (parse.cpp), validate (validate.cpp) and emit (emit.cpp) parts
// share.
#pragma once

#include <functional>
#include <string>

#include "config/config.hpp"

namespace convlstm::config::detail {

// require(ok, key, what): when !ok, throws the ConfigError that names the key where it was set (file and
// line, or --set) and what was expected.
using Require = std::function<void(bool ok, const std::string& key, const std::string& what)>;

// Every range and consistency rule of a parsed config, one require() per rule.
void validate(const Config& c, const Require& require);

}  // namespace convlstm::config::detail
