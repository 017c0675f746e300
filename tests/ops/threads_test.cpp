#include <omp.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ops/threads.hpp"

namespace convlstm {
namespace {

#if defined(__x86_64__)
TEST_CASE("flush_denormals makes denormal results and operands zero on every OpenMP thread", "[ops]") {
  ops::flush_denormals();
  const int n = std::max(2, ops::max_threads());
  std::vector<float> products(static_cast<std::size_t>(n), -1.0f), operands(products), normal(products);
  // A denormal operand from its bits (exponent 0, mantissa 1024: about 1.4e-42); the values pass through
  // volatile so that the compiler cannot fold the arithmetic at build time.
  const std::uint32_t bits = 0x00000400u;
  float denormal_bits;
  std::memcpy(&denormal_bits, &bits, sizeof bits);
  volatile float tiny = 1e-30f, scale = 1e-10f, one = 1.0f, denormal = denormal_bits;
#pragma omp parallel num_threads(n)
  {
    const int t = omp_get_thread_num();
    products[t] = tiny * scale;    // 1e-40 would be a denormal result: flushed to zero (FTZ)
    operands[t] = denormal * one;  // a denormal operand is read as zero (DAZ)
    normal[t] = tiny * one;        // normal values are untouched
  }
  for (int t = 0; t < n; ++t) {
    INFO("thread " << t);
    CHECK(products[t] == 0.0f);
    CHECK(operands[t] == 0.0f);
    CHECK(normal[t] == 1e-30f);
  }
}
#endif

}  // namespace
}  // namespace convlstm
