#include "train/optimizer.hpp"

#include <cmath>

#include "core/error.hpp"

namespace convlstm::train {

Optimizer::Optimizer(const config::OptimizerConfig& cfg, const nn::ModelSpec& spec) : cfg_(cfg) {
  if (cfg.kind == "sgd") {
    if (cfg.momentum > 0.0) first_ = std::make_unique<nn::ParameterTable>(spec);
  } else if (cfg.kind == "rmsprop") {
    second_ = std::make_unique<nn::ParameterTable>(spec);
  } else if (cfg.kind == "adam") {
    first_ = std::make_unique<nn::ParameterTable>(spec);
    second_ = std::make_unique<nn::ParameterTable>(spec);
  } else {
    throw ConfigError("train.optimizer.kind: unknown optimizer '" + cfg.kind + "'");
  }
}

checkpoint::OptimizerState Optimizer::state() {
  checkpoint::OptimizerState s{cfg_.kind, t_, {}};
  if (cfg_.kind == "sgd") {
    if (first_) s.moments = {{"velocity", first_.get()}};
  } else if (cfg_.kind == "rmsprop") {
    s.moments = {{"square_avg", second_.get()}};
  } else {
    s.moments = {{"m", first_.get()}, {"v", second_.get()}};
  }
  return s;
}

void Optimizer::step(nn::ParameterTable& params, const nn::ParameterTable& grads_table, double lr) {
  ++t_;
  const std::int64_t n = params.size();
  float* p = params.flat().data;
  const float* g = const_cast<nn::ParameterTable&>(grads_table).flat().data;
  const float wd = static_cast<float>(cfg_.weight_decay), eps = static_cast<float>(cfg_.eps);
  const float flr = static_cast<float>(lr);
  if (cfg_.kind == "sgd") {
    const float mu = static_cast<float>(cfg_.momentum);
    float* v = first_ ? first_->flat().data : nullptr;
#pragma omp parallel for simd
    for (std::int64_t i = 0; i < n; ++i) {
      const float gi = g[i] + wd * p[i];
      if (v) {
        v[i] = mu * v[i] + gi;
        p[i] -= flr * v[i];
      } else {
        p[i] -= flr * gi;
      }
    }
  } else if (cfg_.kind == "rmsprop") {
    const float rho = static_cast<float>(cfg_.decay);
    float* s = second_->flat().data;
#pragma omp parallel for simd
    for (std::int64_t i = 0; i < n; ++i) {
      const float gi = g[i] + wd * p[i];
      s[i] = rho * s[i] + (1.0f - rho) * gi * gi;
      p[i] -= flr * gi / (std::sqrt(s[i]) + eps);
    }
  } else {
    const float b1 = static_cast<float>(cfg_.beta1), b2 = static_cast<float>(cfg_.beta2);
    const float c1 = static_cast<float>(1.0 - std::pow(cfg_.beta1, static_cast<double>(t_)));
    const float c2 = static_cast<float>(1.0 - std::pow(cfg_.beta2, static_cast<double>(t_)));
    float* m = first_->flat().data;
    float* v = second_->flat().data;
#pragma omp parallel for simd
    for (std::int64_t i = 0; i < n; ++i) {
      const float gi = g[i] + wd * p[i];
      m[i] = b1 * m[i] + (1.0f - b1) * gi;
      v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
      p[i] -= flr * (m[i] / c1) / (std::sqrt(v[i] / c2) + eps);
    }
  }
}

double global_norm(const TensorView& grads) {
  double s = 0.0;
  const std::int64_t n = grads.numel();
  const float* g = grads.data;
#pragma omp parallel for reduction(+ : s)
  for (std::int64_t i = 0; i < n; ++i) s += double(g[i]) * g[i];
  return std::sqrt(s);
}

void clip_to_norm(const TensorView& grads, double norm, double max_norm) {
  if (!(norm > max_norm)) return;
  const float scale = static_cast<float>(max_norm / norm);
  for (auto& v : grads) v *= scale;
}

double learning_rate(const config::ScheduleConfig& s, double base_lr, std::int64_t step,
                     std::int64_t total_steps) {
  if (s.warmup_steps > 0 && step < s.warmup_steps)
    return base_lr * static_cast<double>(step + 1) / s.warmup_steps;
  if (s.kind == "step") return base_lr * std::pow(s.gamma, static_cast<double>(step / s.step_size));
  if (s.kind == "cosine") {
    const double span = static_cast<double>(std::max<std::int64_t>(1, total_steps - s.warmup_steps));
    const double progress = std::min(1.0, static_cast<double>(step - s.warmup_steps) / span);
    return s.min_lr + 0.5 * (base_lr - s.min_lr) * (1.0 + std::cos(3.14159265358979323846 * progress));
  }
  return base_lr;
}

}  // namespace convlstm::train
