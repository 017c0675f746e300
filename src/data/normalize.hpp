// Normalisation at the network's boundary (docs/architecture.md): physical units -> [0, 1] and back.
//   linear: n = (x - min) / (max - min)
//   log:    n = log(1 + x - min) / log(1 + max - min)          (rain rates: resolves light rain)
//   dbz:    rain rate -> reflectivity Z = a R^b (Marshall-Palmer a = 200, b = 1.6), dBZ = 10 log10 Z,
//           n = (dBZ - min) / (max - min); R = 0 maps to n = 0
// Every kind clamps n to [0, 1]; inverse() maps back to physical units.
#pragma once

#include <string>
#include <vector>

namespace convlstm::data {

enum class NormalizeKind { linear, log, dbz };

struct Normalizer {
  NormalizeKind kind = NormalizeKind::linear;
  double min = 0.0;
  double max = 60.0;
  double zr_a = 200.0;
  double zr_b = 1.6;

  float forward(float x) const;
  float inverse(float n) const;
};

NormalizeKind parse_normalize_kind(const std::string& name);  // throws ConfigError
std::string to_string(NormalizeKind k);
std::vector<std::string> normalize_kind_names();  // in the order parse and errors list them

}  // namespace convlstm::data
