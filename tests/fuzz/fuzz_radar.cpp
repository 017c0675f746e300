#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "data/radar.hpp"
#include "fuzz/h5_writer.hpp"
#include "fuzz/targets.hpp"

namespace convlstm::fuzz {

namespace {

constexpr std::int64_t kRows = 6, kCols = 5;

std::vector<double> image_values(double scale) {
  std::vector<double> v(kRows * kCols);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>((i * 7) % 40) * scale;
  return v;
}

// An OPERA composite (docs/formats.md): Conventions, what/where/how, dataset1/data1 with its quantity.
void write_odim(const std::string& path, FuzzedDataProvider& in) {
  static const char* quantities[] = {"RATE", "ACRR", "DBZH", "TH", "QIND", "VRAD"};
  H5Writer w(path, in);
  w.string_attr("/", "Conventions", "ODIM_H5/V2_2");
  w.group("/what");
  w.string_attr("/what", "object", "COMP");
  w.string_attr("/what", "version", "H5rad 2.2");
  w.string_attr("/what", "date", "20180824");
  w.string_attr("/what", "time", "180000");
  w.group("/where");
  w.string_attr("/where", "projdef", "+proj=laea +lat_0=55.0 +lon_0=10.0 ");
  w.number_attr("/where", "xsize", kCols, Stored::i64);
  w.number_attr("/where", "ysize", kRows, Stored::i64);
  w.number_attr("/where", "xscale", 2000.0, Stored::f64);
  w.number_attr("/where", "yscale", 2000.0, Stored::f64);
  w.group("/dataset1/what");
  w.string_attr("/dataset1/what", "startdate", "20180824");
  w.string_attr("/dataset1/what", "starttime", "174500");
  w.string_attr("/dataset1/what", "enddate", "20180824");
  w.string_attr("/dataset1/what", "endtime", "180000");
  w.group("/dataset1/data1/what");
  const std::string quantity =
      quantities[in.ConsumeIntegralInRange<std::size_t>(0, std::size(quantities) - 1)];
  w.string_attr("/dataset1/data1/what", "quantity", quantity);
  w.number_attr("/dataset1/data1/what", "gain", 0.5, Stored::f64);
  w.number_attr("/dataset1/data1/what", "offset", -32.0, Stored::f64);
  w.number_attr("/dataset1/data1/what", "nodata", 255, Stored::f64);
  w.number_attr("/dataset1/data1/what", "undetect", 0, Stored::f64);
  w.dataset("/dataset1/data1/data", {kRows, kCols}, Stored::u8, image_values(6.0));
  w.numbered_group("/", "dataset");
  w.numbered_group("/dataset1", "data");
  if (in.ConsumeBool()) {  // a second quantity, as OPERA files carry QIND beside RATE
    w.group("/dataset1/data2/what");
    w.string_attr("/dataset1/data2/what", "quantity", "QIND");
    w.dataset("/dataset1/data2/data", {kRows, kCols}, Stored::f64, image_values(0.01));
  }
}

// A KNMI 5-minute accumulation (docs/formats.md): overview, geographic, image1 with its calibration.
void write_knmi(const std::string& path, FuzzedDataProvider& in) {
  H5Writer w(path, in);
  w.group("/overview");
  w.string_attr("/overview", "product_datetime_start", "26-AUG-2010;00:00:00.000");
  w.string_attr("/overview", "product_datetime_end", "26-AUG-2010;00:05:00.000");
  w.group("/geographic/map_projection");
  w.number_attr("/geographic", "geo_pixel_size_x", 1.0, Stored::f32);
  w.number_attr("/geographic", "geo_pixel_size_y", -1.0, Stored::f32);
  w.string_attr("/geographic/map_projection", "projection_proj4_params", "+proj=stere +lat_0=90 +lon_0=0");
  w.group("/image1/calibration");
  w.string_attr("/image1", "image_geo_parameter", "ACCUMULATED_PRECIPITATION_[MM]");
  w.string_attr("/image1/calibration", "calibration_formulas", "GEO=0.010000*PV+0.000000");
  w.number_attr("/image1/calibration", "calibration_missing_data", 65535, Stored::i32);
  w.dataset("/image1/image_data", {kRows, kCols}, Stored::u16, image_values(3.0));
}

void check_frame(const data::RadarFrame& f, bool with_values) {
  if (f.grid_rows < 1 || f.grid_cols < 1) finding("accepted an empty grid");
  const auto& r = f.region;
  if (r.y0 < 0 || r.x0 < 0 || r.height < 1 || r.width < 1 || r.y0 + r.height > f.grid_rows ||
      r.x0 + r.width > f.grid_cols)
    finding("a region outside the grid");
  if (f.format == "knmi" || f.source_quantity == "ACRR")
    if (!(f.accumulation_min > 0) || !std::isfinite(f.accumulation_min)) finding("accepted an accumulation");
  if (!with_values) return;
  const auto n = static_cast<std::size_t>(r.height * r.width);
  if (f.values.size() != n || f.valid.size() != n) finding("values and mask do not cover the region");
  for (std::size_t i = 0; i < n; ++i) {
    if (f.valid[i] > 1) finding("mask neither 0 nor 1");
    if (f.valid[i] && !std::isfinite(f.values[i])) finding("a non-finite value marked valid");
    if (f.valid[i] && f.quantity != data::Quantity::reflectivity && f.values[i] < 0.0f)
      finding("a negative rain rate");
  }
}

// The attribute strings alone, as the readers parse them.
void parse_strings(FuzzedDataProvider& in) {
  const std::string a = in.ConsumeRandomLengthString(40), b = in.ConsumeRandomLengthString(20);
  try {
    (void)data::parse_knmi_time(a);
  } catch (const DataError&) {
  }
  try {
    (void)data::parse_odim_time(a, b);
  } catch (const DataError&) {
  }
  try {
    double gain = 0, offset = 0;
    data::parse_knmi_calibration(a, gain, offset);
    if (!std::isfinite(gain) || !std::isfinite(offset)) finding("a non-finite calibration accepted: " + a);
  } catch (const DataError&) {
  }
}

}  // namespace

int fuzz_radar(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const int mode = in.ConsumeIntegralInRange<int>(0, 6);
  if (mode == 2) {
    parse_strings(in);
    return 0;
  }
  if (mode >= 3) {  // the parsers of files that are not HDF5: FMI PGM, netCDF classic (BoM), RADOLAN
    const std::string path = scratch_path(mode == 5 ? "radar.nc" : mode == 6 ? "radar.bin" : "radar.pgm");
    {
      std::ofstream out(path, std::ios::binary);
      if (mode == 3) {
        out << "P5" << in.ConsumeRemainingBytesAsString();
      } else if (mode == 4) {  // a plausible header with fuzzed comments, sizes and maxval
        out << "P5\n# obstime " << in.ConsumeRandomLengthString(16) << "\n# metersperpixel_x "
            << in.ConsumeRandomLengthString(12) << "\n# metersperpixel_y 1000\n# projection_name "
            << (in.ConsumeBool() ? "SUOMI1" : in.ConsumeRandomLengthString(8)) << "\n"
            << in.ConsumeIntegralInRange<int>(-1, 9) << " " << in.ConsumeIntegralInRange<int>(-1, 9) << "\n"
            << in.ConsumeIntegralInRange<int>(0, 300) << "\n"
            << in.ConsumeRemainingBytesAsString();
      } else if (mode == 6) {  // a RADOLAN header with fuzzed product, length, precision, interval and grid
        out << (in.ConsumeBool()   ? "RY"
                : in.ConsumeBool() ? "RX"
                                   : in.ConsumeBytesAsString(2))
            << "102050100000814BY" << in.ConsumeRandomLengthString(10) << "VS 3PR"
            << in.ConsumeRandomLengthString(6) << "INT" << in.ConsumeRandomLengthString(5) << "GP"
            << in.ConsumeRandomLengthString(10) << '\x03' << in.ConsumeRemainingBytesAsString();
      } else {
        out << std::string("CDF\x01", 4) << in.ConsumeRemainingBytesAsString();
      }
    }
    read_expecting_named_errors(path, [&] {
      const auto format = data::detect_radar_format(path);
      check_frame(data::read_radar_header(path, format), false);
      check_frame(data::read_radar(path, format), true);
    });
    return 0;
  }
  const std::string path = scratch_path("radar.h5");
  if (mode == 0)
    write_odim(path, in);
  else
    write_knmi(path, in);
  static const char* wanted[] = {"", "RATE", "ACRR", "DBZH", "QIND"};
  const std::string quantity = wanted[in.ConsumeIntegralInRange<std::size_t>(0, std::size(wanted) - 1)];
  std::optional<std::string> format;
  if (const int f = in.ConsumeIntegralInRange<int>(0, 3); f == 1 || f == 2) format = f == 1 ? "odim" : "knmi";
  data::RadarRegion region;
  if (in.ConsumeBool()) {
    region.y0 = in.ConsumeIntegralInRange<std::int64_t>(-1, kRows);
    region.x0 = in.ConsumeIntegralInRange<std::int64_t>(-1, kCols);
    region.height = in.ConsumeIntegralInRange<std::int64_t>(-1, kRows + 1);
    region.width = in.ConsumeIntegralInRange<std::int64_t>(-1, kCols + 1);
  }
  read_expecting_named_errors(path, [&] {
    if (!format) (void)data::detect_radar_format(path);
    check_frame(data::read_radar_header(path, format, quantity), false);
    check_frame(data::read_radar(path, format, quantity, region), true);
  });
  return 0;
}

}  // namespace convlstm::fuzz
