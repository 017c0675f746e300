#include "core/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/error.hpp"

namespace convlstm::log {

namespace {
spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}
}  // namespace

void init_console(const std::string& prefix) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("convlstm"));
  spdlog::set_pattern("[%H:%M:%S] " + prefix + "%^%l%$: %v");
}

void set_level(const std::string& name) {
  const auto level = spdlog::level::from_str(name);
  if (level == spdlog::level::off && name != "off") {
    throw UsageError("unknown log level '" + name + "' (expected trace, debug, info, warn, error or off)");
  }
  // The console shows `level`; the logger itself passes at least info, so that file sinks (train.log) keep
  // the full record whatever the console shows.
  auto logger = spdlog::default_logger();
  for (auto& sink : logger->sinks()) sink->set_level(level);
  logger->set_level(std::min(level, spdlog::level::info));
}

bool enabled(Level level) {
  return spdlog::default_logger_raw()->should_log(to_spdlog(level));
}

void write(Level level, const std::string& message) {
  spdlog::default_logger_raw()->log(to_spdlog(level), "{}", message);
}

FileCopy::FileCopy(const std::string& path) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  try {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, false);
  } catch (const spdlog::spdlog_ex& e) {
    throw DataError(path + ": cannot open the log file (" + e.what() + ")");
  }
  spdlog::default_logger()->sinks().push_back(sink);
  sink_ = sink;
}

FileCopy::~FileCopy() {
  auto& sinks = spdlog::default_logger()->sinks();
  const auto* mine = static_cast<const spdlog::sinks::sink*>(sink_.get());
  sinks.erase(std::remove_if(sinks.begin(), sinks.end(), [mine](const auto& s) { return s.get() == mine; }),
              sinks.end());
}

}  // namespace convlstm::log
