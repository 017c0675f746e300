// The one logging header: library code logs through these, never through spdlog directly or std::cout.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace convlstm::log {

// Sets the console's level from a name (trace, debug, info, warn, error, off); sinks added later (train.log)
// still receive info and above. Throws UsageError on an unknown name.
void set_level(const std::string& name);

template <typename... Args>
void debug(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::debug(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void info(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::info(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void warn(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::warn(fmt, std::forward<Args>(args)...);
}
template <typename... Args>
void error(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::error(fmt, std::forward<Args>(args)...);
}

}  // namespace convlstm::log
