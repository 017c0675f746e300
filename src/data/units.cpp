#include "data/units.hpp"

#include <algorithm>
#include <cmath>

namespace convlstm::data {

float rain_rate_from_dbz(float dbz, double a, double b) {
  if (dbz <= kDbzFloor) return 0.0f;
  return static_cast<float>(std::pow(std::pow(10.0, dbz / 10.0) / a, 1.0 / b));
}

float dbz_from_rain_rate(float rate, double a, double b) {
  if (rate <= 0.0f) return kDbzFloor;
  return std::max(kDbzFloor,
                  static_cast<float>(10.0 * std::log10(a * std::pow(static_cast<double>(rate), b))));
}

float hko7_weight(float r) {
  if (r < 2.0f) return 1.0f;
  if (r < 5.0f) return 2.0f;
  if (r < 10.0f) return 5.0f;
  if (r < 30.0f) return 10.0f;
  return 30.0f;
}

}  // namespace convlstm::data
