// The process-wide oneDNN CPU engine and stream: the only global state in convlstm.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

namespace convlstm::ops {

dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();

// Sets the number of OpenMP threads used by oneDNN and by convlstm's own loops; 0 keeps the default
// (OMP_NUM_THREADS, or every core).
void set_threads(int threads);
int max_threads();

}  // namespace convlstm::ops
