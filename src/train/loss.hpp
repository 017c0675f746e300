// Losses over predicted frames (docs/architecture.md). m is the observed-pixel mask (1 observed, 0 nodata), w
// optional per-pixel weights (B-MSE / B-MAE use the HKO-7 rain-rate weights, inverse lead weights multiply
// in; absent means 1), N_obs = Σ m:
//
//   mse = Σ m w (p - t)² / N_obs
//   mae = Σ m w |p - t| / N_obs
//   bce = -Σ m w [t log p + (1 - t) log(1 - p)] / S      (S sequences: summed over pixels and frames,
//                                                         averaged over sequences, as Shi et al. 2015 report
//                                                         it)
//   crps = Σ_pixels m w CRPS_fair(x_1..x_M; t) / N_obs   (an ensemble of M members per sequence, the members
//                                                         of sequence s at batch rows s M .. s M + M - 1,
//                                                         N_obs counting one member's pixels)
//   CRPS_fair(x; t) = (1/M) Σ_i |x_i - t| - 1/(2 M (M-1)) Σ_{i≠j} |x_i - x_j|
//   ∂/∂x_i = (1/M) sgn(x_i - t) - 1/(M (M-1)) Σ_{j≠i} sgn(x_i - x_j)
// The fair estimator is the unbiased one (Ferro 2014): its expectation over members drawn from a forecast
// distribution F is CRPS(F, t) for any M >= 2, so two members per sequence train the distribution itself.
// With M = 1 it would be the MAE. The weights w are the mask and the weights of member 0's copy of the
// pixel (every member has the same target, so the same HKO-7 and lead weights): bcrps weighs each pixel's
// CRPS by the HKO-7 weight of its observed rate, as bmae weighs its absolute error.
//
// With no observed pixel the loss and its gradient are 0. p is clamped to [1e-7, 1 - 1e-7] inside the logs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/field.hpp"
#include "data/normalize.hpp"
#include "train/batches.hpp"

namespace convlstm::train {

enum class LossKind { mse, mae, bce, crps };

LossKind parse_loss_kind(const std::string& name);  // throws ConfigError
std::string to_string(LossKind kind);

struct LossBatch {
  const float* pred = nullptr;    // (B, T_out, C, H, W)
  const float* target = nullptr;  // same shape
  const float* mask = nullptr;    // same shape, or nullptr: every pixel observed
  const float* weight = nullptr;  // same shape, or nullptr: weight 1
  std::int64_t n = 0;             // elements
  std::int64_t sequences = 1;     // B
  std::int64_t members = 1;       // M: crps's members per sequence (the batch holds sequences x members rows)
};

double loss_forward(LossKind kind, const LossBatch& batch);
// The two halves of loss_forward: the weighted sum, and the normaliser it is divided by (N_obs, or S for
// bce).
double loss_sum(LossKind kind, const LossBatch& batch);
double loss_normaliser(LossKind kind, const LossBatch& batch);

// The HKO-7 pixel weights of the balanced losses: data::hko7_weight (data/radar.hpp).

// A training objective as named in the config: mse, mae, bce, bmse, bmae, bmse+bmae, crps or bcrps (the sum
// of the terms; the b* forms use HKO-7 weights; crps over `members` members per sequence), and whose rate
// those weights are of (train.balance): the observed rate (HKO-7's definition) or, with `max`, the larger of
// the observed and the forecast rate, so that a forecast of 15 mm/h where 8 fell costs as much as a forecast
// of 8 where 15 fell. The weight is piecewise constant in the forecast, so the gradient holds it fixed (exact
// away from the HKO-7 thresholds). With lead weights `inverse` (train.lead_weights) lead t of T also weighs T
// / (t H_T), H_T = Σ_{s=1..T} 1/s (mean weight 1): the extrapolation's error grows about in proportion to the
// lead time, so each lead's error then counts in proportion to what the baseline leaves there, and the first
// leads, where a correction easily does harm, are not drowned by the last.
struct Objective {
  std::vector<LossKind> terms;
  bool balanced = false;
  bool weigh_forecast = false;  // balance: max
  bool inverse_lead = false;    // lead_weights: inverse
  std::int64_t members = 1;     // crps: members per sequence
};
// throws ConfigError
Objective parse_objective(const std::string& name, const std::string& balance = "observed",
                          const std::string& lead_weights = "uniform", std::int64_t members = 1);
// Lead t's (1-based) weight of `leads` under an objective (1 unless inverse_lead).
float lead_weight(const Objective& objective, std::int64_t t, std::int64_t leads);
// dpred += scale * ∂loss/∂pred, dividing by `normaliser` (another batch's or a sum over ranks' in
// data-parallel training) or, in the first form, by this batch's own.
void loss_backward(LossKind kind, const LossBatch& batch, float scale, float* dpred);
void loss_backward(LossKind kind, const LossBatch& batch, float scale, float* dpred, double normaliser);

// An objective over one batch kept as its sums and normalisers, one pair per term, so that the shards of a
// batch on several ranks add theirs before dividing (train/distributed.hpp): the same loss and gradient as
// one process with the whole batch.
struct LossParts {
  std::vector<double> values;  // sum_k for every term k, then normaliser_k for every term

  double value() const;  // Σ_k sum_k / normaliser_k (a term with normaliser 0 counts 0)
};

// The objective over one Batch (targets and mask in normalised units): for balanced objectives it turns
// targets (and, with weigh_forecast, forecasts) back into rain rates (through `norm`, and Z-R when `quantity`
// is reflectivity) for the HKO-7 weights. The training loop, validation and `convlstm bench` all score
// batches through this.
struct BatchObjective {
  Objective objective;
  data::Normalizer norm;
  data::Quantity quantity = data::Quantity::rain_rate;
  std::vector<float> weights;   // scratch for the balanced and lead weights
  std::vector<float> per_lead;  // lead_weight of each lead, computed once for the batches' lead count

  LossBatch batch(const Batch& b, const float* pred);
  double value(const Batch& b, const float* pred);
  LossParts parts(const Batch& b, const float* pred);
  // dpred += ∂objective/∂pred, normalised by this batch's own normalisers or by those of `total` (the parts
  // of the whole batch, summed over ranks).
  void gradient(const Batch& b, const float* pred, float* dpred);
  void gradient(const Batch& b, const float* pred, float* dpred, const LossParts& total);
};

}  // namespace convlstm::train
