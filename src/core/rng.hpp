// Seeded random numbers. Every random choice in convlstm (initialisation, shuffling, synthetic data) draws
// from an Rng constructed from the config's seed, so a run is reproducible.
//
// The engine, std::mt19937_64, is fully specified by the C++ standard; the <random> distributions are not
// (libstdc++ and libc++ turn the same engine bits into different numbers). So every draw here is made from
// the engine's raw 64-bit outputs with arithmetic written out below, and a seed gives the same numbers with
// any standard library. normal() and poisson() use std::log, std::sqrt, std::cos and std::exp in double; sqrt
// is exactly rounded everywhere and the others are rounded to within an ulp of a double by every mainstream
// libm, far below the float the result is returned as.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace convlstm {

// SplitMix64's finaliser: a well-mixed 64 bits of x, for deriving independent seeds from several numbers
// (the STEPS members' seeds, the noise keys of a stochastic model's members).
inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  // The next raw 64 bits of the engine.
  std::uint64_t bits() { return engine_(); }

  // Uniform in [0, 1): the engine's top 53 bits as a double.
  double canonical() { return static_cast<double>(bits() >> 11) * 0x1.0p-53; }

  // Uniform in [lo, hi).
  float uniform(float lo, float hi) {
    const float r = static_cast<float>(lo + (static_cast<double>(hi) - lo) * canonical());
    return r < hi ? r : std::nextafter(hi, lo);  // rounding to float can land on hi
  }

  // Gaussian, by Box-Muller on two canonical draws (one normal per call: no cached second value, so the
  // stream of draws is a plain function of the engine's position).
  float normal(float mean, float stddev) {
    const double u1 = 1.0 - canonical();  // (0, 1]: log stays finite
    const double u2 = canonical();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    return static_cast<float>(mean + stddev * z);
  }

  // Uniform integer in [0, n), n >= 1, without modulo bias (rejection of the top partial range).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit =
        UINT64_MAX - UINT64_MAX % n;  // a multiple of n (or UINT64_MAX when n | 2^64-1)
    for (;;) {
      const std::uint64_t x = bits();
      if (x < limit) return x % n;
    }
  }

  // Poisson with the given mean (>= 0): Knuth's product of uniforms, in chunks of mean at most 16 (a sum of
  // independent Poisson counts is Poisson with the summed mean), so exp() never underflows.
  int poisson(double mean) {
    int n = 0;
    while (mean > 0.0) {
      const double chunk = mean > 16.0 ? 16.0 : mean;
      mean -= chunk;
      const double floor = std::exp(-chunk);
      double p = 1.0 - canonical();
      while (p > floor) {
        ++n;
        p *= 1.0 - canonical();
      }
    }
    return n;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace convlstm
