#include "data/normalize.hpp"

#include <algorithm>
#include <cmath>

#include "core/enum_names.hpp"
#include "core/error.hpp"

namespace convlstm::data {

namespace {
float clamp01(double v) {
  return static_cast<float>(std::min(1.0, std::max(0.0, v)));
}
}  // namespace

float Normalizer::forward(float x) const {
  switch (kind) {
    case NormalizeKind::linear:
      return clamp01((x - min) / (max - min));
    case NormalizeKind::log:
      return clamp01(std::log1p(std::max(0.0, x - min)) / std::log1p(max - min));
    case NormalizeKind::dbz: {
      if (x <= 0.0f) return 0.0f;
      const double dbz = 10.0 * std::log10(zr_a * std::pow(static_cast<double>(x), zr_b));
      return clamp01((dbz - min) / (max - min));
    }
  }
  return 0.0f;
}

float Normalizer::inverse(float n) const {
  const double v = std::min(1.0f, std::max(0.0f, n));
  switch (kind) {
    case NormalizeKind::linear:
      return static_cast<float>(min + v * (max - min));
    case NormalizeKind::log:
      return static_cast<float>(min + std::expm1(v * std::log1p(max - min)));
    case NormalizeKind::dbz: {
      if (v <= 0.0) return 0.0f;
      const double dbz = min + v * (max - min);
      return static_cast<float>(std::pow(std::pow(10.0, dbz / 10.0) / zr_a, 1.0 / zr_b));
    }
  }
  return 0.0f;
}

namespace {

constexpr EnumName<NormalizeKind> kKinds[] = {
    {NormalizeKind::linear, "linear"}, {NormalizeKind::log, "log"}, {NormalizeKind::dbz, "dbz"}};

}  // namespace

NormalizeKind parse_normalize_kind(const std::string& name) {
  if (const auto k = value_of(kKinds, name)) return *k;
  throw ConfigError("unknown normalize kind '" + name + "' (expected " + one_of(names_of(kKinds)) + ")");
}

std::string to_string(NormalizeKind k) {
  return name_of(kKinds, k);
}

std::vector<std::string> normalize_kind_names() {
  return names_of(kKinds);
}

}  // namespace convlstm::data
