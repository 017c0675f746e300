// A STEPS ensemble (Bowler et al. 2006; Seed et al. 2013; as in pysteps' nowcasts.steps): S-PROG
// (sprog.hpp) whose levels are driven by noise, with the motion perturbed per member.
//
// - Noise: white Gaussian noise filtered by the amplitude spectrum of the last frame in dB (its mean removed;
//   the non-parametric filter), split into the same cascade, each level normalised to mean 0 and standard
//   deviation 1, and injected into each level's AR(2) with the amplitude that keeps the level's variance
//   (Ar2::noise_std); a new noise field every lead and member.
// - Motion: each member moves with the estimated motion plus a constant offset (one per member), each
//   component drawn from N(0, s^2), s = 0.1 x the mean speed over the grid + 0.05 pixels per step: position
//   errors that grow linearly with the lead time (a simpler form of Bowler et al.'s perturbations, which
//   grow as a power of the lead time; documented in docs/architecture.md "Baselines").
// - The wet area and its mean are kept per member and lead, as in S-PROG.
// - Seeds: member m of forecast `window` draws from an engine seeded by (seed, window, m), so an evaluation
//   is reproducible and independent of the order or number of threads.
// - Members run in parallel, one per OpenMP thread, each thread with its own FFT plans and buffers.
#pragma once

#include <complex>
#include <cstdint>
#include <memory>
#include <vector>

#include "cascade/nowcast.hpp"

namespace convlstm::cascade {

struct StepsOptions {
  std::int64_t members = 20;
  std::uint64_t seed = 0;
};

class Steps {
 public:
  Steps(std::int64_t height, std::int64_t width, SprogOptions options, StepsOptions steps);
  ~Steps();

  std::int64_t members() const { return so_.members; }
  std::int64_t levels() const;

  // inputs, mask (t_in, h, w) in physical units; motion (h, w, 2) -> out (members, t_out, h, w) physical.
  // `window` seeds the members (with the seed and the member's index).
  void forecast(const float* inputs, const float* mask, std::int64_t t_in, const std::vector<float>& motion,
                std::int64_t t_out, std::uint64_t window, float* out);

  // Fits the noise filter to a field in dB (h, w); forecast fits it to the last frame.
  void fit_noise(const double* field_db);
  // Filtered noise (h, w) from an engine seeded with `seed`, and the same split into its normalised cascade
  // (levels, h, w): what forecast injects.
  void filtered_noise(std::uint64_t seed, double* out);
  void noise(std::uint64_t seed, double* out);

 private:
  struct Worker;  // one thread's cascade core, FFT plans and buffers
  void filter_white(Worker& wk, std::uint64_t seed);
  void noise(Worker& wk, std::uint64_t seed, double* out);

  StepsOptions so_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<double> amplitude_;
};

// The engine seed of member m of forecast `window`.
std::uint64_t member_seed(std::uint64_t seed, std::uint64_t window, std::uint64_t member);

}  // namespace convlstm::cascade
