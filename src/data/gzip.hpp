// Files that may be gzipped (FMI's PGM composites, DWD's RADOLAN composites): read through zlib's gz* API,
// which passes plain files through unchanged, and written gzipped or plain. zlib is included only by
// gzip.cpp. Failures throw DataError naming the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace convlstm::data::gz {

class Reader {
 public:
  explicit Reader(const std::string& path);  // DataError when it cannot be opened
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  const std::string& path() const { return path_; }
  int get();  // the next byte, or -1 at the end
  // Exactly n bytes; DataError "truncated <what> (got of n bytes)" when the file ends first.
  void read(std::uint8_t* out, std::size_t n, const std::string& what);

 private:
  std::string path_;
  void* f_;  // zlib's gzFile
};

// Writes the pieces one after another, gzipped or plain.
void write(const std::string& path, const std::vector<std::string>& pieces, bool gzip);

}  // namespace convlstm::data::gz
