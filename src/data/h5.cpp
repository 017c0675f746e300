#include "data/h5.hpp"

#include <hdf5.h>

#include <cmath>
#include <fstream>
#include <memory>

#include "core/error.hpp"

namespace convlstm::data::h5 {

static_assert(sizeof(::hid_t) == sizeof(h5::hid_t), "HDF5's hid_t is expected to be 64-bit");

namespace {

// HDF5 prints its error stack to stderr by default; convlstm reports errors itself, in one line. The setting
// is per thread in a thread-safe HDF5, so each thread that opens files makes it once.
void silence_hdf5() {
  thread_local const bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw DataError(where + ": " + what);
}

}  // namespace

void skip_library_shutdown_at_exit() {
  H5dont_atexit();
}

namespace {

hid_t native_type(Scalar s) {
  switch (s) {
    case Scalar::uint8:
      return H5T_NATIVE_UINT8;
    case Scalar::uint16:
      return H5T_NATIVE_UINT16;
    case Scalar::int32:
      return H5T_NATIVE_INT32;
    case Scalar::int64:
      return H5T_NATIVE_INT64;
    case Scalar::float32:
      return H5T_NATIVE_FLOAT;
    case Scalar::float64:
      return H5T_NATIVE_DOUBLE;
    case Scalar::other:
      break;
  }
  return H5T_NATIVE_FLOAT;
}

Scalar classify(hid_t type) {
  const H5T_class_t cls = H5Tget_class(type);
  const size_t size = H5Tget_size(type);
  if (cls == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(type) == H5T_SGN_2;
    if (!is_signed && size == 1) return Scalar::uint8;
    if (!is_signed && size == 2) return Scalar::uint16;
    if (is_signed && size == 4) return Scalar::int32;
    if (is_signed && size == 8) return Scalar::int64;
  }
  if (cls == H5T_FLOAT) return size == 4 ? Scalar::float32 : (size == 8 ? Scalar::float64 : Scalar::other);
  return Scalar::other;
}

Handle open_attr(const Group& g, const std::string& name) {
  hid_t a = H5Aopen(g.id(), name.c_str(), H5P_DEFAULT);
  if (a < 0) fail(g.where(name), "missing attribute");
  return Handle(a, H5Aclose);
}

Handle attr_type(const Handle& attr) {
  return Handle(H5Aget_type(attr.id()), H5Tclose);
}

std::int64_t attr_elements(const Handle& attr) {
  Handle space(H5Aget_space(attr.id()), H5Sclose);
  return H5Sget_simple_extent_npoints(space.id());
}

void write_attr(const Group& g, const std::string& name, hid_t mem_type, hid_t file_type, const void* data,
                hsize_t n, bool scalar) {
  if (H5Aexists(g.id(), name.c_str()) > 0) H5Adelete(g.id(), name.c_str());
  Handle space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle attr(H5Acreate2(g.id(), name.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attr.valid() || H5Awrite(attr.id(), mem_type, data) < 0) fail(g.where(name), "cannot write attribute");
}

herr_t collect_name(hid_t, const char* name, const H5A_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}
herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}

}  // namespace

void Handle::reset() {
  if (id_ >= 0 && close_) close_(id_);
  id_ = -1;
}

std::string to_string(Scalar s) {
  switch (s) {
    case Scalar::uint8:
      return "uint8";
    case Scalar::uint16:
      return "uint16";
    case Scalar::int32:
      return "int32";
    case Scalar::int64:
      return "int64";
    case Scalar::float32:
      return "float32";
    case Scalar::float64:
      return "float64";
    case Scalar::other:
      break;
  }
  return "an unsupported type";
}

std::string Group::where(const std::string& name) const {
  std::string p = path_ == "/" ? "/" + name : path_ + "/" + name;
  return file_ + ":" + p;
}

bool Group::has(const std::string& name) const {
  // Walk the path one link at a time: H5Lexists fails on a missing intermediate group.
  std::string prefix;
  std::size_t pos = 0;
  while (pos <= name.size()) {
    const std::size_t next = name.find('/', pos);
    prefix += (prefix.empty() ? "" : "/") +
              name.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    if (H5Lexists(id(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return true;
}

bool Group::has_attr(const std::string& name) const {
  return H5Aexists(id(), name.c_str()) > 0;
}

bool Group::attr_is_string(const std::string& name) const {
  Handle attr = open_attr(*this, name);
  Handle type = attr_type(attr);
  return H5Tget_class(type.id()) == H5T_STRING;
}

Group Group::group(const std::string& name) const {
  if (!has(name)) fail(where(name), "missing group");
  hid_t g = H5Gopen2(id(), name.c_str(), H5P_DEFAULT);
  if (g < 0) fail(where(name), "not a group");
  return Group(Handle(g, H5Gclose), file_, path_ == "/" ? "/" + name : path_ + "/" + name);
}

Group Group::create_group(const std::string& name) const {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.id(), 1);
  hid_t g = H5Gcreate2(id(), name.c_str(), lcpl.id(), H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) fail(where(name), "cannot create group");
  return Group(Handle(g, H5Gclose), file_, path_ == "/" ? "/" + name : path_ + "/" + name);
}

std::string Group::attr_string(const std::string& name) const {
  Handle attr = open_attr(*this, name);
  Handle type = attr_type(attr);
  if (H5Tget_class(type.id()) != H5T_STRING) fail(where(name), "expected a string attribute");
  if (H5Tis_variable_str(type.id()) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.id(), H5T_VARIABLE);
    H5Tset_cset(mem.id(), H5Tget_cset(type.id()));  // HDF5 does not convert between ASCII and UTF-8
    char* s = nullptr;
    if (attr_elements(attr) != 1 || H5Aread(attr.id(), mem.id(), &s) < 0)
      fail(where(name), "cannot read string");
    std::string out = s ? s : "";
    if (s) H5free_memory(s);
    return out;
  }
  const size_t size = H5Tget_size(type.id());
  const std::int64_t n = attr_elements(attr);
  std::string buf(size * static_cast<size_t>(std::max<std::int64_t>(n, 1)), '\0');
  Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem.id(), size);
  H5Tset_cset(mem.id(), H5Tget_cset(type.id()));
  H5Tset_strpad(mem.id(), H5Tget_strpad(type.id()));
  if (H5Aread(attr.id(), mem.id(), buf.data()) < 0) fail(where(name), "cannot read string");
  buf.resize(size);  // first element only
  const auto end = buf.find('\0');
  if (end != std::string::npos) buf.resize(end);
  while (!buf.empty() && buf.back() == ' ') buf.pop_back();  // space-padded strings
  return buf;
}

std::vector<double> Group::attr_doubles(const std::string& name) const {
  Handle attr = open_attr(*this, name);
  Handle type = attr_type(attr);
  const auto cls = H5Tget_class(type.id());
  if (cls == H5T_STRING) {
    // Some producers store numbers as strings; accept them when the whole string parses.
    const std::string s = attr_string(name);
    try {
      std::size_t used = 0;
      const double v = std::stod(s, &used);
      if (used == s.size()) return {v};
    } catch (const std::exception&) {
    }
    fail(where(name), "expected a number, found the string '" + s + "'");
  }
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) fail(where(name), "expected a numeric attribute");
  std::vector<double> v(static_cast<size_t>(attr_elements(attr)));
  if (H5Aread(attr.id(), H5T_NATIVE_DOUBLE, v.data()) < 0) fail(where(name), "cannot read attribute");
  return v;
}

double Group::attr_double(const std::string& name) const {
  const auto v = attr_doubles(name);
  if (v.size() != 1) fail(where(name), "expected one number, found " + std::to_string(v.size()));
  return v[0];
}

std::int64_t Group::attr_int(const std::string& name) const {
  const double v = attr_double(name);
  // The range check comes first: converting a double outside int64 (or NaN) is undefined.
  constexpr double two63 = 9223372036854775808.0;
  if (!(v >= -two63 && v < two63) || v != std::trunc(v)) fail(where(name), "expected an integer");
  return static_cast<std::int64_t>(v);
}

std::optional<std::string> Group::attr_string_opt(const std::string& name) const {
  if (!has_attr(name)) return std::nullopt;
  return attr_string(name);
}

std::optional<double> Group::attr_double_opt(const std::string& name) const {
  if (!has_attr(name)) return std::nullopt;
  return attr_double(name);
}

void Group::set_attr(const std::string& name, const std::string& value) const {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.id(), H5T_VARIABLE);
  H5Tset_cset(type.id(), H5T_CSET_UTF8);
  const char* p = value.c_str();
  write_attr(*this, name, type.id(), type.id(), &p, 1, true);
}

