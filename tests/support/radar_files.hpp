// Small radar files in the producers' own layouts, written by tests so that the readers are exercised without
// the real samples: KNMI HDF5 with 1-element array attributes, fixed-length strings and a uint16 image; an
// ODIM composite with its decoding attributes and sentinels in a 2 x 4 float image.
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

struct OdimFile {
  std::string quantity = "DBZH";
  std::string time = "010000";  // what@time; the date is 20241126
  bool at_data_level = true;    // gain, offset, ... in dataset1/data1/what (CIRRUS) or dataset1/what (NIMBUS)
  bool date_as_number = false;  // what@date stored as a number, as no ODIM producer should
};

// Raw values {0, 255, 20, 100, NaN, 40, 60, 0} with gain 0.5, offset -10, nodata 255, undetect 0.
void write_odim_file(const std::string& path, const OdimFile& o);

// A GIF89a image of palette indices (rows * cols, row 0 first) with a grey 256-entry palette, as MeteoSwiss
// AQC files are: LZW-coded with a clear code every 254 literals, so every code stays 9 bits wide.
void write_gif_indices(const std::string& path, std::int64_t rows, std::int64_t cols,
                       const std::vector<std::uint8_t>& indices);

}  // namespace convlstm::test
