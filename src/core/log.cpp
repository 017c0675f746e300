#include "core/log.hpp"

#include "core/error.hpp"

namespace convlstm::log {

void set_level(const std::string& name) {
  const auto level = spdlog::level::from_str(name);
  if (level == spdlog::level::off && name != "off") {
    throw UsageError("unknown log level '" + name + "' (expected trace, debug, info, warn, error or off)");
  }
  spdlog::set_level(level);
}

}  // namespace convlstm::log
