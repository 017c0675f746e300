#include "fuzz/h5_writer.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace convlstm::fuzz {

namespace {

hid_t native(Stored s) {
  switch (s) {
    case Stored::u8:
      return H5T_NATIVE_UINT8;
    case Stored::u16:
      return H5T_NATIVE_UINT16;
    case Stored::i8:
      return H5T_NATIVE_INT8;
    case Stored::i16:
      return H5T_NATIVE_INT16;
    case Stored::i32:
      return H5T_NATIVE_INT32;
    case Stored::u32:
      return H5T_NATIVE_UINT32;
    case Stored::i64:
      return H5T_NATIVE_INT64;
    case Stored::u64:
      return H5T_NATIVE_UINT64;
    case Stored::f32:
      return H5T_NATIVE_FLOAT;
    case Stored::f64:
      return H5T_NATIVE_DOUBLE;
    case Stored::bitfield:
      return H5T_NATIVE_B8;
  }
  return H5T_NATIVE_DOUBLE;
}

constexpr Stored kAllStored[] = {Stored::u8,  Stored::u16, Stored::i8,      Stored::i16,
                                 Stored::i32, Stored::u32, Stored::i64,     Stored::u64,
                                 Stored::f32, Stored::f64, Stored::bitfield};

// A number the input picks: the values that break decoders more often than a uniform draw would.
double fuzz_number(FuzzedDataProvider& in) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  switch (in.ConsumeIntegralInRange<int>(0, 11)) {
    case 0:
      return 0.0;
    case 1:
      return std::numeric_limits<double>::quiet_NaN();
    case 2:
      return inf;
    case 3:
      return -inf;
    case 4:
      return 65535.0;
    case 5:
      return -1.0;
    case 6:
      return 1e300;
    case 7:
      return 9.3e18;  // just past int64
    case 8:
      return -9.3e18;
    case 9:
      return std::numeric_limits<double>::denorm_min();
    case 10:
      return static_cast<double>(in.ConsumeIntegralInRange<std::int64_t>(-70000, 70000));
    default:
      return in.ConsumeFloatingPoint<double>();
  }
}

// Owns one hid_t for the lifetime of a write.
struct Id {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Id() {
    if (id >= 0) close(id);
  }
};

hid_t string_type(std::size_t size, H5T_str_t pad, bool variable) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, variable ? H5T_VARIABLE : std::max<std::size_t>(size, 1));
  H5Tset_strpad(t, pad);
  return t;
}

void put_attr(hid_t file, const std::string& object, const std::string& name, hid_t type, hid_t space,
              hid_t mem_type, const void* data) {
  Id attr{H5Acreate_by_name(file, object.c_str(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT,
                            H5P_DEFAULT),
          H5Aclose};
  if (attr.id >= 0 && data) H5Awrite(attr.id, mem_type, data);
}

void fixed_string_attr(hid_t file, const std::string& object, const std::string& name,
                       const std::string& value, std::size_t size, H5T_str_t pad, hsize_t elements,
                       bool scalar) {
  Id type{string_type(size, pad, false), H5Tclose};
  Id space{scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &elements, nullptr), H5Sclose};
  std::string buf(std::max<std::size_t>(size, 1) * std::max<hsize_t>(elements, 1),
                  pad == H5T_STR_SPACEPAD ? ' ' : '\0');
  for (hsize_t e = 0; e < std::max<hsize_t>(elements, 1); ++e)
    std::copy_n(value.begin(), std::min(value.size(), size),
                buf.begin() + static_cast<std::ptrdiff_t>(e * size));
  put_attr(file, object, name, type.id, space.id, type.id, buf.data());
}

}  // namespace

std::string scratch_path(const std::string& name) {
  const std::string dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  return dir + "/convlstm-fuzz-" + std::to_string(getpid()) + "-" + name;
}

H5Writer::H5Writer(const std::string& path, FuzzedDataProvider& in) : in_(in) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
}

H5Writer::~H5Writer() {
  close();
}

void H5Writer::close() {
  if (file_ >= 0) H5Fclose(file_);
  file_ = -1;
}

