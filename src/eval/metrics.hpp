// Forecast verification (HKO-7 conventions, docs/architecture.md), accumulated over a whole evaluation set
// per lead time.
//
// Per threshold τ (physical units), with obs and pred both observed at a pixel:
//   hits h = #(pred ≥ τ ∧ obs ≥ τ), misses m = #(pred < τ ∧ obs ≥ τ), false alarms f = #(pred ≥ τ ∧ obs < τ),
//   correct negatives c = #(pred < τ ∧ obs < τ), all summed over the whole set, then
//   CSI = h / (h + m + f)   POD = h / (h + m)   FAR = f / (h + f)
//   HSS = 2 (h c - m f) / ((h + m)(m + c) + (h + f)(f + c))
// Errors per observed pixel: MSE, MAE, and the balanced B-MSE / B-MAE with the HKO-7 weights of the observed
// rain rate (1, 2, 5, 10, 30 below 2, 5, 10, 30 mm/h and above). B-MSE and B-MAE here are normalised per
// observed pixel (Σ w e² / pixels); HKO-7's benchmark sums over a frame's pixels instead (per frame), so
// its figures are these times the frame's pixel count. For reflectivity, thresholds and weights go
// through R = (10^(dBZ/10) / a)^(1/b). For quantity `intensity` (Moving MNIST, values in [0, 1]): binary
// cross-entropy and MSE / MAE summed over a frame's pixels (the paper's and OpenSTL's per-frame figures), and
// SSIM (Gaussian window 11, σ 1.5, range 1).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/field.hpp"

namespace convlstm::eval {

struct Contingency {
  double hits = 0, misses = 0, false_alarms = 0, correct_negatives = 0;
  double csi() const;
  double pod() const;
  double far() const;
  double hss() const;
};

// The fractions skill score's sums (Roberts and Lean 2008) at one threshold and neighbourhood:
// FSS = 1 - sum (Pf - Po)^2 / sum (Pf^2 + Po^2), P the fraction of observed pixels at or above the threshold
// in the n x n neighbourhood of each observed pixel (clipped at the grid's edges).
struct FractionSums {
  double diff2 = 0, ref = 0;
  double fss() const;
};

// An ensemble's sums at one lead (Scores::add_ensemble): the CRPS (standard and fair estimators), the
// members' variance and the squared error of their mean, the rank histogram of the observation among the
// members, and per threshold the Brier score's sums and the reliability table (10 probability bins).
struct EnsembleSums {
  static constexpr int kBins = 10;
  double pixels = 0, crps = 0, crps_fair = 0, variance = 0, mean_sq = 0;
  std::vector<double> ranks;                         // members + 1
  std::vector<double> brier;                         // per threshold: sum (p - o)^2
  std::vector<double> bin_count, bin_p, bin_events;  // per threshold x bin
  EnsembleSums& operator+=(const EnsembleSums& o);
};

struct LeadScores {
  EnsembleSums ensemble;                                  // empty for a single field
  std::vector<Contingency> tables;                        // one per threshold
  std::vector<FractionSums> fractions;                    // per threshold, per FSS scale (threshold-major)
  double sq = 0, abs = 0, bsq = 0, babs = 0, pixels = 0;  // sums over observed pixels
  double frames = 0, bce = 0, frame_sq = 0, frame_abs = 0, ssim = 0;  // intensity: sums over frames
  double ssim_frames = 0;  // frames with at least one fully observed SSIM window
  // Sharpness (eval/spectrum.hpp): the forecast's (an ensemble's: its members') and the observation's power
  // per wavelength band, summed over forecasts.
  std::vector<double> power_pred, power_obs;
  LeadScores& operator+=(const LeadScores& o);
};

struct ScoreOptions {
  std::vector<double> thresholds{0.5, 2.0, 5.0, 10.0, 30.0};  // mm/h (converted for reflectivity)
  data::Quantity quantity = data::Quantity::rain_rate;
  double zr_a = 200.0, zr_b = 1.6;
  std::vector<std::int64_t> fss_scales{1, 5, 9, 17, 33};  // neighbourhoods in pixels (odd)
  bool keep_windows = false;  // also keep each forecast's sums, for resampling (the bootstrap)
  std::int64_t members = 0;   // an ensemble's size (add_ensemble); 0 for a single field
  bool spectra = true;        // the power spectra behind power_ratio@Npx (not for intensity data)
};

// An ensemble's sharpness is that of its first members, at most this many (each costs an FFT per lead).
constexpr std::int64_t kSpectrumMembers = 4;

class PowerSpectrum;

class Scores {
 public:
  Scores(std::int64_t t_out, ScoreOptions options);

