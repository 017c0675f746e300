#include "data/pgm.hpp"

#include <cctype>
#include <memory>

#include "core/error.hpp"
#include "data/gzip.hpp"

namespace convlstm::data::pgm {

namespace {

// Whitespace and comments between header tokens; comment text goes to `comments`.
int skip_space(gz::Reader& f, std::vector<std::string>& comments) {
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

std::int64_t number(gz::Reader& f, std::vector<std::string>& comments, const std::string& path,
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
  gz::Reader f(path);
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
  f.read(im.pixels.data(), im.pixels.size(), "PGM pixels");
  return im;
}

void write(const std::string& path, const Image& im, bool gzip) {
  std::string header = "P5\n";
  for (const auto& c : im.comments) header += "# " + c + "\n";
  header +=
      std::to_string(im.width) + " " + std::to_string(im.height) + "\n" + std::to_string(im.maxval) + "\n";
  gz::write(path, {header, std::string(im.pixels.begin(), im.pixels.end())}, gzip);
}

bool is_pgm(const std::string& path) {
  try {
    gz::Reader f(path);
    return f.get() == 'P' && f.get() == '5';
  } catch (const DataError&) {
    return false;
  }
}

}  // namespace convlstm::data::pgm
