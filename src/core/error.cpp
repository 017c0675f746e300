#include "core/error.hpp"

namespace convlstm::detail {

void throw_check_failure(const char* expr, const char* file, int line, const std::string& msg) {
  std::ostringstream os;
  os << msg << " (check '" << expr << "' failed at " << file << ":" << line << ")";
  throw ShapeError(os.str());
}

}  // namespace convlstm::detail
