// Intervals on verification scores by the moving-block bootstrap over forecast windows.
//
// Neighbouring windows of a series share frames (a window of t_in + t_out frames every `stride` frames), so
// windows are resampled in blocks of `block` consecutive windows: each replicate draws ceil(n / block) block
// starts uniformly from [0, n - block] and keeps the first n windows of the concatenated blocks. Every
// source is rescored on the same resampled windows (paired), each figure recomputed from the summed
// contingency tables and error sums exactly as on the whole set, and the percentile interval of `level`
// taken over the replicates whose figure is defined (a CSI with no event in a replicate is undefined there).
// The difference model − baseline is computed per replicate, so its interval accounts for the pairing: "the
// model beats the baseline" on a figure means the difference's interval lies on the better side of zero.
// Draws come from the engine's own bits (no std distributions), so a seed gives the same intervals with
// every standard library.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eval/metrics.hpp"

namespace convlstm::eval {

struct BootstrapOptions {
  std::int64_t replicates = 1000;
  std::int64_t block = 1;  // windows per block
  std::uint64_t seed = 1;
  double level = 0.9;  // central interval
};

struct Interval {
  double lo = 0.0, hi = 0.0;  // NaN when the figure was undefined in every replicate
};

// Intervals of one source's (or one difference's) figures: per lead t in [0, t_out), then index t_out for
// the mean over lead times; each in the order and with the names of Scores::figures.
struct FigureIntervals {
  std::vector<std::vector<std::pair<std::string, Interval>>> leads;
  const std::vector<std::pair<std::string, Interval>>& mean() const { return leads.back(); }
};

struct BootstrapResult {
  BootstrapOptions options;
  std::vector<FigureIntervals> sources;      // per source, in the order given
  std::vector<FigureIntervals> differences;  // sources[0] − sources[k] for k = 1.., in that order
};

// The block length for windows of `window` frames every `stride` frames: the windows that share a frame
// with the first, ceil(window / stride).
std::int64_t default_block(std::int64_t window, std::int64_t stride);

// The windows of one replicate (indices into [0, n)).
std::vector<std::int64_t> block_resample(std::int64_t n, std::int64_t block, std::uint64_t seed,
                                         std::int64_t replicate);

// sources: Scores built with keep_windows, all over the same windows in the same order. Throws Error when
// they were not, or when n < 1.
BootstrapResult bootstrap(const std::vector<const Scores*>& sources, const BootstrapOptions& options);

}  // namespace convlstm::eval
