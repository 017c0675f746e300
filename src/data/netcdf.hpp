// A thin RAII layer over the netCDF C API (libnetcdf): netcdf.h is included only by netcdf.cpp. Every failure
// throws DataError naming the file and the variable or attribute, with libnetcdf's message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace convlstm::data::nc {

// An open netCDF file (classic or netCDF-4), closed on destruction.
class File {
 public:
  static File open_read(const std::string& path);
  // Creates (or replaces) a netCDF-4 file in define mode.
  static File create(const std::string& path);
  ~File();
  File(File&& o) noexcept : id_(o.id_), path_(std::move(o.path_)) { o.id_ = -1; }
  File& operator=(File&&) = delete;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  const std::string& path() const { return path_; }
  bool has_var(const std::string& name) const;
  // The variable's dimension lengths, outermost first.
  std::vector<std::int64_t> dims(const std::string& var) const;
  // An attribute of a variable (var empty: a global attribute); nullopt when absent, DataError when it has
  // another type.
  std::optional<std::string> att_text(const std::string& var, const std::string& name) const;
  std::optional<std::vector<double>> att_doubles(const std::string& var, const std::string& name) const;
  // Whole variables and hyperslabs, converted by libnetcdf to the requested type.
  std::vector<double> read_doubles(const std::string& var) const;
  std::vector<std::int64_t> read_int64s(const std::string& var) const;
  std::vector<std::int16_t> read_int16s(const std::string& var, const std::vector<std::int64_t>& start,
                                        const std::vector<std::int64_t>& count) const;
  void read_floats(const std::string& var, const std::vector<std::int64_t>& start,
                   const std::vector<std::int64_t>& count, float* out) const;

  // Writing (tests, forecasts): define, then end_define, then put.
  void define_dim(const std::string& name, std::int64_t length);
  enum class Type { int16, int64, float32, float64, int8, int32 };
  // chunk (netCDF-4 only; empty: libnetcdf's default) and deflate level 1-9 (0: none).
  void define_var(const std::string& name, Type type, const std::vector<std::string>& dims,
                  const std::vector<std::int64_t>& chunk = {}, int deflate = 0);
  void put_att(const std::string& var, const std::string& name, const std::string& text);
  void put_numbers(const std::string& var, const std::string& name, const std::vector<double>& values,
                   Type type = Type::float64);
  void end_define();
  void put(const std::string& var, const std::vector<std::int16_t>& values);
  void put(const std::string& var, const std::vector<std::int64_t>& values);
  void put(const std::string& var, const std::vector<double>& values);
  void put(const std::string& var, const std::vector<float>& values);
  void close();  // checked close (a full disk shows here); the destructor closes unchecked

 private:
  File(int id, std::string path) : id_(id), path_(std::move(path)) {}
  int var_id(const std::string& name) const;  // NC_GLOBAL for ""
  int id_ = -1;
  std::string path_;
};

// True when the file starts like a netCDF classic file ("CDF\x01", "\x02", "\x05").
bool is_classic_netcdf(const std::string& path);

}  // namespace convlstm::data::nc
