// Small radar files in the producers' own layouts, written by tests so that the readers are exercised without
// the real samples: KNMI HDF5 with 1-element array attributes, fixed-length strings and a uint16 image.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace convlstm::test {

// KNMI's time string for minutes after midnight of 2010-08-26 (negative: the day before).
std::string knmi_time(int minutes);

// raw: rows * cols uint16 pixel values (65535 = missing); the 5-minute accumulation ends end_minutes after
// midnight of 2010-08-26.
void write_knmi_file(const std::string& path, int end_minutes, const std::string& formula, std::int64_t rows,
                     std::int64_t cols, const std::vector<float>& raw);

}  // namespace convlstm::test
