// The process-wide oneDNN CPU engine and stream: the only global state in convlstm. Included only inside
// ops/ (the thread count is in ops/threads.hpp).
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

namespace convlstm::ops {

dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();

}  // namespace convlstm::ops
