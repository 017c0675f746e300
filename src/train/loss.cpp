#include "train/loss.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "data/radar.hpp"

namespace convlstm::train {

namespace {

constexpr double kProbEps = 1e-7;

double observed(const LossBatch& b) {
  if (!b.mask) return static_cast<double>(b.n);
  double s = 0.0;
#pragma omp parallel for reduction(+ : s)
  for (std::int64_t i = 0; i < b.n; ++i) s += b.mask[i] != 0.0f ? 1.0 : 0.0;
  return s;
}

// The loss's normaliser: N_obs for mse/mae, S for bce.
double denominator(LossKind kind, const LossBatch& b) {
  return kind == LossKind::bce ? static_cast<double>(b.sequences) : observed(b);
}

inline double weight_at(const LossBatch& b, std::int64_t i) {
  const double m = b.mask ? (b.mask[i] != 0.0f ? 1.0 : 0.0) : 1.0;
  return b.weight ? m * b.weight[i] : m;
}

inline double clamp_prob(double p) {
  return std::min(std::max(p, kProbEps), 1.0 - kProbEps);
}

}  // namespace

LossKind parse_loss_kind(const std::string& name) {
  if (name == "mse") return LossKind::mse;
  if (name == "mae") return LossKind::mae;
  if (name == "bce") return LossKind::bce;
  throw ConfigError("unknown loss '" + name + "' (expected mse, mae or bce)");
}

std::string to_string(LossKind kind) {
  switch (kind) {
    case LossKind::mse:
      return "mse";
    case LossKind::mae:
      return "mae";
    case LossKind::bce:
      return "bce";
  }
  return "?";
}

float hko7_weight(float r) {
  if (r < 2.0f) return 1.0f;
  if (r < 5.0f) return 2.0f;
  if (r < 10.0f) return 5.0f;
  if (r < 30.0f) return 10.0f;
  return 30.0f;
}

Objective parse_objective(const std::string& name) {
  if (name == "mse" || name == "mae" || name == "bce") return {{parse_loss_kind(name)}, false};
  if (name == "bmse") return {{LossKind::mse}, true};
  if (name == "bmae") return {{LossKind::mae}, true};
  if (name == "bmse+bmae") return {{LossKind::mse, LossKind::mae}, true};
  throw ConfigError("train.loss: unknown loss '" + name +
                    "' (expected mse, mae, bce, bmse, bmae or bmse+bmae)");
}

double loss_forward(LossKind kind, const LossBatch& b) {
  const double denom = denominator(kind, b);
  if (denom <= 0.0) return 0.0;
  double sum = 0.0;
#pragma omp parallel for reduction(+ : sum)
  for (std::int64_t i = 0; i < b.n; ++i) {
    const double w = weight_at(b, i);
    if (w == 0.0) continue;
    const double p = b.pred[i], t = b.target[i];
    switch (kind) {
      case LossKind::mse:
        sum += w * (p - t) * (p - t);
        break;
      case LossKind::mae:
        sum += w * std::abs(p - t);
        break;
      case LossKind::bce: {
        const double q = clamp_prob(p);
        sum -= w * (t * std::log(q) + (1.0 - t) * std::log(1.0 - q));
        break;
      }
    }
  }
  return sum / denom;
}

void loss_backward(LossKind kind, const LossBatch& b, float scale, float* dpred) {
  const double denom = denominator(kind, b);
  if (denom <= 0.0) return;
  const double s = scale / denom;
#pragma omp parallel for
  for (std::int64_t i = 0; i < b.n; ++i) {
    const double w = weight_at(b, i);
    if (w == 0.0) continue;
    const double p = b.pred[i], t = b.target[i];
    double g = 0.0;
    switch (kind) {
      case LossKind::mse:
        g = 2.0 * (p - t);
        break;
      case LossKind::mae:
        g = p > t ? 1.0 : (p < t ? -1.0 : 0.0);
        break;
      case LossKind::bce: {
        const double q = clamp_prob(p);
        g = (q - t) / (q * (1.0 - q));
        break;
      }
    }
    dpred[i] += static_cast<float>(s * w * g);
  }
}

LossBatch BatchObjective::batch(const Batch& b, const float* pred) {
  LossBatch lb{pred, b.targets.data(), b.mask.data(), nullptr, b.targets.numel(), b.valid};
  if (objective.balanced) {
    weights.resize(static_cast<std::size_t>(b.targets.numel()));
    for (std::int64_t i = 0; i < b.targets.numel(); ++i) {
      float r = norm.inverse(b.targets[i]);
      if (quantity == "reflectivity") r = data::rain_rate_from_dbz(r, norm.zr_a, norm.zr_b);
      weights[i] = hko7_weight(r);
    }
    lb.weight = weights.data();
  }
  return lb;
}

double BatchObjective::value(const Batch& b, const float* pred) {
  const auto lb = batch(b, pred);
  double s = 0.0;
  for (auto k : objective.terms) s += loss_forward(k, lb);
  return s;
}

void BatchObjective::gradient(const Batch& b, const float* pred, float* dpred) {
  const auto lb = batch(b, pred);
  for (auto k : objective.terms) loss_backward(k, lb, 1.0f, dpred);
}

}  // namespace convlstm::train
