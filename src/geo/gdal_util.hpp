// Inside src/geo/ only. QuietErrors keeps GDAL's error messages off stderr for the lifetime of a guard
// (GDAL's handler stack is per thread), so that a failure can be rethrown as one short DataError with GDAL's
// last message; GdalDataset closes a dataset handle.
#pragma once

#include <cpl_error.h>
#include <gdal.h>

#include <memory>
#include <string>
#include <type_traits>

namespace convlstm::geo {

class QuietErrors {
 public:
  QuietErrors() { CPLPushErrorHandler(CPLQuietErrorHandler); }
  ~QuietErrors() { CPLPopErrorHandler(); }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;
  // ": <GDAL's last message>", or nothing.
  static std::string last() {
    const char* m = CPLGetLastErrorMsg();
    return m && *m ? std::string(": ") + m : std::string();
  }
};

struct DatasetCloser {
  void operator()(GDALDatasetH h) const { GDALClose(h); }
};
using GdalDataset = std::unique_ptr<std::remove_pointer_t<GDALDatasetH>, DatasetCloser>;

}  // namespace convlstm::geo
