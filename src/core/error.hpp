// Error types thrown by library code. Only src/cli/ catches them, logs, and chooses the exit status:
// ConfigError and UsageError map to 2 (usage/config), everything else to 1 (runtime/data).
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace convlstm {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A malformed or inconsistent configuration (exit status 2).
class ConfigError : public Error {
 public:
  using Error::Error;
};

// Wrong command-line use (exit status 2).
class UsageError : public Error {
 public:
  using Error::Error;
};

// Unreadable, missing or malformed data (exit status 1).
class DataError : public Error {
 public:
  using Error::Error;
};

// Tensors whose shapes do not fit an operation: a programming error inside the library (exit status 1).
class ShapeError : public Error {
 public:
  using Error::Error;
};

// A failure inside oneDNN or HDF5, re-thrown with context (exit status 1).
class BackendError : public Error {
 public:
  using Error::Error;
};

namespace detail {
[[noreturn]] void throw_check_failure(const char* expr, const char* file, int line, const std::string& msg);
}  // namespace detail

}  // namespace convlstm

// Always-on check: throws ShapeError naming the expression, file and line, plus a streamed message.
//   CONVLSTM_CHECK(x.numel() == y.numel(), "x " << x.shape() << " vs y " << y.shape());
#define CONVLSTM_CHECK(cond, msg)                                                                   \
  do {                                                                                              \
    if (!(cond)) {                                                                                  \
      std::ostringstream convlstm_check_os_;                                                        \
      convlstm_check_os_ << msg;                                                                    \
      ::convlstm::detail::throw_check_failure(#cond, __FILE__, __LINE__, convlstm_check_os_.str()); \
    }                                                                                               \
  } while (0)
