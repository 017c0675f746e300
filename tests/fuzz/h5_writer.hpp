// Writes HDF5 files whose layout and attribute encodings a fuzz input chooses (fuzz targets only).
//
// Every choice read from the input is 0 once the input is exhausted, and 0 always means "as the format
// expects": short inputs give well-formed files, so mutations reach past the readers' first checks. The other
// choices are the ways real producers and damaged files differ: strings fixed- or variable-length, padded,
// unterminated, in arrays or null dataspaces; numbers in any numeric type, as strings, NaN, arrays; groups
// missing or replaced by datasets; images of another rank, shape or element type.
//
// This writes with the HDF5 C API directly (the readers under test go through src/data/h5), and treats the
// HDF5 file format itself as trusted: libhdf5 1.10 is not hardened against crafted files, so the fuzz targets
// mutate what convlstm decodes, not HDF5's own byte layout.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace convlstm::fuzz {

// The element types an image or number can be stored as.
enum class Stored { u8, u16, i8, i16, i32, u32, i64, u64, f32, f64, bitfield };

class H5Writer {
 public:
  H5Writer(const std::string& path, FuzzedDataProvider& in);
  ~H5Writer();
  H5Writer(const H5Writer&) = delete;
  H5Writer& operator=(const H5Writer&) = delete;

  // A group (parents included); the input may leave it out or put a dataset of that name in its place.
  void group(const std::string& path);
  // An extra group under `parent` named `prefix` + a number the input chooses (e.g. dataset7,
  // data4294967296).
  void numbered_group(const std::string& parent, const std::string& prefix);
  void string_attr(const std::string& object, const std::string& name, const std::string& usual);
  void number_attr(const std::string& object, const std::string& name, double usual, Stored usual_type);
  // A dataset of `usual_dims` and `usual_type` (or what the input chooses instead), values from the input.
  void dataset(const std::string& path, std::vector<std::int64_t> usual_dims, Stored usual_type,
               const std::vector<double>& usual_values = {});
  // Closes the file (the destructor does too); the readers open it afterwards.
  void close();

 private:
  bool exists(const std::string& object) const;
  FuzzedDataProvider& in_;
  std::int64_t file_ = -1;
  std::set<std::string> missing_;
};

// A file of this process for the targets to write (under /dev/shm when it exists); removed at exit.
std::string scratch_path(const std::string& name);

}  // namespace convlstm::fuzz
