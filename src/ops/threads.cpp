#include "ops/threads.hpp"

#include <omp.h>

#if defined(__x86_64__)
#include <pmmintrin.h>
#include <xmmintrin.h>
#endif

namespace convlstm::ops {

void set_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

void flush_denormals() {
#if defined(__x86_64__)
  auto set = [] {
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
  };
  set();
#pragma omp parallel
  set();
#endif
}

int max_threads() {
  return omp_get_max_threads();
}

}  // namespace convlstm::ops
