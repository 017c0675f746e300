// The radar readers' own header: one reader per file in this folder, each a row of the table in table.cpp
// ({name, what it reads, detect, read}), which is the only list of formats: `import --format`'s choices and
// its help, content detection and dispatch all come from it. Adding a reader is one file here, its two
// declarations below and one row in table.cpp (CONTRIBUTING.md). Only data/ includes this header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "data/h5.hpp"
#include "data/radar.hpp"
#include "geo/raster.hpp"

namespace convlstm::data::readers {

// What content detection sees of a file: its first bytes, and its HDF5 root group when it is HDF5 (opened
// once, on the first ask, so that several HDF5 formats can look without reopening it).
class Probe {
 public:
  explicit Probe(std::string path);
  const std::string& path() const { return path_; }
  bool starts_with(const std::string& magic) const { return head_.rfind(magic, 0) == 0; }
  // The root group, or nullptr when the file is not HDF5; throws DataError when it is HDF5 but damaged.
  const h5::Group* hdf5_root();

 private:
  std::string path_, head_;
  bool opened_ = false;
  std::optional<h5::File> file_;
  std::optional<h5::Group> root_;
};

// One read: the file, the quantity asked for (ODIM files may hold several; empty: the reader's choice), and
// the region of the grid (height/width 0: the whole grid). Header only unless with_values.
struct Request {
  const std::string& path;
  const std::string& quantity;
  bool with_values;
  RadarRegion region;
};

struct Reader {
  const char* name;   // the --format value, and RadarFrame::format
  const char* reads;  // what it reads, in a few words: --help and the "not a known format" error
  bool (*detect)(Probe&);
  RadarFrame (*read)(const Request&);
};

// The table, in detection order.
const std::vector<Reader>& table();

// One pair per reader file.
bool detect_knmi(Probe& p);
RadarFrame read_knmi(const Request& r);
bool detect_odim(Probe& p);
RadarFrame read_odim(const Request& r);
bool detect_bom(Probe& p);
RadarFrame read_bom(const Request& r);
bool detect_fmi(Probe& p);
RadarFrame read_fmi(const Request& r);
bool detect_mch(Probe& p);
RadarFrame read_mch(const Request& r);
bool detect_mrms(Probe& p);
RadarFrame read_mrms(const Request& r);
bool detect_geotiff(Probe& p);
RadarFrame read_geotiff(const Request& r);
bool detect_radolan(Probe& p);
RadarFrame read_radolan(const Request& r);

// Helpers the readers share (common.cpp).
[[noreturn]] void bad(const std::string& where, const std::string& what);
std::int64_t timegm_utc(int year, int month, int day, int hour, int minute, int second);
// A calibrated value as float; one that overflows means gain and offset do not fit the data.
float calibrated(const std::string& where, double value, float raw);
RadarRegion resolve_region(const std::string& path, RadarRegion r, std::int64_t rows, std::int64_t cols);
// A new frame of `format` for `path`.
RadarFrame frame_of(const std::string& path, const char* format);

// Runs one of the string parsers (parse_knmi_time, ...), naming the file and attribute in its error.
template <typename F>
auto parsed(const std::string& where, F&& parse) {
  try {
    return parse();
  } catch (const DataError& e) {
    throw DataError(where + ": " + e.what());
  }
}

// The readers behind GDAL: the region of band 1 (values as float; header only unless with_values), the file
// opened once; and the frame's grid from a north-up raster's geotransform and CRS.
geo::Raster raster_region(const Request& q, RadarFrame& fr);
void set_grid_from(const geo::Raster& r, RadarFrame& fr);
// The raster's values into the frame: NaN and `nodata` unobserved, the rest no lower than no echo (0 mm/h,
// or the reflectivity floor).
void decode_raster(const geo::Raster& r, std::optional<float> nodata, RadarFrame& fr);

}  // namespace convlstm::data::readers
