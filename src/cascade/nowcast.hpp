// What S-PROG (sprog.hpp) and STEPS (steps.hpp) share: the last frames in decibels of rain, in the frame of
// reference moving with the rain, split into the cascade, each level normalised and given its AR(2); and one
// lead's step of a member: the AR(2) (plus noise, for STEPS), the levels recomposed, the wet area and its
// mean kept, the field advected to the lead time and turned back into physical units.
#pragma once

#include <cstdint>
#include <vector>

#include "cascade/autoregression.hpp"
#include "cascade/bandpass.hpp"
#include "data/field.hpp"

namespace convlstm::cascade {

struct SprogOptions {
  data::Quantity quantity = data::Quantity::rain_rate;  // rain_rate, accumulation or reflectivity
  double threshold = 0.1;                               // mm/h: the wet/dry boundary
  double zr_a = 200.0, zr_b = 1.6;                      // reflectivity <-> rain rate
  std::int64_t levels = 0;                              // 0: default_levels of the grid
};

// The state a forecast starts from (prepare), and one member's evolving levels.
struct CascadeStart {
  bool dry = false;               // the last frame has no rain: every forecast is dry
  std::vector<double> mean, sd;   // per level, of the last frame (recomposition)
  std::vector<Ar2> ar;            // per level
  std::vector<double> cur, prev;  // (levels, h, w) normalised: the last frame's and the one before
  std::vector<double> last_db;    // (h, w) the last frame in dB (the STEPS noise filter's source)
  double wet_fraction = 0.0, wet_mean = 0.0;
};

class CascadeNowcast {
 public:
  // Plans the FFTs of one grid once. UsageError for a quantity it cannot forecast (intensity).
  CascadeNowcast(std::int64_t height, std::int64_t width, SprogOptions options);

  std::int64_t levels() const { return bands_.levels(); }
  std::int64_t height() const { return bands_.height(); }
  std::int64_t width() const { return bands_.width(); }
  double dry_db() const { return dry_db_; }
  BandPass& bands() { return bands_; }

  // inputs, mask (t_in, h, w) physical; motion (h, w, 2) in pixels per step.
  CascadeStart prepare(const float* inputs, const float* mask, std::int64_t t_in,
                       const std::vector<float>& motion);
  // One lead of one member: cur/prev (levels, h, w) step their AR(2), plus noise_std x noise (levels, h, w)
  // when noise is given; the recomposed field, wet area kept, is advected `lead` steps along `motion` into
  // out (h, w), physical units.
  void step(const CascadeStart& s, std::vector<double>& cur, std::vector<double>& prev, const double* noise,
            const std::vector<float>& motion, std::int64_t lead, float* out);
  // A dry forecast's value (0 mm/h, or the dBZ floor).
  float dry_value() const { return from_db(dry_db_); }

 private:
  void to_db(const float* values, const float* mask, double* out) const;
  float from_db(double db) const;

  SprogOptions o_;
  BandPass bands_;
  double threshold_db_, dry_db_;
  std::vector<double> frames_, levels_, recomposed_, sorted_;
  std::vector<float> advect_in_, advect_out_;
  std::vector<std::uint8_t> inside_, sourced_;
};

}  // namespace convlstm::cascade
