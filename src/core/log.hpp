// The one logging header: library code logs through these, never through spdlog directly or std::cout.
// spdlog itself stays inside core/log.cpp (messages are formatted here with fmt, which spdlog uses too).
#pragma once

#include <fmt/format.h>

#include <memory>
#include <string>

namespace convlstm::log {

// Logs to stderr as "[HH:MM:SS] level: message", each line prefixed by `prefix` (a rank's "rank 1 of 2: "),
// and colours the level on a terminal. The CLI calls this once at start-up.
void init_console(const std::string& prefix = "");

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
  std::shared_ptr<void> sink_;  // the spdlog sink (kept opaque here)
};

enum class Level { debug, info, warn, error };
void write(Level level, const std::string& message);
bool enabled(Level level);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::debug)) write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::info)) write(Level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::warn)) write(Level::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::error, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace convlstm::log