bool H5Writer::exists(const std::string& object) const {
  if (file_ < 0) return false;
  if (object == "/") return true;
  for (const auto& m : missing_)
    if (object == m || object.rfind(m + "/", 0) == 0) return false;
  return true;
}

void H5Writer::group(const std::string& path) {
  if (!exists(path)) return;
  switch (in_.ConsumeIntegralInRange<int>(0, 15)) {
    case 1:  // left out
      missing_.insert(path);
      return;
    case 2: {  // a dataset where a group should be
      Id space{H5Screate(H5S_SCALAR), H5Sclose};
      Id lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
      H5Pset_create_intermediate_group(lcpl.id, 1);
      Id d{H5Dcreate2(file_, path.c_str(), H5T_NATIVE_INT32, space.id, lcpl.id, H5P_DEFAULT, H5P_DEFAULT),
           H5Dclose};
      missing_.insert(path);
      return;
    }
    default: {
      Id lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
      H5Pset_create_intermediate_group(lcpl.id, 1);
      Id g{H5Gcreate2(file_, path.c_str(), lcpl.id, H5P_DEFAULT, H5P_DEFAULT), H5Gclose};
      if (g.id < 0) missing_.insert(path);
    }
  }
}

void H5Writer::numbered_group(const std::string& parent, const std::string& prefix) {
  if (!exists(parent)) return;
  std::string suffix;
  switch (in_.ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
      return;  // none
    case 1:
      suffix = "0";
      break;
    case 2:
      suffix = "";
      break;
    case 3:
      suffix = "x1";
      break;
    case 4:
      suffix = "00002";
      break;
    case 5:
      suffix = std::to_string(in_.ConsumeIntegral<std::uint64_t>());
      break;
    case 6:
      suffix = "99999999999999999999";
      break;
    default:
      suffix = in_.ConsumeRandomLengthString(12);
  }
  const std::string name = prefix + suffix;
  if (name.empty() || name.find('/') != std::string::npos || name.find('.') == 0) return;
  group((parent == "/" ? "/" : parent + "/") + name);
}

