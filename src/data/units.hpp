// Rain-rate and reflectivity units: the reflectivity floor, Z = a R^b, and the HKO-7 pixel weights. Small on
// purpose, so that motion/, eval/ and train/ need not include the radar readers for them.
#pragma once

namespace convlstm::data {

// Reflectivity values below this are stored as it (undetect too): far below the 7 dBZ (0.1 mm/h) rain
// threshold, at or below every valid value seen in OPERA CIRRUS (-33.5 dBZ).
constexpr float kDbzFloor = -35.0f;

// Z = a R^b conversions (Marshall-Palmer a = 200, b = 1.6 by default). R = 0 -> kDbzFloor and back.
float rain_rate_from_dbz(float dbz, double a, double b);
float dbz_from_rain_rate(float rate, double a, double b);

// HKO-7 balanced-loss and B-MSE pixel weight for a rain rate in mm/h: 1, 2, 5, 10, 30 below 2, 2-5, 5-10,
// 10-30, from 30 (used by the balanced losses in train/ and the B-MSE score in eval/).
float hko7_weight(float rain_rate);

}  // namespace convlstm::data
