// Optimizers over the parameter arena, with their moments in parameter tables of the same layout.
//
//   sgd:      v ← μ v + g;                         θ ← θ - lr v            (μ = 0: plain SGD)
//   rmsprop:  s ← ρ s + (1 - ρ) g²;                θ ← θ - lr g / (√s + ε)  (Tieleman & Hinton; the paper's)
//   adam:     m ← β1 m + (1 - β1) g;  v ← β2 v + (1 - β2) g²;
//             θ ← θ - lr m̂ / (√v̂ + ε),  m̂ = m / (1 - β1^t), v̂ = v / (1 - β2^t)
// where g includes weight decay (g + λ θ) when set. Gradient clipping and learning-rate schedules are below.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "checkpoint/checkpoint.hpp"
#include "config/config.hpp"
#include "nn/parameters.hpp"

namespace convlstm::train {

class Optimizer {
 public:
  Optimizer(const config::OptimizerConfig& cfg, const nn::ModelSpec& spec);

  // One update with learning rate lr; grads are read, not modified.
  void step(nn::ParameterTable& params, const nn::ParameterTable& grads, double lr);

  const std::string& kind() const { return cfg_.kind; }
  std::int64_t steps() const { return t_; }
  void set_steps(std::int64_t t) { t_ = t; }
  // The kind, the step count and the moment tables by name ("velocity"; "square_avg"; "m" and "v"), for
  // checkpoints; after reading one into it, set_steps(state.steps).
  checkpoint::OptimizerState state();

 private:
  config::OptimizerConfig cfg_;
  std::int64_t t_ = 0;
  std::unique_ptr<nn::ParameterTable> first_, second_;
};

// √(Σ g²) over the whole arena, accumulated in double.
double global_norm(const TensorView& grads);
// g ← g · max_norm / norm when norm > max_norm.
void clip_to_norm(const TensorView& grads, double norm, double max_norm);

// The learning rate at `step` (0-based) of `total_steps`: constant, step (× gamma every step_size steps) or
// cosine (from lr down to min_lr at total_steps); a linear warm-up over warmup_steps first, when set.
double learning_rate(const config::ScheduleConfig& s, double base_lr, std::int64_t step,
                     std::int64_t total_steps);

}  // namespace convlstm::train
