#include "core/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/sink.h>

#include <algorithm>

#include "core/error.hpp"

namespace convlstm::log {

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

FileCopy::FileCopy(const std::string& path) {
  try {
    sink_ = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, false);
  } catch (const spdlog::spdlog_ex& e) {
    throw DataError(path + ": cannot open the log file (" + e.what() + ")");
  }
  spdlog::default_logger()->sinks().push_back(sink_);
}

FileCopy::~FileCopy() {
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
}

}  // namespace convlstm::log
