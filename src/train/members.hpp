// The members a stochastic model runs per sequence (train.members; docs/architecture.md "Ensembles"): every
// sequence of a batch repeated M times, its members on consecutive rows, each with its own noise drawn from
// (train.seed, step, sequence, member) (nn/noise.hpp). The members of one sequence run as one batch through
// the same weights, and the fair CRPS (train/loss.hpp) compares them with each other and with the target.
// Sequences are numbered in the global batch, so the noise does not depend on the number of ranks, and a
// resumed run draws what the uninterrupted one drew.
#pragma once

#include <cstdint>

#include "nn/model_spec.hpp"
#include "train/batches.hpp"

namespace convlstm::train {

class Members {
 public:
  Members(const nn::ModelSpec& spec, std::int64_t members, std::uint64_t seed);

  std::int64_t count() const { return m_; }
  // Whether the net sees anything but the loader's batch (several members, or noise).
  bool active() const { return m_ > 1 || spec_.stochastic(); }

  // The batch the net runs for `in`: itself when inactive; else its sequences repeated M times, the noise
  // (rows, K, H, W) of row s M + m drawn for (seed, step, first_sequence + s, m). `valid` stays the
  // number of real sequences.
  const Batch& expand(const Batch& in, std::int64_t step, std::int64_t first_sequence);

 private:
  nn::ModelSpec spec_;
  std::int64_t m_;
  std::uint64_t seed_;
  Batch out_;
};

}  // namespace convlstm::train
