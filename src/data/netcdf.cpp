#include "data/netcdf.hpp"

#include <netcdf.h>

#include <fstream>

#include "core/error.hpp"

namespace convlstm::data::nc {

namespace {

void check(int status, const std::string& where) {
  if (status != NC_NOERR) throw DataError(where + ": " + nc_strerror(status));
}

nc_type nc_of(File::Type t) {
  switch (t) {
    case File::Type::int16:
      return NC_SHORT;
    case File::Type::int64:
      return NC_INT64;
    case File::Type::float32:
      return NC_FLOAT;
    case File::Type::int8:
      return NC_BYTE;
    case File::Type::int32:
      return NC_INT;
    case File::Type::float64:
      break;
  }
  return NC_DOUBLE;
}

std::vector<std::size_t> sizes(const std::vector<std::int64_t>& v) {
  return std::vector<std::size_t>(v.begin(), v.end());
}

}  // namespace

File File::open_read(const std::string& path) {
  int id = -1;
  check(nc_open(path.c_str(), NC_NOWRITE, &id), path + ": not a readable netCDF file");
  return File(id, path);
}

File File::create(const std::string& path) {
  int id = -1;
  check(nc_create(path.c_str(), NC_NETCDF4 | NC_CLOBBER, &id), path + ": cannot create netCDF file");
  return File(id, path);
}

File::~File() {
  if (id_ >= 0) nc_close(id_);
}

void File::close() {
  const int id = id_;
  id_ = -1;
  check(nc_close(id), path_ + ": cannot write (disk full?)");
}

int File::var_id(const std::string& name) const {
  if (name.empty()) return NC_GLOBAL;
  int v = -1;
  check(nc_inq_varid(id_, name.c_str(), &v), path_ + ": variable " + name);
  return v;
}

bool File::has_var(const std::string& name) const {
  int v = -1;
  return nc_inq_varid(id_, name.c_str(), &v) == NC_NOERR;
}

std::vector<std::int64_t> File::dims(const std::string& var) const {
  const int v = var_id(var);
  int n = 0;
  check(nc_inq_varndims(id_, v, &n), path_ + ": variable " + var);
  std::vector<int> ids(static_cast<std::size_t>(n));
  check(nc_inq_vardimid(id_, v, ids.data()), path_ + ": variable " + var);
  std::vector<std::int64_t> out;
  for (int d : ids) {
    std::size_t len = 0;
    check(nc_inq_dimlen(id_, d, &len), path_ + ": variable " + var);
    out.push_back(static_cast<std::int64_t>(len));
  }
  return out;
}

std::optional<std::string> File::att_text(const std::string& var, const std::string& name) const {
  const int v = var_id(var);
  nc_type type{};
  std::size_t len = 0;
  if (nc_inq_att(id_, v, name.c_str(), &type, &len) != NC_NOERR) return std::nullopt;
  const std::string where = path_ + ": attribute " + (var.empty() ? "" : var + ":") + name;
  if (type == NC_STRING) {
    std::vector<char*> s(len);
    check(nc_get_att_string(id_, v, name.c_str(), s.data()), where);
    std::string out = len > 0 && s[0] ? s[0] : "";
    nc_free_string(len, s.data());
    return out;
  }
  if (type != NC_CHAR) throw DataError(where + ": expected text");
  std::string out(len, '\0');
  check(nc_get_att_text(id_, v, name.c_str(), out.data()), where);
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return out;
}

std::optional<std::vector<double>> File::att_doubles(const std::string& var, const std::string& name) const {
  const int v = var_id(var);
  nc_type type{};
  std::size_t len = 0;
  if (nc_inq_att(id_, v, name.c_str(), &type, &len) != NC_NOERR) return std::nullopt;
  const std::string where = path_ + ": attribute " + (var.empty() ? "" : var + ":") + name;
  if (type == NC_CHAR || type == NC_STRING) throw DataError(where + ": expected a number");
  std::vector<double> out(len);
  check(nc_get_att_double(id_, v, name.c_str(), out.data()), where);
  return out;
}

std::vector<double> File::read_doubles(const std::string& var) const {
  std::int64_t n = 1;
  for (auto d : dims(var)) n *= d;
  std::vector<double> out(static_cast<std::size_t>(n));
  check(nc_get_var_double(id_, var_id(var), out.data()), path_ + ": variable " + var);
  return out;
}

std::vector<std::int64_t> File::read_int64s(const std::string& var) const {
  std::int64_t n = 1;
  for (auto d : dims(var)) n *= d;
  std::vector<long long> v(static_cast<std::size_t>(n));
  check(nc_get_var_longlong(id_, var_id(var), v.data()), path_ + ": variable " + var);
  return std::vector<std::int64_t>(v.begin(), v.end());
}

std::vector<std::int16_t> File::read_int16s(const std::string& var, const std::vector<std::int64_t>& start,
                                            const std::vector<std::int64_t>& count) const {
  std::int64_t n = 1;
  for (auto c : count) n *= c;
  std::vector<std::int16_t> out(static_cast<std::size_t>(n));
  const auto s = sizes(start), c = sizes(count);
  check(nc_get_vara_short(id_, var_id(var), s.data(), c.data(), out.data()), path_ + ": variable " + var);
  return out;
}

void File::read_floats(const std::string& var, const std::vector<std::int64_t>& start,
                       const std::vector<std::int64_t>& count, float* out) const {
  const auto s = sizes(start), c = sizes(count);
  check(nc_get_vara_float(id_, var_id(var), s.data(), c.data(), out), path_ + ": variable " + var);
}

void File::define_dim(const std::string& name, std::int64_t length) {
  int d = -1;
  check(nc_def_dim(id_, name.c_str(), static_cast<std::size_t>(length), &d), path_ + ": dimension " + name);
}

void File::define_var(const std::string& name, Type type, const std::vector<std::string>& dims,
                      const std::vector<std::int64_t>& chunk, int deflate) {
  std::vector<int> ids;
  for (const auto& d : dims) {
    int id = -1;
    check(nc_inq_dimid(id_, d.c_str(), &id), path_ + ": dimension " + d);
    ids.push_back(id);
  }
  int v = -1;
  check(nc_def_var(id_, name.c_str(), nc_of(type), static_cast<int>(ids.size()), ids.data(), &v),
        path_ + ": variable " + name);
  if (!chunk.empty()) {
    const auto c = sizes(chunk);
    check(nc_def_var_chunking(id_, v, NC_CHUNKED, c.data()), path_ + ": chunks of " + name);
  }
  if (deflate > 0) check(nc_def_var_deflate(id_, v, 0, 1, deflate), path_ + ": deflate of " + name);
}

void File::put_att(const std::string& var, const std::string& name, const std::string& text) {
  check(nc_put_att_text(id_, var_id(var), name.c_str(), text.size(), text.data()),
        path_ + ": attribute " + name);
}

void File::put_numbers(const std::string& var, const std::string& name, const std::vector<double>& values,
                       Type type) {
  check(nc_put_att_double(id_, var_id(var), name.c_str(), nc_of(type), values.size(), values.data()),
        path_ + ": attribute " + name);
}

void File::end_define() {
  check(nc_enddef(id_), path_ + ": cannot finish the definitions");
}

void File::put(const std::string& var, const std::vector<std::int16_t>& values) {
  check(nc_put_var_short(id_, var_id(var), values.data()), path_ + ": variable " + var);
}
void File::put(const std::string& var, const std::vector<std::int64_t>& values) {
  const std::vector<long long> v(values.begin(), values.end());
  check(nc_put_var_longlong(id_, var_id(var), v.data()), path_ + ": variable " + var);
}
void File::put(const std::string& var, const std::vector<float>& values) {
  check(nc_put_var_float(id_, var_id(var), values.data()), path_ + ": variable " + var);
}
void File::put(const std::string& var, const std::vector<double>& values) {
  check(nc_put_var_double(id_, var_id(var), values.data()), path_ + ": variable " + var);
}

bool is_classic_netcdf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  if (!in.read(magic, 4)) return false;
  return magic[0] == 'C' && magic[1] == 'D' && magic[2] == 'F' &&
         (magic[3] == 1 || magic[3] == 2 || magic[3] == 5);
}

}  // namespace convlstm::data::nc
