// Losses over predicted frames (design 5.3). m is the observed-pixel mask (1 observed, 0 nodata), w optional
// per-pixel weights (B-MSE / B-MAE use the HKO-7 rain-rate weights; absent means 1), N_obs = Σ m:
//
//   mse = Σ m w (p - t)² / N_obs
//   mae = Σ m w |p - t| / N_obs
//   bce = -Σ m w [t log p + (1 - t) log(1 - p)] / S      (S sequences: summed over pixels and frames,
//                                                         averaged over sequences, as Shi et al. 2015 report
//                                                         it)
//
// With no observed pixel the loss and its gradient are 0. p is clamped to [1e-7, 1 - 1e-7] inside the logs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/normalize.hpp"
#include "train/batches.hpp"

namespace convlstm::train {

enum class LossKind { mse, mae, bce };

LossKind parse_loss_kind(const std::string& name);  // throws ConfigError
std::string to_string(LossKind kind);

struct LossBatch {
  const float* pred = nullptr;    // (B, T_out, C, H, W)
  const float* target = nullptr;  // same shape
  const float* mask = nullptr;    // same shape, or nullptr: every pixel observed
  const float* weight = nullptr;  // same shape, or nullptr: weight 1
  std::int64_t n = 0;             // elements
  std::int64_t sequences = 1;     // B
};

double loss_forward(LossKind kind, const LossBatch& batch);

// HKO-7 balanced-loss pixel weight for a rain rate in mm/h: 1, 2, 5, 10, 30 below 2, 2-5, 5-10, 10-30,
// from 30.
float hko7_weight(float rain_rate);

// A training objective as named in the config: mse, mae, bce, bmse, bmae or bmse+bmae (the sum of the terms;
// the b* forms use HKO-7 weights).
struct Objective {
  std::vector<LossKind> terms;
  bool balanced = false;
};
Objective parse_objective(const std::string& name);  // throws ConfigError
// dpred += scale * ∂loss/∂pred.
void loss_backward(LossKind kind, const LossBatch& batch, float scale, float* dpred);

// The objective over one Batch (targets and mask in normalised units): for balanced objectives it turns
// targets back into rain rates (through `norm`, and Z-R when `quantity` is reflectivity) for the HKO-7
// weights. The training loop, validation and `convlstm bench` all score batches through this.
struct BatchObjective {
  Objective objective;
  data::Normalizer norm;
  std::string quantity;
  std::vector<float> weights;  // scratch for the balanced weights

  LossBatch batch(const Batch& b, const float* pred);
  double value(const Batch& b, const float* pred);
  // dpred += ∂objective/∂pred.
  void gradient(const Batch& b, const float* pred, float* dpred);
};

}  // namespace convlstm::train