void H5Writer::string_attr(const std::string& object, const std::string& name, const std::string& usual) {
  if (!exists(object)) return;
  switch (in_.ConsumeIntegralInRange<int>(0, 15)) {
    case 0:  // ODIM's form: fixed length, NUL-terminated, scalar
      fixed_string_attr(file_, object, name, usual, usual.size() + 1, H5T_STR_NULLTERM, 1, true);
      return;
    case 1:  // KNMI's form: a 1-element array
      fixed_string_attr(file_, object, name, usual, usual.size() + 1, H5T_STR_NULLTERM, 1, false);
      return;
    case 2: {  // variable length
      Id type{string_type(0, H5T_STR_NULLTERM, true), H5Tclose};
      Id space{H5Screate(H5S_SCALAR), H5Sclose};
      const char* p = usual.c_str();
      put_attr(file_, object, name, type.id, space.id, type.id, &p);
      return;
    }
    case 3:  // space-padded, longer than the value
      fixed_string_attr(file_, object, name, usual, usual.size() + 3, H5T_STR_SPACEPAD, 1, true);
      return;
    case 4:  // NUL-padded to exactly its length: no terminator
      fixed_string_attr(file_, object, name, usual, usual.size(), H5T_STR_NULLPAD, 1, true);
      return;
    case 5: {  // two variable-length strings
      Id type{string_type(0, H5T_STR_NULLTERM, true), H5Tclose};
      const hsize_t two = 2;
      Id space{H5Screate_simple(1, &two, nullptr), H5Sclose};
      const char* p[2] = {usual.c_str(), "second"};
      put_attr(file_, object, name, type.id, space.id, type.id, p);
      return;
    }
    case 6:  // three fixed-length elements
      fixed_string_attr(file_, object, name, usual, usual.size() + 1, H5T_STR_NULLTERM, 3, false);
      return;
    case 7:  // left out
      return;
    case 8:  // other text
      fixed_string_attr(file_, object, name, in_.ConsumeRandomLengthString(40), 0, H5T_STR_NULLTERM, 1, true);
      return;
    case 9:  // a number instead
      number_attr(object, name, fuzz_number(in_), Stored::f64);
      return;
    case 10: {  // a null dataspace
      Id type{string_type(usual.size() + 1, H5T_STR_NULLTERM, false), H5Tclose};
      Id space{H5Screate(H5S_NULL), H5Sclose};
      put_attr(file_, object, name, type.id, space.id, type.id, nullptr);
      return;
    }
    case 11:  // empty
      fixed_string_attr(file_, object, name, "", 1, H5T_STR_NULLTERM, 1, true);
      return;
    case 12: {  // a variable-length string that is a null pointer
      Id type{string_type(0, H5T_STR_NULLTERM, true), H5Tclose};
      Id space{H5Screate(H5S_SCALAR), H5Sclose};
      const char* p = nullptr;
      put_attr(file_, object, name, type.id, space.id, type.id, &p);
      return;
    }
    case 13: {  // the usual text with one character changed
      std::string s = usual;
      if (!s.empty())
        s[in_.ConsumeIntegralInRange<std::size_t>(0, s.size() - 1)] = in_.ConsumeIntegral<char>();
      fixed_string_attr(file_, object, name, s, s.size() + 1, H5T_STR_NULLTERM, 1, true);
      return;
    }
    case 14: {  // a zero-length array
      Id type{string_type(usual.size() + 1, H5T_STR_NULLTERM, false), H5Tclose};
      const hsize_t zero = 0;
      Id space{H5Screate_simple(1, &zero, nullptr), H5Sclose};
      put_attr(file_, object, name, type.id, space.id, type.id, nullptr);
      return;
    }
    default: {  // the usual text followed by other text
      const std::string s = usual + in_.ConsumeRandomLengthString(8);
      fixed_string_attr(file_, object, name, s, s.size() + 1, H5T_STR_NULLTERM, 1, true);
    }
  }
}

void H5Writer::number_attr(const std::string& object, const std::string& name, double usual,
                           Stored usual_type) {
  if (!exists(object)) return;
  Stored type = usual_type;
  double value = usual;
  hsize_t elements = 1;
  bool scalar = true;
  switch (in_.ConsumeIntegralInRange<int>(0, 12)) {
    case 0:
      break;
    case 1:  // a 1-element array (KNMI)
      scalar = false;
      break;
    case 2:  // another numeric type
      type = kAllStored[in_.ConsumeIntegralInRange<std::size_t>(0, std::size(kAllStored) - 1)];
      break;
    case 3:  // another value
      value = fuzz_number(in_);
      break;
    case 4:  // another value in another type
      value = fuzz_number(in_);
      type = kAllStored[in_.ConsumeIntegralInRange<std::size_t>(0, std::size(kAllStored) - 1)];
      break;
    case 5: {  // the number as a string, perhaps with more text
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", usual);
      fixed_string_attr(file_, object, name, buf + in_.ConsumeRandomLengthString(4),
                        std::string(buf).size() + 5, H5T_STR_NULLTERM, 1, true);
      return;
    }
    case 6:  // several elements
      scalar = false;
      elements = in_.ConsumeIntegralInRange<hsize_t>(0, 4);
      break;
    case 7:  // left out
      return;
    case 8: {  // a null dataspace
      Id space{H5Screate(H5S_NULL), H5Sclose};
      put_attr(file_, object, name, native(type), space.id, H5T_NATIVE_DOUBLE, nullptr);
      return;
    }
    case 9: {  // rank 2
      const hsize_t dims[2] = {1, 1};
      Id space{H5Screate_simple(2, dims, nullptr), H5Sclose};
      put_attr(file_, object, name, native(type), space.id, H5T_NATIVE_DOUBLE, &value);
      return;
    }
    case 10:  // a string that is no number
      string_attr(object, name, in_.ConsumeRandomLengthString(16));
      return;
    default:  // the usual value, stored as float32
      type = Stored::f32;
  }
  Id space{scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &elements, nullptr), H5Sclose};
  std::vector<double> values(std::max<hsize_t>(elements, 1), value);
  for (std::size_t i = 1; i < values.size(); ++i) values[i] = fuzz_number(in_);
  if (type == Stored::bitfield) {
    const std::vector<std::uint8_t> bits(values.size(), in_.ConsumeIntegral<std::uint8_t>());
    put_attr(file_, object, name, native(type), space.id, H5T_NATIVE_B8, bits.data());
    return;
  }
  put_attr(file_, object, name, native(type), space.id, H5T_NATIVE_DOUBLE, values.data());
}