  // One forecast: pred, obs, mask are (T_out, H, W) in physical units; mask 1 = observed.
  void add(const float* pred, const float* obs, const float* mask, std::int64_t h, std::int64_t w);
  // One ensemble forecast: members (M, T_out, H, W), M = options().members. Its mean is scored as add()
  // scores a single field (CSI, MSE, ...), the ensemble by the CRPS, Brier score, reliability, ROC area,
  // rank histogram, spread/skill, the FSS of its exceedance probabilities (the neighbourhood mean of the
  // members' share at or above the threshold against the observed fraction) and its members' sharpness.
  void add_ensemble(const float* members, const float* obs, const float* mask, std::int64_t h,
                    std::int64_t w);
  bool ensemble() const { return opt_.members > 0; }
  // Pooled over leads (and windows): per threshold, the reliability table's bins (count, mean forecast
  // probability, observed frequency), and the rank histogram as fractions.
  struct Reliability {
    std::vector<double> count, forecast, observed;
  };
  std::vector<Reliability> reliability() const;
  std::vector<double> rank_histogram() const;

  std::int64_t t_out() const { return static_cast<std::int64_t>(leads_.size()); }
  const ScoreOptions& options() const { return opt_; }
  const LeadScores& lead(std::int64_t t) const { return leads_[t]; }
  bool intensity() const { return opt_.quantity == data::Quantity::intensity; }

  // Named figures for lead t (or, when t < 0, the mean over the lead times where each is defined; NaN where
  // it is defined at none): "csi@0.5", "fss@0.5/9px", "mse", "crps" (of one field: the MAE), "brier@0.5",
  // "bce", "power_ratio@4px" (the forecast's power over the observation's in that wavelength band; an
  // ensemble's: its members'), ... Every source has the same names, an ensemble's deterministic ones being
  // its mean's (but its FSS is of its probabilities, and its power ratios are its members').
  std::vector<std::pair<std::string, double>> figures(std::int64_t t) const;
  // For each per-lead figure, at how many lead times it is defined (the count behind its mean).
  std::vector<std::pair<std::string, std::int64_t>> defined_leads() const;

  // With keep_windows: how many forecasts were added, and the scores of the forecasts whose indices (in the
  // order of add, repeats allowed) are given, as if only those had been added.
  std::int64_t windows() const { return static_cast<std::int64_t>(windows_.size()); }
  Scores resampled(const std::vector<std::int64_t>& windows) const;

 private:
  std::vector<LeadScores> score_fields(const float* pred, const float* obs, const float* mask, std::int64_t h,
                                       std::int64_t w) const;
  void commit(std::vector<LeadScores> window);
  void accumulate_ensemble(const float* members, std::int64_t m, std::int64_t stride, const float* obs,
                           const float* mask, std::int64_t hw, EnsembleSums& e) const;
  // FSS sums of one lead's fields at every threshold and scale into l; with `members` (count fields `stride`
  // apart) the forecast fractions are of the members' exceedance probabilities instead of p's events.
  void add_fractions(const float* p, const float* o, const float* m, std::int64_t h, std::int64_t w,
                     LeadScores& l, const float* members = nullptr, std::int64_t count = 0,
                     std::int64_t stride = 0) const;

  PowerSpectrum& spectrum(std::int64_t h, std::int64_t w) const;  // made for the grid at first use

  ScoreOptions opt_;
  mutable std::shared_ptr<PowerSpectrum> spectrum_;  // FFT plans and scratch, shared by copies
  std::vector<double> physical_thresholds_;          // in the data's unit
  std::vector<LeadScores> leads_;
  std::vector<std::vector<LeadScores>> windows_;  // keep_windows: per forecast, per lead
};

// Mean SSIM of two frames in [0, 1] (Gaussian window 11x11, σ = 1.5, C1 = 0.01², C2 = 0.03²) over the windows
// that fit inside the frame and, with a mask (1 observed), hold only observed pixels; NaN when there is none
// (a frame under 11x11 pixels, or too few observed).
double ssim(const float* a, const float* b, std::int64_t h, std::int64_t w, const float* mask = nullptr);

}  // namespace convlstm::eval
