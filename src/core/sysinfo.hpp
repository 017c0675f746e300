// What the machine offers and what the process holds: RAM, resident memory, and the floating-point peak the
// benchmarks compare against.
#pragma once

namespace convlstm {

// Physical RAM in bytes (0 when unknown).
double physical_memory_bytes();
// The process's peak resident set so far, in bytes (getrusage's ru_maxrss).
double peak_rss_bytes();

// Measured single-precision FMA peak of `threads` OpenMP threads, in GFLOP/s: every thread runs independent
// chains of the widest fused multiply-add this build targets (AVX-512, else AVX2/FMA, else scalar) for about
// `seconds`, and the best of three rounds counts.
double measure_fma_peak_gflops(int threads, double seconds = 0.3);
// The vector width measure_fma_peak_gflops used ("avx512", "avx2", "scalar").
const char* fma_peak_isa();
// Measured bf16 dot-product peak (AVX512-BF16's vdpbf16ps: 32 bf16 multiply-adds into fp32 per instruction,
// counted as 64 FLOP), the same way; 0 when this CPU has no AVX512-BF16. The denominator of bf16 rates.
double measure_bf16_peak_gflops(int threads, double seconds = 0.3);

}  // namespace convlstm
