// Readers for real radar composites (docs/formats.md): KNMI HDF5,
// ODIM_H5 Cartesian composites (OPERA ODYSSEY, CIRRUS, NIMBUS), BoM Rainfields netCDF (libnetcdf), FMI
// gzipped PGM (zlib), and through GDAL (geo/raster.hpp) MeteoSwiss AQC GIF, MRMS GRIB2 PrecipRate and any
// single-band GeoTIFF with a CRS. A frame
// comes out in one canonical unit — mm/h for rain rates and accumulations (converted to a mean rate over the
// accumulation), dBZ for reflectivity — with a validity mask.
//
// Decoding, in the raw domain before gain and offset:
//   nodata (ODIM) or calibration_missing_data (KNMI)  -> missing (masked)
//   undetect (ODIM)                                    -> no echo: 0 mm/h, or the reflectivity floor
//   NaN                                                -> missing
//   otherwise value = offset + gain * raw
// ODIM what/where/how attributes are merged top-down (root, dataset, data level; lower overrides higher).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/field.hpp"
#include "data/grid.hpp"
#include "data/units.hpp"

namespace convlstm::data {

// The formats, by the names `import --format` takes, from the readers' table (data/readers/table.cpp), in
// detection order.
struct RadarFormatInfo {
  std::string name;   // knmi, odim, bom, fmi, mch, mrms, geotiff
  std::string reads;  // what it reads, in a few words
};
std::vector<RadarFormatInfo> radar_formats();
// The name itself when a reader has it; throws UsageError listing the names otherwise.
std::string parse_radar_format(const std::string& s);

struct RadarRegion {
  std::int64_t y0 = 0, x0 = 0, height = 0, width = 0;  // height/width 0: the whole grid
};

struct RadarFrame {
  std::string path;
  std::string format;           // the reader's name (radar_formats())
  std::string source_quantity;  // as stored: RATE, ACRR, DBZH, KNMI depth ("ACCUMULATED_PRECIPITATION")
  Quantity quantity = Quantity::rain_rate;    // of the values: rain_rate (mm/h) or reflectivity (dBZ)
  std::int64_t time = 0;                      // nominal valid time, seconds since 1970 UTC
  bool time_known = true;                     // false: the file holds no time (see time_pattern)
  double accumulation_min = 0;                // 0: instantaneous
  std::int64_t grid_rows = 0, grid_cols = 0;  // of the whole file
  std::string projdef;
  double pixel_x = 0, pixel_y = 0;  // pixel size in projection units
  // The georeference of the whole file's grid, in metres (a km-based product converted); unknown (empty
  // proj) when the file does not give one or GDAL cannot read its CRS.
  Grid grid;
  RadarRegion region;               // what was read
  std::vector<float> values;        // region.height * region.width, row 0 north
  std::vector<std::uint8_t> valid;  // 1 observed, 0 missing
};

// Identifies the format from the file's contents (the first reader whose detection accepts it); throws
// DataError naming the file when none does.
std::string detect_radar_format(const std::string& path);
// Reads the header only (time, grid, quantity); values stay empty. `format`: a name of radar_formats();
// absent: detected.
// `time_pattern` (import --time-from-name): where the file holds no time, it comes from the file's name
// (name_time); a file without a time and without a pattern, or whose name does not match, is a DataError
// naming it.
RadarFrame read_radar_header(const std::string& path, const std::optional<std::string>& format = std::nullopt,
                             const std::string& quantity = "", const std::string& time_pattern = "");
// Reads a region of the frame (default the whole grid). `quantity` selects among several ODIM quantities
// (RATE, ACRR, DBZH); empty: the first of those found.
RadarFrame read_radar(const std::string& path, const std::optional<std::string>& format = std::nullopt,
                      const std::string& quantity = "", RadarRegion region = {},
                      const std::string& time_pattern = "");

// A time from a file name by a strftime-like pattern: %Y (4 digits), %y (2, 2000-2099), %m, %d, %H, %M, %S
// (2 each), %j (3: day of the year), %% (a percent sign); any other character stands for itself. The pattern
// may match anywhere in the name's last path component (the first place it matches); it needs the year, the
// month and day (or %j) and the hour; minutes and seconds default to 0. nullopt when the name does not match.
// check_time_pattern throws UsageError naming what is wrong with a pattern.
std::optional<std::int64_t> name_time(const std::string& path, const std::string& pattern);
void check_time_pattern(const std::string& pattern);

// "25-AUG-2010;23:55:00.000" (KNMI) and "20180824" + "180000" (ODIM) to seconds since 1970 UTC.
std::int64_t parse_knmi_time(const std::string& s);
std::int64_t parse_odim_time(const std::string& date, const std::string& time);
// KNMI "GEO=0.01*PV+0.0" -> gain, offset; throws DataError on another form.
void parse_knmi_calibration(const std::string& formula, double& gain, double& offset);

}  // namespace convlstm::data
