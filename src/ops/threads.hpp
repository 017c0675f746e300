// The threads convlstm computes with (OpenMP, which oneDNN uses too). Kept apart from ops/engine.hpp so that
// callers outside ops/ need not see oneDNN's headers.
#pragma once

namespace convlstm::ops {

// Sets the number of OpenMP threads used by oneDNN and by convlstm's own loops; 0 keeps the default
// (OMP_NUM_THREADS, or every core).
void set_threads(int threads);
int max_threads();

// Flushes denormal floats to zero (x86's FTZ and DAZ) on the calling thread and on every OpenMP thread;
// threads created later inherit the setting from their creator. Training meets denormals where states and
// gradients decay towards zero over dry pixels, and on x86 each one costs a microcode assist: on the default
// config a training step took 1.6x as long without this. Values below 1.2e-38 become zero, far below any
// tolerance or score here. A no-op on other CPUs.
void flush_denormals();

}  // namespace convlstm::ops
