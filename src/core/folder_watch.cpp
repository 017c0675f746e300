#include "core/folder_watch.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/error.hpp"

namespace convlstm {

namespace {

bool temporary(const std::string& name) {
  auto ends = [&](const char* s) {
    const std::string suffix(s);
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return name.empty() || name[0] == '.' || ends(".partial") || ends(".tmp");
}

}  // namespace

std::vector<FileState> list_files(const std::string& dir) {
  std::vector<FileState> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) throw DataError(dir + ": cannot read the folder (" + ec.message() + ")");
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (temporary(name)) continue;
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      continue;  // (gone since, or not a file)
    out.push_back({entry.path().string(), static_cast<std::int64_t>(st.st_size),
                   static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec});
  }
  std::sort(out.begin(), out.end(), [](const FileState& a, const FileState& b) { return a.path < b.path; });
  return out;
}

FolderWatch::FolderWatch(const std::string& dir, bool inotify) {
  if (!inotify) return;
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return;
  if (inotify_add_watch(fd_, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY) < 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

FolderWatch::~FolderWatch() {
  if (fd_ >= 0) ::close(fd_);
}

void FolderWatch::wait(double timeout_s) {
  const int ms = static_cast<int>(std::max(0.0, timeout_s) * 1000.0);
  if (fd_ < 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return;
  }
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, ms) > 0) {
    alignas(inotify_event) char buf[4096];
    while (::read(fd_, buf, sizeof buf) > 0) {
    }  // drain: the caller rescans the folder, the events' details are not needed
  }
}

std::int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace convlstm
