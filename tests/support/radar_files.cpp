#include "support/radar_files.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "data/h5.hpp"

namespace convlstm::test {

std::string knmi_time(int minutes) {
  char buf[48];
  const int day = minutes < 0 ? 25 : 26;
  const int m = minutes < 0 ? minutes + 24 * 60 : minutes;
  std::snprintf(buf, sizeof buf, "%02d-AUG-2010;%02d:%02d:00.000", day, m / 60, m % 60);
  return buf;
}

void write_knmi_file(const std::string& path, int end_minutes, const std::string& formula, std::int64_t rows,
                     std::int64_t cols, const std::vector<float>& raw) {
  auto f = data::h5::File::create(path);
  const auto root = f.root();
  const auto overview = root.create_group("overview");
  overview.set_attr_fixed_string("product_datetime_start", knmi_time(end_minutes - 5), true);
  overview.set_attr_fixed_string("product_datetime_end", knmi_time(end_minutes), true);
  const auto geo = root.create_group("geographic");
  geo.set_attr("geo_pixel_size_x", std::vector<double>{1.0});
  geo.set_attr("geo_pixel_size_y", std::vector<double>{-1.0});
  root.create_group("geographic/map_projection")
      .set_attr_fixed_string("projection_proj4_params", "+proj=stere", false);
  const auto image = root.create_group("image1");
  image.set_attr_fixed_string("image_geo_parameter", "ACCUMULATED_PRECIPITATION_[MM]", false);
  const auto cal = root.create_group("image1/calibration");
  cal.set_attr_fixed_string("calibration_formulas", formula, false);
  cal.set_attr("calibration_missing_data", std::vector<double>{65535});
  auto d = f.create_dataset("/image1/image_data", data::h5::Scalar::uint16, {rows, cols});
  d.write({0, 0}, {rows, cols}, raw.data());
}

void write_odim_file(const std::string& path, const OdimFile& o) {
  auto f = data::h5::File::create(path);
  const auto root = f.root();
  root.set_attr("Conventions", std::string("ODIM_H5/V2_4"));
  const auto what = root.create_group("what");
  what.set_attr("object", std::string("COMP"));
  if (o.date_as_number)
    what.set_attr("date", 20241126.0);
  else
    what.set_attr("date", std::string("20241126"));
  what.set_attr("time", o.time);
  const auto where = root.create_group("where");
  if (o.at_data_level) {  // CIRRUS-like: unsigned sizes
    where.set_attr_uint64("xsize", 4);
    where.set_attr_uint64("ysize", 2);
  } else {  // NIMBUS-like: signed sizes
    where.set_attr("xsize", std::int64_t{4});
    where.set_attr("ysize", std::int64_t{2});
  }
  where.set_attr("projdef", std::string("+proj=laea +lat_0=55.0 +lon_0=10.0 "));
  const auto q = root.create_group(o.at_data_level ? "dataset1/data1/what" : "dataset1/what");
  q.set_attr("quantity", o.quantity);
  q.set_attr("gain", 0.5);
  q.set_attr("offset", -10.0);
  q.set_attr("nodata", 255.0);
  q.set_attr("undetect", 0.0);
  root.create_group("dataset1/data1/quality1/what").set_attr("gain", 1.0);
  auto d = f.create_dataset("/dataset1/data1/data", data::h5::Scalar::float32, {2, 4});
  const float raw[8] = {0.0f, 255.0f, 20.0f, 100.0f, std::nanf(""), 40.0f, 60.0f, 0.0f};
  d.write({0, 0}, {2, 4}, raw);
}

void write_gif_indices(const std::string& path, std::int64_t rows, std::int64_t cols,
                       const std::vector<std::uint8_t>& indices) {
  std::string out = "GIF89a";
  auto u16 = [&](std::int64_t v) {
    out.push_back(static_cast<char>(v & 0xff));
    out.push_back(static_cast<char>((v >> 8) & 0xff));
  };
  u16(cols);
  u16(rows);
  out += std::string("\xf7\x00\x00", 3);  // a global table of 256 colours
  for (int i = 0; i < 256; ++i) out += std::string(3, static_cast<char>(i));
  out.push_back(',');
  u16(0);
  u16(0);
  u16(cols);
  u16(rows);
  out.push_back('\0');
  out.push_back('\x08');  // LZW minimum code size
  // Codes of 9 bits, least significant bit first: clear (256), literals, ..., end (257).
  std::string codes;
  std::uint32_t acc = 0;
  int bits = 0;
  auto emit = [&](std::uint32_t code) {
    acc |= code << bits;
    bits += 9;
    while (bits >= 8) {
      codes.push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  };
  for (std::size_t i = 0; i < indices.size(); ++i) {
    if (i % 254 == 0) emit(256);
    emit(indices[i]);
  }
  emit(257);
  if (bits > 0) codes.push_back(static_cast<char>(acc & 0xff));
  for (std::size_t i = 0; i < codes.size(); i += 255) {
    const std::size_t n = std::min<std::size_t>(255, codes.size() - i);
    out.push_back(static_cast<char>(n));
    out += codes.substr(i, n);
  }
  out.push_back('\0');
  out.push_back(';');
  std::ofstream(path, std::ios::binary) << out;
}

}  // namespace convlstm::test
