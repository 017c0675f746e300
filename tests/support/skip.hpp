// A test that cannot run here (no real radar samples, no OpenCV, no AVX512-BF16) says why and is counted
// as skipped, not passed:
//
//   if (!motion::optical_flow_available()) CONVLSTM_SKIP("opencv", "this build has no OpenCV");
//
// Under scripts/test.sh's ctest run (CONVLSTM_CTEST_SKIP set) the process exits with kSkipExitCode, which
// ctest reports as "Skipped" (SKIP_RETURN_CODE); run directly (the sanitizer pass, a developer), it warns
// and the test case returns. When CONVLSTM_REQUIRE lists the kind ("shared,opencv": scripts/test.sh sets it
// when ../shared and OpenCV are both there), the skip is a failure instead: a test that needs them must run.
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace convlstm::test {

constexpr int kSkipExitCode = 77;

// True when the skip must fail the test instead (the kind is required here).
inline bool skip_required(const std::string& kind) {
  const char* req = std::getenv("CONVLSTM_REQUIRE");
  return req && ("," + std::string(req) + ",").find("," + kind + ",") != std::string::npos;
}

// Leaves the process as "skipped" under ctest; returns otherwise.
inline void skip_now() {
  if (std::getenv("CONVLSTM_CTEST_SKIP")) {
    std::fflush(stdout);
    std::fflush(stderr);
    std::exit(kSkipExitCode);
  }
}

}  // namespace convlstm::test

#define CONVLSTM_SKIP(kind, msg)                                                                         \
  do {                                                                                                   \
    if (::convlstm::test::skip_required(kind)) FAIL("required (CONVLSTM_REQUIRE) but skipped: " << msg); \
    WARN("skipped: " << msg);                                                                            \
    ::convlstm::test::skip_now();                                                                        \
    return;                                                                                              \
  } while (false)
