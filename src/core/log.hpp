// The one logging header: library code logs through these, never through spdlog directly or std::cout.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace convlstm::log {

// Sets the console's level from a name (trace, debug, info, warn, error, off); sinks added later (train.log)
// still receive info and above. Throws UsageError on an unknown name.
void set_level(const std::string& name);

// While it lives, the log also goes to the file at `path` (appended; info and above): train.log. Throws
// DataError naming the file when it cannot be opened.
class FileCopy {
 public:
  explicit FileCopy(const std::string& path);
  ~FileCopy();
  FileCopy(const FileCopy&) = delete;
  FileCopy& operator=(const FileCopy&) = delete;

 private:
  std::shared_ptr<spdlog::sinks::sink> sink_;
};

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
