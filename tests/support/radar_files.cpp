#include "support/radar_files.hpp"

#include <cstdio>

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

}  // namespace convlstm::test
