// Synthetic radar echoes a nowcaster can learn from (the embedded default data). Rain cells with a realistic
// rain-rate distribution — most pixels dry, peak intensities log-normal (median 4 mm/h) capped at 100 mm/h —
// advected by a smooth, slowly varying wind field, growing and decaying over their lifetime and merging when
// they meet. Rain rate in mm/h, one frame every 5 minutes, deterministic for a seed.
//
// Per frame, with cell k at (x_k, y_k), peak P_k, life envelope e_k = sin(π age/L)^0.7, radii (a_k, b_k) and
// orientation θ_k:   R(x, y) = Σ_k P_k e_k exp(-½ d_k²),  d_k² the rotated, scaled distance;  R < 0.1 → 0.
// Cells move with the wind at their centre: u = U(t) + A sin(2π y / λ + φ(t)), v = V(t) + A cos(2π x / λ +
// ψ(t)), where (U, V) follows a synoptic flow whose direction random-walks (a long series shows every
// direction) and whose speed varies, through Ornstein-Uhlenbeck steps; the phases drift slowly.
//
// Every length and speed is in pixels and the same at every grid size (radii 2-6 px, wind about 1 px per
// frame, wavelength 64 px); the number of cells grows with the area of the grid and its 12-pixel birth
// margin (4.5 for 64x64). A larger grid is a larger domain with the same weather, so the wet fraction and
// the rain-rate distribution do not depend on the size (tests/data/synth_test.cpp pins both from 64x64 to
// 512x512: 13-16% wet, median wet rate 0.55 mm/h). 64x64 series are the same as before the fix.
#pragma once

#include <cstdint>
#include <string>

namespace convlstm::data {

struct SynthRadarOptions {
  std::int64_t frames = 2000;
  std::int64_t height = 64;
  std::int64_t width = 64;
  std::uint64_t seed = 1;
  // Independent series of frames / segments frames each (the last takes the remainder), from seeds seed,
  // seed + 1, ...: one dataset segment each, a day apart in time. More weather regimes for the same frame
  // count; segments = 1 is the single series of `seed`.
  std::int64_t segments = 1;
  double timestep_s = 300.0;
  std::int64_t start_time = 1262304000;  // 2010-01-01T00:00:00Z
};

// Writes the series to `path` (a dataset file, docs/architecture.md; uint16 with gain 0.01 mm/h).
void write_synth_radar(const std::string& path, const SynthRadarOptions& options);

}  // namespace convlstm::data