void Group::set_attr(const std::string& name, double value) const {
  write_attr(*this, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &value, 1, true);
}

void Group::set_attr(const std::string& name, std::int64_t value) const {
  write_attr(*this, name, H5T_NATIVE_INT64, H5T_STD_I64LE, &value, 1, true);
}

void Group::set_attr(const std::string& name, const std::vector<double>& value) const {
  write_attr(*this, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, value.data(), value.size(), false);
}

void Group::set_attr_fixed_string(const std::string& name, const std::string& value,
                                  bool one_element_array) const {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.id(), value.size() + 1);  // the NUL counts, as in KNMI and ODIM files
  H5Tset_strpad(type.id(), H5T_STR_NULLTERM);
  write_attr(*this, name, type.id(), type.id(), value.c_str(), 1, !one_element_array);
}

void Group::set_attr_uint64(const std::string& name, std::uint64_t value) const {
  write_attr(*this, name, H5T_NATIVE_UINT64, H5T_STD_U64LE, &value, 1, true);
}

std::vector<std::string> Group::attr_names() const {
  std::vector<std::string> names;
  hsize_t idx = 0;
  H5Aiterate2(id(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect_name, &names);
  return names;
}

std::vector<std::string> Group::members() const {
  std::vector<std::string> names;
  hsize_t idx = 0;
  H5Literate(id(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect_link, &names);
  return names;
}

Dataset::Dataset(Handle h, std::string where) : h_(std::move(h)), where_(std::move(where)) {
  Handle space(H5Dget_space(h_.id()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.id());
  if (rank < 0) fail(where_, "cannot read the dataspace");
  std::vector<hsize_t> d(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.id(), d.data(), nullptr);
  dims_.assign(d.begin(), d.end());
  Handle type(H5Dget_type(h_.id()), H5Tclose);
  scalar_ = classify(type.id());
}

namespace {
Handle select(const Dataset& ds, const std::vector<std::int64_t>& start,
              const std::vector<std::int64_t>& count) {
  if (start.size() != ds.dims().size() || count.size() != ds.dims().size())
    fail(ds.where(), "hyperslab rank does not match the dataset's rank " + std::to_string(ds.dims().size()));
  for (size_t i = 0; i < start.size(); ++i)
    if (start[i] < 0 || count[i] < 0 || start[i] + count[i] > ds.dims()[i])
      fail(ds.where(), "hyperslab outside the dataset along axis " + std::to_string(i));
  Handle space(H5Dget_space(ds.id()), H5Sclose);
  std::vector<hsize_t> s(start.begin(), start.end()), c(count.begin(), count.end());
  H5Sselect_hyperslab(space.id(), H5S_SELECT_SET, s.data(), nullptr, c.data(), nullptr);
  return space;
}
}  // namespace

void Dataset::read(const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& count,
                   float* out) const {
  Handle file_space = select(*this, start, count);
  std::vector<hsize_t> c(count.begin(), count.end());
  Handle mem_space(H5Screate_simple(static_cast<int>(c.size()), c.data(), nullptr), H5Sclose);
  if (H5Dread(id(), H5T_NATIVE_FLOAT, mem_space.id(), file_space.id(), H5P_DEFAULT, out) < 0)
    fail(where_, "cannot read (damaged or truncated file?)");
}

void Dataset::read_all(float* out) const {
  if (H5Dread(id(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    fail(where_, "cannot read (damaged or truncated file?)");
}

void Dataset::read_all(std::int64_t* out) const {
  if (H5Dread(id(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    fail(where_, "cannot read as integers");
}

void Dataset::write(const std::vector<std::int64_t>& start, const std::vector<std::int64_t>& count,
                    const float* in) const {
  Handle file_space = select(*this, start, count);
  std::vector<hsize_t> c(count.begin(), count.end());
  Handle mem_space(H5Screate_simple(static_cast<int>(c.size()), c.data(), nullptr), H5Sclose);
  if (H5Dwrite(id(), H5T_NATIVE_FLOAT, mem_space.id(), file_space.id(), H5P_DEFAULT, in) < 0)
    fail(where_, "cannot write (disk full?)");
}

void Dataset::write_all(const std::int64_t* in) const {
  if (H5Dwrite(id(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, in) < 0) fail(where_, "cannot write");
}

void Dataset::extend(const std::vector<std::int64_t>& dims) {
  std::vector<hsize_t> d(dims.begin(), dims.end());
  if (H5Dset_extent(id(), d.data()) < 0) fail(where_, "cannot extend");
  dims_ = dims;
}

Group Dataset::attrs() const {
  // Re-open the dataset as an object handle usable by the attribute functions.
  hid_t again = H5Oopen(id(), ".", H5P_DEFAULT);
  const auto colon = where_.rfind(':');
  return Group(Handle(again, H5Oclose), where_.substr(0, colon), where_.substr(colon + 1));
}

File File::open_read(const std::string& path) {
  silence_hdf5();
  {
    std::ifstream probe(path, std::ios::binary);
    if (!probe) throw DataError(path + ": cannot open (missing or unreadable)");
  }
  if (!is_hdf5(path)) throw DataError(path + ": not an HDF5 file");
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw DataError(path + ": cannot open as HDF5 (damaged or truncated?)");
  return File(Handle(f, H5Fclose), path);
}

File File::create(const std::string& path) {
  silence_hdf5();
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) throw DataError(path + ": cannot create (directory missing or not writable?)");
  return File(Handle(f, H5Fclose), path);
}

Group File::root() const {
  hid_t g = H5Gopen2(h_.id(), "/", H5P_DEFAULT);
  return Group(Handle(g, H5Gclose), path_, "/");
}

bool File::has_dataset(const std::string& path) const {
  const std::string rel = path.size() && path[0] == '/' ? path.substr(1) : path;
  if (!root().has(rel)) return false;
  H5O_info_t info;
  if (H5Oget_info_by_name2(h_.id(), path.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return false;
  return info.type == H5O_TYPE_DATASET;
}

Dataset File::dataset(const std::string& path) const {
  const std::string where = path_ + ":" + path;
  if (!has_dataset(path)) fail(where, "missing dataset");
  hid_t d = H5Dopen2(h_.id(), path.c_str(), H5P_DEFAULT);
  if (d < 0) fail(where, "cannot open dataset");
  return Dataset(Handle(d, H5Dclose), where);
}

Dataset File::create_dataset(const std::string& path, Scalar type, const std::vector<std::int64_t>& dims,
                             const std::vector<std::int64_t>& chunk, bool first_unlimited,
                             int deflate) const {
  const std::string where = path_ + ":" + path;
  std::vector<hsize_t> d(dims.begin(), dims.end()), maxd = d;
  if (first_unlimited && !maxd.empty()) maxd[0] = H5S_UNLIMITED;
  Handle space(H5Screate_simple(static_cast<int>(d.size()), d.data(), maxd.data()), H5Sclose);
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (!chunk.empty()) {
    std::vector<hsize_t> c(chunk.begin(), chunk.end());
    H5Pset_chunk(dcpl.id(), static_cast<int>(c.size()), c.data());
    if (deflate > 0) H5Pset_deflate(dcpl.id(), static_cast<unsigned>(deflate));
  }
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.id(), 1);
  hid_t file_type = native_type(type);
  hid_t ds = H5Dcreate2(h_.id(), path.c_str(), file_type, space.id(), lcpl.id(), dcpl.id(), H5P_DEFAULT);
  if (ds < 0) fail(where, "cannot create dataset");
  return Dataset(Handle(ds, H5Dclose), where);
}

void File::flush() const {
  if (H5Fflush(h_.id(), H5F_SCOPE_GLOBAL) < 0) throw DataError(path_ + ": cannot flush (disk full?)");
}

void File::close() {
  if (!h_.valid()) return;
  const hid_t id = h_.release();
  if (H5Fclose(id) < 0) throw DataError(path_ + ": cannot close (disk full?)");
}

bool is_hdf5(const std::string& path) {
  silence_hdf5();
  return H5Fis_hdf5(path.c_str()) > 0;
}

}  // namespace convlstm::data::h5
