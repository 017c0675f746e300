// Binary PGM images (P5), plain or gzipped, with their '#' comment lines: the container of FMI's radar
// composites, gzipped or not (data/gzip.hpp). Failures throw DataError naming the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace convlstm::data::pgm {

struct Image {
  std::int64_t width = 0, height = 0, maxval = 0;
  std::vector<std::string> comments;  // the text after '#', in file order
  std::vector<std::uint8_t> pixels;   // height x width, row 0 first (8-bit images only)
};

// header_only: comments and size, no pixels.
Image read(const std::string& path, bool header_only = false);
// Writes `image` (comments first), gzipped or plain.
void write(const std::string& path, const Image& image, bool gzip);
// True when the file (gunzipped if it is gzip) starts with "P5".
bool is_pgm(const std::string& path);

}  // namespace convlstm::data::pgm
