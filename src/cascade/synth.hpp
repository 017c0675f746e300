// Synthetic radar that looks like radar (`convlstm synth radar --kind cascade`): a field with a power-law
// spectrum whose scales each evolve by their own AR(2), the small ones faster than the large, carried by a
// smooth, slowly varying motion, and mapped to rain rates with a wet fraction and a wet-rate distribution
// taken from real composites (docs/experiments.md "Synthetic radar that looks like radar" has its figures
// next to the KNMI and OPERA samples').
//
// - The field lives on a periodic square of side D (the next power of two at least twice the frame's longer
//   side), in the frame of reference that moves with the rain; the frames are windows of it.
// - Spectrum: white noise filtered by k^(-slope/2) (k the wavenumber), split into the cascade of
//   cascade/bandpass.hpp; level k evolves as an AR(2) with a double real root r_k = exp(-1/tau_k), lifetime
//   tau_k = lifetime x (its wavelength / 64 px)^0.8 frames (40 minutes at 64 px with 5-minute frames), driven
//   by new filtered noise each frame; the field is the levels weighted by the filter's share of each.
// - Motion: a synoptic velocity whose direction random-walks and whose speed (mean `speed` px per frame)
//   wanders, plus a weak sinusoidal shear (0.3 px per frame at a wavelength of D); a frame samples the field
//   at its pixel minus the accumulated displacement (bilinear, periodic).
// - Rain: the wettest `wet_fraction` of each frame's field (that fraction itself wandering by up to a third)
//   is wet; its rates are log-normal with median `wet_median` mm/h and log standard deviation `wet_log_sd`,
//   at least 0.1 mm/h, matched in rank to the field.
// Deterministic for a seed.
//
// Weather regimes (`--segments K --regimes`, the pre-training data of docs/experiments.md): K independent
// series, each with its own seed (seed + k) and its own regime drawn from (seed, k): slope uniform in
// [2.4, 3.6], lifetime log-uniform in [4, 16] frames, speed uniform in [0.2, 4] px per frame (1-48 km/h at
// 1 km and 5 minutes) in a random direction, wet fraction log-uniform in [0.03, 0.4], wet median
// log-uniform in [0.2, 1.5] mm/h, log standard deviation uniform in [0.8, 1.3]: every regime a real radar
// shows at 1 km lies inside these ranges (docs/experiments.md). Without --regimes, every segment has the
// given options. Segments are a day apart, so no window crosses two.
#pragma once

#include <cstdint>
#include <string>

namespace convlstm::cascade {

struct CascadeSynthOptions {
  std::int64_t frames = 2000, height = 64, width = 64;
  std::uint64_t seed = 1;
  double timestep_s = 300.0;
  std::int64_t start_time = 1262304000;         // 2010-01-01T00:00:00Z
  double slope = 3.0;                           // of the field's power spectrum, k^-slope
  double lifetime = 8.0;                        // frames, at a wavelength of 64 px
  double speed = 1.5;                           // px per frame
  double wet_fraction = 0.14;                   // the KNMI morning's
  double wet_median = 0.36, wet_log_sd = 1.05;  // mm/h; the KNMI morning's wet rates
  std::int64_t segments = 1;                    // independent series of frames / segments frames each
  bool regimes = false;                         // each segment draws its own regime
};

// The regime of segment k (options with slope, lifetime, speed and the wet statistics drawn from (seed, k)).
CascadeSynthOptions draw_regime(const CascadeSynthOptions& base, std::int64_t k);

// Writes the series to `path` (a dataset file; uint16 with gain 0.01 mm/h, like synth radar's cells).
void write_cascade_radar(const std::string& path, const CascadeSynthOptions& options);

}  // namespace convlstm::cascade
