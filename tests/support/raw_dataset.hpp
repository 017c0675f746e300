// A dataset file written with the h5 layer directly, to build malformed datasets (tests only).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/h5.hpp"

namespace convlstm::test {

// Writes a file with the h5 layer directly, to build malformed datasets.
struct RawFile {
  data::h5::File f;
  explicit RawFile(const std::string& path) : f(data::h5::File::create(path)) {
    f.root().set_attr("format", std::string("convlstm-dataset"));
    f.root().set_attr("version", std::int64_t{1});
  }
  data::h5::Dataset frames(data::h5::Scalar type, std::vector<std::int64_t> dims, float fill = 1.0f) {
    auto d = f.create_dataset("/frames", type, dims);
    std::int64_t n = 1;
    for (auto x : dims) n *= x;
    std::vector<float> v(static_cast<std::size_t>(n), fill);
    d.write(std::vector<std::int64_t>(dims.size(), 0), dims, v.data());
    return d;
  }
};

}  // namespace convlstm::test
