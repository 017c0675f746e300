// The threads convlstm computes with (OpenMP, which oneDNN uses too). Kept apart from ops/engine.hpp so that
// callers outside ops/ need not see oneDNN's headers.
#pragma once

namespace convlstm::ops {

// Sets the number of OpenMP threads used by oneDNN and by convlstm's own loops; 0 keeps the default
// (OMP_NUM_THREADS, or every core).
void set_threads(int threads);
int max_threads();

}  // namespace convlstm::ops
