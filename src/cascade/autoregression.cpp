#include "cascade/autoregression.hpp"

#include <algorithm>
#include <cmath>

namespace convlstm::cascade {

Ar2 fit_ar2(double gamma1, double gamma2) {
  const double g1 = std::clamp(gamma1, -0.999, 0.999);
  // The lowest gamma2 whose AR(2) has real roots (phi1^2 + 4 phi2 >= 0): solving that for gamma2 gives
  // 1 - 2 D (1 - sqrt(D)) / gamma1^2, D = 1 - gamma1^2. It lies above 2 gamma1^2 - 1 (stationarity).
  const double d = 1.0 - g1 * g1;
  const double lowest = g1 != 0.0 ? 1.0 - 2.0 * d * (1.0 - std::sqrt(d)) / (g1 * g1) : -1.0;
  const double g2 = std::clamp(gamma2, std::max(lowest, 2.0 * g1 * g1 - 1.0) + 1e-6, 0.999);
  Ar2 a;
  a.phi1 = g1 * (1.0 - g2) / (1.0 - g1 * g1);
  a.phi2 = (g2 - g1 * g1) / (1.0 - g1 * g1);
  a.noise_std = std::sqrt(std::max(0.0, 1.0 - a.phi1 * g1 - a.phi2 * g2));
  return a;
}

Ar2 fit_ar1(double gamma1) {
  const double g1 = std::clamp(gamma1, -0.999, 0.999);
  Ar2 a;
  a.phi1 = g1;
  a.noise_std = std::sqrt(1.0 - g1 * g1);
  return a;
}

double correlation(const double* a, const double* b, std::int64_t n, const std::uint8_t* use) {
  double ma = 0.0, mb = 0.0;
  std::int64_t count = 0;
  for (std::int64_t i = 0; i < n; ++i)
    if (!use || use[i]) {
      ma += a[i];
      mb += b[i];
      ++count;
    }
  if (count < 2) return 0.0;
  ma /= static_cast<double>(count);
  mb /= static_cast<double>(count);
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (use && !use[i]) continue;
    const double da = a[i] - ma, db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0.0 && sbb > 0.0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

}  // namespace convlstm::cascade
