// What a radar series looks like, in the figures that tell real rain from smooth synthetic rain (docs/
// experiments.md "Synthetic radar that looks like radar"): the spectral slope of the rain rate in dB, the wet
// fraction, the wet rain rates' quantiles, and how fast each scale forgets (the lag-1 and lag-2 correlation
// of each cascade level between frames).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/field.hpp"

namespace convlstm::cascade {

struct FieldStatistics {
  std::int64_t frames = 0, height = 0, width = 0;
  // The slope of the radially averaged power spectrum of 10 log10 R (R >= 0.1 mm/h; -15 dB elsewhere, its
  // mean removed per frame) against wavenumber, log-log, fitted over wavelengths of 4 to 32 pixels.
  double spectral_slope = 0.0;
  double wet_fraction = 0.0;             // pixels with R >= 0.1 mm/h
  std::vector<double> wet_quantiles;     // of the wet rates: 50, 90 and 99%
  double lag1 = 0.0;                     // of the rain rate itself, frame to next frame (Eulerian)
  std::vector<double> level_wavelength;  // per cascade level: its central wavelength in pixels (0: the mean)
  std::vector<double> level_lag1, level_lag2;  // per level: correlation with the frame 1 and 2 steps later
};

// frames (t, h, w) of rain rates (reflectivity converted through Z-R by the caller), mask 1 = observed
// (unobserved pixels count as dry); at least 3 frames.
FieldStatistics radar_statistics(const float* frames, const float* mask, std::int64_t t, std::int64_t h,
                                 std::int64_t w);
// The same, as the lines `convlstm info --statistics` prints.
std::string format_statistics(const FieldStatistics& s);

}  // namespace convlstm::cascade
