#include "support/grad_check.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <utility>

namespace convlstm::test {

double GradCheck::max_rel_error() const {
  double m = 0.0;
  for (const auto& t : tensors) m = std::max(m, t.rel_error);
  return m;
}

std::int64_t GradCheck::elements_checked() const {
  std::int64_t n = 0;
  for (const auto& t : tensors) n += t.checked;
  return n;
}

std::string GradCheck::report() const {
  auto sorted = tensors;
  std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.rel_error > b.rel_error; });
  std::ostringstream os;
  for (const auto& t : sorted) {
    os << t.name << ": rel " << t.rel_error << " over " << t.checked << " elements; worst [" << t.worst_index
       << "] analytic " << t.worst_analytic << " numeric " << t.worst_numeric << "\n";
  }
  return os.str();
}

void check_tensor(GradCheck& out, const std::string& name, float* values, std::int64_t n,
                  const float* analytic, const std::function<double()>& loss, double eps,
                  std::int64_t max_elements, Rng* rng) {
  std::vector<std::int64_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  if (max_elements > 0 && n > max_elements && rng) {
    for (std::int64_t i = n - 1; i > 0; --i)  // Fisher-Yates from the Rng's own draws
      std::swap(idx[i], idx[rng->below(static_cast<std::uint64_t>(i + 1))]);
    idx.resize(max_elements);
  }
  TensorCheck t;
  t.name = name;
  double diff2 = 0.0, sum2 = 0.0, worst = -1.0;
  for (auto i : idx) {
    const float saved = values[i];
    auto at = [&](double delta) {
      values[i] = static_cast<float>(saved + delta);
      const double actual = double(values[i]) - saved;  // the step the float could represent
      const double l = loss();
      values[i] = saved;
      return std::make_pair(l, actual);
    };
    // Five-point stencil, (8 (L(+h) - L(-h)) - (L(+2h) - L(-2h))) / 12h: O(h⁴) truncation, so h can be large
    // enough that the fp32 forward's rounding noise, divided by h, stays small.
    const auto [l1, h1] = at(eps);
    const auto [m1, g1] = at(-eps);
    const auto [l2, h2] = at(2 * eps);
    const auto [m2, g2] = at(-2 * eps);
    (void)h2;
    (void)g2;
    const double h = 0.5 * (h1 - g1);
    const double numeric = (8.0 * (l1 - m1) - (l2 - m2)) / (12.0 * h);
    const double a = analytic[i];
    diff2 += (a - numeric) * (a - numeric);
    sum2 += (a + numeric) * (a + numeric);
    const double err = std::abs(a - numeric);
    if (err > worst) {
      worst = err;
      t.worst_index = i;
      t.worst_analytic = a;
      t.worst_numeric = numeric;
    }
  }
  t.checked = static_cast<std::int64_t>(idx.size());
  t.rel_error = sum2 > 0.0 ? std::sqrt(diff2) / std::sqrt(sum2) : std::sqrt(diff2);
  out.tensors.push_back(t);
}

double dot(const float* a, const float* b, std::int64_t n) {
  double s = 0.0;
  for (std::int64_t i = 0; i < n; ++i) s += double(a[i]) * b[i];
  return s;
}

}  // namespace convlstm::test
