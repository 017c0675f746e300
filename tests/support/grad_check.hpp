// Finite-difference gradient checking (central differences, accumulated in double).
//
// For a scalar probe L(θ) (for example <output, R> for a fixed random R), every checked element θ_i is nudged
// by ±eps and ±2eps and the five-point central difference ĝ_i compared with the analytic g_i. Per tensor the
// score is ‖g − ĝ‖ / ‖g + ĝ‖; a report names the worst tensor and its worst element, analytic against
// numeric.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/rng.hpp"

namespace convlstm::test {

struct TensorCheck {
  std::string name;
  double rel_error = 0.0;  // ‖g − ĝ‖ / ‖g + ĝ‖
  std::int64_t worst_index = -1;
  double worst_analytic = 0.0, worst_numeric = 0.0;
  std::int64_t checked = 0;
};

struct GradCheck {
  std::vector<TensorCheck> tensors;

  double max_rel_error() const;
  std::string report() const;  // one line per tensor, worst first
  std::int64_t elements_checked() const;
};

// Checks `n` elements of `values` against `analytic` using `loss` (re-evaluated after each nudge). When
// max_elements > 0 and n exceeds it, a random subset of that size is checked.
void check_tensor(GradCheck& out, const std::string& name, float* values, std::int64_t n,
                  const float* analytic, const std::function<double()>& loss, double eps,
                  std::int64_t max_elements = 0, Rng* rng = nullptr);

// Σ a_i b_i in double.
double dot(const float* a, const float* b, std::int64_t n);

}  // namespace convlstm::test
