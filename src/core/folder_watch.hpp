// Watching a folder for new files (`convlstm nowcast`): the regular files it holds with their size and
// modification time, and a wait that returns when the folder may have changed. Linux's inotify wakes the
// wait at once when a file is written, closed or moved in; where it is unavailable, or on a network file
// system (where it sees only the local machine's writes), the wait is a plain timeout and the caller rescans,
// which is the polling fallback. Either way the caller decides from the listing what is new and complete.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace convlstm {

struct FileState {
  std::string path;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;  // modification time, nanoseconds since 1970
  bool operator==(const FileState& o) const {
    return path == o.path && size == o.size && mtime_ns == o.mtime_ns;
  }
};

// The regular files directly in `dir`, by name, leaving out hidden ones (".name") and temporary ones
// (*.partial, *.tmp): what a producer writes before renaming into place. Throws DataError naming `dir` when
// it cannot be read.
std::vector<FileState> list_files(const std::string& dir);

class FolderWatch {
 public:
  // inotify: false forces polling.
  FolderWatch(const std::string& dir, bool inotify);
  ~FolderWatch();
  FolderWatch(const FolderWatch&) = delete;
  FolderWatch& operator=(const FolderWatch&) = delete;

  bool uses_inotify() const { return fd_ >= 0; }
  // Returns after an event in the folder or after timeout_s seconds, whichever comes first.
  void wait(double timeout_s);

 private:
  int fd_ = -1;
};

// Nanoseconds since 1970 now (the clock file times are on).
std::int64_t wall_clock_ns();

}  // namespace convlstm
