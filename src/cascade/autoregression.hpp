// The AR(2) model of one cascade level in time (Seed 2003): x(t+1) = phi1 x(t) + phi2 x(t-1) + noise, its
// parameters from the lag-1 and lag-2 correlations by the Yule-Walker equations.
#pragma once

#include <cstdint>

namespace convlstm::cascade {

struct Ar2 {
  double phi1 = 0.0, phi2 = 0.0;
  // The innovation's standard deviation that keeps a unit-variance process at unit variance (the STEPS noise
  // amplitude): sqrt(1 - phi1 gamma1 - phi2 gamma2).
  double noise_std = 0.0;
};

// Yule-Walker from the lag correlations. Stationarity: gamma1 is kept inside (-0.999, 0.999) and gamma2 below
// 0.999 and above the lowest value for which the AR(2)'s characteristic roots are real (a forecast that
// decays without oscillating; the same bound as pysteps' adjust_lag2_corrcoef2), which also keeps it inside
// the triangle of stationarity (gamma2 > 2 gamma1^2 - 1).
Ar2 fit_ar2(double gamma1, double gamma2);
// The AR(1) a series of two frames allows: phi1 = gamma1 (kept inside (-0.999, 0.999)), phi2 = 0.
Ar2 fit_ar1(double gamma1);

// Pearson correlation of two series of n values (0 when either is constant), over the indices where `use` is
// non-zero when it is given.
double correlation(const double* a, const double* b, std::int64_t n, const std::uint8_t* use = nullptr);

}  // namespace convlstm::cascade
