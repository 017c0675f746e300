// A thin RAII layer over the HDF5 C API. hdf5.h itself is included only by h5.cpp; ids are HDF5's hid_t
// (a 64-bit integer in HDF5 1.10). Every failure throws DataError naming the file and the object; HDF5's own
// error-stack printing is switched off.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace convlstm::data::h5 {

using hid_t = std::int64_t;
using herr_t = int;

// Owns one hid_t and closes it with the matching H5*close.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      close_ = o.close_;
      o.id_ = -1;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();
  // Gives up ownership without closing.
  hid_t release() {
    const hid_t id = id_;
    id_ = -1;
    return id;
  }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

enum class Scalar { uint8, uint16, int32, int64, float32, float64, other };
std::string to_string(Scalar s);

// An open group (or the file's root group), with the file's name kept for error messages.
class Group {
 public:
  Group(Handle h, std::string file, std::string path)
      : h_(std::move(h)), file_(std::move(file)), path_(std::move(path)) {}
  hid_t id() const { return h_.id(); }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  std::string where(const std::string& name) const;  // "file.h5:/group/name"

  bool has(const std::string& name) const;  // a link (group or dataset) of that name
  bool has_attr(const std::string& name) const;
  bool attr_is_string(const std::string& name) const;
  Group group(const std::string& name) const;         // throws DataError when missing
  Group create_group(const std::string& name) const;  // intermediate groups created too

  // Attributes. Strings may be fixed- or variable-length; numbers may be stored in any numeric type.
  std::string attr_string(const std::string& name) const;
  double attr_double(const std::string& name) const;
  std::int64_t attr_int(const std::string& name) const;
  std::optional<std::string> attr_string_opt(const std::string& name) const;
  std::optional<double> attr_double_opt(const std::string& name) const;
  std::vector<double> attr_doubles(const std::string& name) const;
  void set_attr(const std::string& name, const std::string& value) const;
  void set_attr(const std::string& name, double value) const;
  void set_attr(const std::string& name, std::int64_t value) const;
  void set_attr(const std::string& name, const std::vector<double>& value) const;
  // The forms other producers use (KNMI, ODIM), for writing test files: a fixed-length NUL-terminated string,
  // as a scalar or a 1-element array, and an unsigned 64-bit integer.
  void set_attr_fixed_string(const std::string& name, const std::string& value, bool one_element_array) const;
  void set_attr_uint64(const std::string& name, std::uint64_t value) const;
  std::vector<std::string> attr_names() const;
  std::vector<std::string> members() const;

 private:
  Handle h_;
  std::string file_, path_;
};

// An open dataset with its shape and stored element type.
class Dataset {
 public:
  Dataset(Handle h, std::string where);
  const std::string& where() const { return where_; }
  hid_t id() const { return h_.id(); }
  const std::vector<std::int64_t>& dims() const { return dims_; }
  Scalar scalar() const { return scalar_; }

  // Reads the hyperslab [start, start+count) converted to float / int64 (HDF5 converts the element type).
  void read(const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& count, float* out) const;
  void read_all(float* out) const;
  void read_all(std::int64_t* out) const;
  // Writes the hyperslab [start, start+count) from float memory (converted to the stored type).
  void write(const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& count,
             const float* in) const;
  void write_all(const std::int64_t* in) const;
  // Grows an extendible (chunked, unlimited) dataset.
  void extend(const std::vector<std::int64_t>& dims);

  // Attribute access on the dataset, as on groups.
  Group attrs() const;

 private:
  Handle h_;
  std::string where_;
  std::vector<std::int64_t> dims_;
  Scalar scalar_ = Scalar::other;
};

// Keeps the HDF5 library from closing, at process exit, files whose close already failed (a full disk or a
// file-size limit): HDF5 1.10 then retries the flush inside its exit handler and crashes. Call first thing in
// main, before any other HDF5 use; every file convlstm opens is closed by its owner before exit anyway.
void skip_library_shutdown_at_exit();

class File {
 public:
  static File open_read(const std::string& path);
  static File create(const std::string& path);  // truncates
  Group root() const;
  Dataset dataset(const std::string& path) const;  // throws DataError naming it when missing or not a dataset
  bool has_dataset(const std::string& path) const;
  // Creates a dataset of `type` with `dims`; chunk (may be empty: contiguous); max_first_unlimited makes dim
  // 0 extendible.
  Dataset create_dataset(const std::string& path, Scalar type, const std::vector<std::int64_t>& dims,
                         const std::vector<std::int64_t>& chunk = {}, bool first_unlimited = false,
                         int deflate = 0) const;
  void flush() const;
  void close();
  const std::string& path() const { return path_; }

 private:
  File(Handle h, std::string path) : h_(std::move(h)), path_(std::move(path)) {}
  Handle h_;
  std::string path_;
};

// True when the file starts with the HDF5 signature.
bool is_hdf5(const std::string& path);

}  // namespace convlstm::data::h5
