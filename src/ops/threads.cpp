#include "ops/threads.hpp"

#include <omp.h>

namespace convlstm::ops {

void set_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

int max_threads() {
  return omp_get_max_threads();
}

}  // namespace convlstm::ops
