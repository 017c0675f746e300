#include "core/sysinfo.hpp"

#include <immintrin.h>
#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

namespace convlstm {

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<double>(pages) * size : 0.0;
}

double peak_rss_bytes() {
  rusage u{};
  if (getrusage(RUSAGE_SELF, &u) != 0) return 0.0;
  return static_cast<double>(u.ru_maxrss) * 1024.0;  // Linux reports KiB
}

namespace {

constexpr int kChains = 12;  // independent accumulators: enough to cover FMA latency times the FMA ports

// Runs `iters` rounds of kChains FMAs; returns a value that depends on every result so nothing is elided.
// The FLOPs are iters * kChains * lanes * 2.
#if defined(__AVX512F__)
constexpr int kLanes = 16;
float fma_chains(long iters, float seed) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(seed + 0.001f * c);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long i = 0; i < iters; ++i)
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  float out[16];  // (not _mm512_reduce_add_ps: GCC 12 warns inside its header)
  _mm512_storeu_ps(out, sum);
  float s = 0.0f;
  for (float v : out) s += v;
  return s;
}
#elif defined(__AVX2__) && defined(__FMA__)
constexpr int kLanes = 8;
float fma_chains(long iters, float seed) {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(seed + 0.001f * c);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (long i = 0; i < iters; ++i)
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  float out[8];
  __m256 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm256_add_ps(sum, acc[c]);
  _mm256_storeu_ps(out, sum);
  float s = 0.0f;
  for (float v : out) s += v;
  return s;
}
#else
constexpr int kLanes = 1;
float fma_chains(long iters, float seed) {
  float acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = seed + 0.001f * c;
  for (long i = 0; i < iters; ++i)
    for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * 0.999999f + 1e-7f;
  float s = 0.0f;
  for (float v : acc) s += v;
  return s;
}
#endif

// The bf16 dot-product chains, compiled for AVX512-BF16 whatever the build targets and run only where the
// CPU has it. The FLOPs are iters * kChains * 16 lanes * 2 pairs * 2.
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx512f,avx512bf16"))) float bf16_chains(long iters, float seed) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(seed + 0.001f * c);
  const __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-3f), _mm512_set1_ps(1e-3f));
  const __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-4f), _mm512_set1_ps(1e-4f));
  for (long i = 0; i < iters; ++i)
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_dpbf16_ps(acc[c], a, b);
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  float out[16];
  _mm512_storeu_ps(out, sum);
  float s = 0.0f;
  for (float v : out) s += v;
  return s;
}
bool cpu_has_bf16() {
  return __builtin_cpu_supports("avx512bf16");
}
#else
float bf16_chains(long, float) {
  return 0.0f;
}
bool cpu_has_bf16() {
  return false;
}
#endif

// Calibrates `kernel` on one thread so a round takes about `seconds`, then runs it on every thread three
// times; the best round's rate, in GFLOP/s, with `flops_per_iter` FLOPs per iteration and thread.
double measure_peak(float (*kernel)(long, float), double flops_per_iter, int threads, double seconds) {
  threads = std::max(threads, 1);
  long iters = 1 << 16;
  volatile float sink = 0.0f;
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    sink = sink + kernel(iters, 1.0f);
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (dt > seconds / 4 || iters > (1L << 40)) {
      iters = static_cast<long>(iters * std::max(1.0, seconds / std::max(dt, 1e-9)));
      break;
    }
    iters *= 4;
  }
  double best = 0.0;
  for (int round = 0; round < 3; ++round) {
    const auto t0 = std::chrono::steady_clock::now();
    float total = 0.0f;
#pragma omp parallel num_threads(threads) reduction(+ : total)
    total += kernel(iters, 1.0f + omp_get_thread_num());
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sink = sink + total;
    best = std::max(best, static_cast<double>(iters) * flops_per_iter * threads / dt * 1e-9);
  }
  return best;
}

}  // namespace

const char* fma_peak_isa() {
  return kLanes == 16 ? "avx512" : kLanes == 8 ? "avx2" : "scalar";
}

double measure_fma_peak_gflops(int threads, double seconds) {
  return measure_peak(fma_chains, kChains * kLanes * 2.0, threads, seconds);
}

double measure_bf16_peak_gflops(int threads, double seconds) {
  return cpu_has_bf16() ? measure_peak(bf16_chains, kChains * 16 * 2 * 2.0, threads, seconds) : 0.0;
}

}  // namespace convlstm
