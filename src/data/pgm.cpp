#include "data/pgm.hpp"

#include <zlib.h>

#include <cctype>
#include <memory>

#include "core/error.hpp"

namespace convlstm::data::pgm {

namespace {

// A gzip (or plain) file read through zlib's gz* API, which passes plain files through unchanged.
class GzFile {
 public:
  explicit GzFile(const std::string& path) : path_(path), f_(gzopen(path.c_str(), "rb")) {
    if (!f_) throw DataError(path + ": cannot open (missing or unreadable)");
  }
  ~GzFile() { gzclose(f_); }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;
  int get() { return gzgetc(f_); }
  void read(std::uint8_t* out, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
      const int r = gzread(f_, out + got, static_cast<unsigned>(std::min<std::size_t>(n - got, 1u << 30)));
      if (r <= 0)
        throw DataError(path_ + ": truncated PGM (" + std::to_string(got) + " of " + std::to_string(n) +
                        " pixel bytes)");
      got += static_cast<std::size_t>(r);
    }
  }

 private:
  std::string path_;
  gzFile f_;
};

// Whitespace and comments between header tokens; comment text goes to `comments`.
int skip_space(GzFile& f, std::vector<std::string>& comments) {
  int c = f.get();
  while (c != -1) {
    if (c == '#') {
      std::string line;
      for (c = f.get(); c != -1 && c != '\n'; c = f.get()) line += static_cast<char>(c);
      const auto b = line.find_first_not_of(' ');
      comments.push_back(b == std::string::npos ? "" : line.substr(b));
    } else if (!std::isspace(c)) {
      return c;
    }
    c = f.get();
  }
  return c;
}

std::int64_t number(GzFile& f, std::vector<std::string>& comments, const std::string& path,
                    const char* what) {
  int c = skip_space(f, comments);
  if (c == -1 || !std::isdigit(c)) throw DataError(path + ": PGM header: expected the " + std::string(what));
  std::int64_t v = 0;
  for (; c != -1 && std::isdigit(c); c = f.get()) {
    v = v * 10 + (c - '0');
    if (v > 1000000) throw DataError(path + ": PGM header: " + what + " too large");
  }
  return v;  // the single whitespace after the number has been consumed
}

}  // namespace

Image read(const std::string& path, bool header_only) {
  GzFile f(path);
  if (f.get() != 'P' || f.get() != '5') throw DataError(path + ": not a binary PGM (P5) image");
  Image im;
  im.width = number(f, im.comments, path, "width");
  im.height = number(f, im.comments, path, "height");
  im.maxval = number(f, im.comments, path, "maxval");
  if (im.width < 1 || im.height < 1 || im.maxval < 1 || im.maxval > 255)
    throw DataError(path + ": PGM " + std::to_string(im.width) + "x" + std::to_string(im.height) +
                    " maxval " + std::to_string(im.maxval) + ": expected a positive size and 8-bit values");
  if (header_only) return im;
  im.pixels.resize(static_cast<std::size_t>(im.width * im.height));
  f.read(im.pixels.data(), im.pixels.size());
  return im;
}

void write(const std::string& path, const Image& im, bool gzip) {
  std::string header = "P5\n";
  for (const auto& c : im.comments) header += "# " + c + "\n";
  header +=
      std::to_string(im.width) + " " + std::to_string(im.height) + "\n" + std::to_string(im.maxval) + "\n";
  gzFile f = gzopen(path.c_str(), gzip ? "wb" : "wbT");  // T: plain, no compression
  if (!f) throw DataError(path + ": cannot write");
  const bool ok =
      gzwrite(f, header.data(), static_cast<unsigned>(header.size())) == static_cast<int>(header.size()) &&
      gzwrite(f, im.pixels.data(), static_cast<unsigned>(im.pixels.size())) ==
          static_cast<int>(im.pixels.size());
  if (gzclose(f) != Z_OK || !ok) throw DataError(path + ": cannot write (disk full?)");
}

bool is_pgm(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return false;
  const bool yes = gzgetc(f) == 'P' && gzgetc(f) == '5';
  gzclose(f);
  return yes;
}

}  // namespace convlstm::data::pgm