void H5Writer::dataset(const std::string& path, std::vector<std::int64_t> usual_dims, Stored usual_type,
                       const std::vector<double>& usual_values) {
  if (!exists(path.substr(0, std::max<std::size_t>(path.rfind('/'), 1)))) return;
  std::vector<std::int64_t> dims = usual_dims;
  switch (in_.ConsumeIntegralInRange<int>(0, 7)) {
    case 1: {  // another rank and shape
      dims.assign(in_.ConsumeIntegralInRange<std::size_t>(0, 4), 0);
      for (auto& d : dims) d = in_.ConsumeIntegralInRange<std::int64_t>(0, 7);
      break;
    }
    case 2:  // one dimension changed
      if (!dims.empty())
        dims[in_.ConsumeIntegralInRange<std::size_t>(0, dims.size() - 1)] =
            in_.ConsumeIntegralInRange<std::int64_t>(0, 9);
      break;
    case 3:  // left out
      return;
    default:
      break;
  }
  Stored type = usual_type;
  if (in_.ConsumeIntegralInRange<int>(0, 5) == 1)
    type = kAllStored[in_.ConsumeIntegralInRange<std::size_t>(0, std::size(kAllStored) - 1)];
  std::vector<hsize_t> hd(dims.begin(), dims.end());
  Id space{dims.empty() ? H5Screate(H5S_SCALAR)
                        : H5Screate_simple(static_cast<int>(hd.size()), hd.data(), nullptr),
           H5Sclose};
  Id dcpl{H5Pcreate(H5P_DATASET_CREATE), H5Pclose};
  const int layout = in_.ConsumeIntegralInRange<int>(0, 3);
  if (layout > 0 && !dims.empty()) {  // chunked, one chunk per leading index; deflated too
    std::vector<hsize_t> chunk = hd;
    chunk[0] = 1;
    for (auto& c : chunk) c = std::max<hsize_t>(c, 1);
    H5Pset_chunk(dcpl.id, static_cast<int>(chunk.size()), chunk.data());
    if (layout == 2) H5Pset_deflate(dcpl.id, 1);
  }
  Id lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
  H5Pset_create_intermediate_group(lcpl.id, 1);
  Id ds{H5Dcreate2(file_, path.c_str(), native(type), space.id, lcpl.id, dcpl.id, H5P_DEFAULT), H5Dclose};
  if (ds.id < 0 || type == Stored::bitfield) return;
  std::size_t n = 1;
  for (auto d : dims) n *= static_cast<std::size_t>(d);
  std::vector<double> values(n, 0.0);
  for (std::size_t i = 0; i < n && i < usual_values.size(); ++i) values[i] = usual_values[i];
  switch (in_.ConsumeIntegralInRange<int>(0, 3)) {
    case 1:  // a few values replaced
      for (int k = in_.ConsumeIntegralInRange<int>(1, 8); k > 0 && n > 0; --k)
        values[in_.ConsumeIntegralInRange<std::size_t>(0, n - 1)] = fuzz_number(in_);
      break;
    case 2:  // every value from the input
      for (auto& v : values) v = in_.ConsumeIntegralInRange<std::int64_t>(-2, 70000);
      break;
    case 3:  // one value everywhere
      std::fill(values.begin(), values.end(), fuzz_number(in_));
      break;
    default:
      break;
  }
  if (n > 0) H5Dwrite(ds.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
}

}  // namespace convlstm::fuzz
