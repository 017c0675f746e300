#include "data/gzip.hpp"

#include <zlib.h>

#include <algorithm>

#include "core/error.hpp"

namespace convlstm::data::gz {

Reader::Reader(const std::string& path) : path_(path), f_(gzopen(path.c_str(), "rb")) {
  if (!f_) throw DataError(path + ": cannot open (missing or unreadable)");
}

Reader::~Reader() {
  gzclose(static_cast<gzFile>(f_));
}

int Reader::get() {
  return gzgetc(static_cast<gzFile>(f_));
}

void Reader::read(std::uint8_t* out, std::size_t n, const std::string& what) {
  std::size_t got = 0;
  while (got < n) {
    const int r = gzread(static_cast<gzFile>(f_), out + got,
                         static_cast<unsigned>(std::min<std::size_t>(n - got, 1u << 30)));
    if (r <= 0)
      throw DataError(path_ + ": truncated " + what + " (" + std::to_string(got) + " of " +
                      std::to_string(n) + " bytes)");
    got += static_cast<std::size_t>(r);
  }
}

void write(const std::string& path, const std::vector<std::string>& pieces, bool gzip) {
  gzFile f = gzopen(path.c_str(), gzip ? "wb" : "wbT");  // T: plain, no compression
  if (!f) throw DataError(path + ": cannot write");
  bool ok = true;
  for (const auto& p : pieces)
    ok = ok && gzwrite(f, p.data(), static_cast<unsigned>(p.size())) == static_cast<int>(p.size());
  if (gzclose(f) != Z_OK || !ok) throw DataError(path + ": cannot write (disk full?)");
}

}  // namespace convlstm::data::gz
