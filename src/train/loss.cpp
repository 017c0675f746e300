#include "train/loss.hpp"

#include <algorithm>
#include <cmath>

#include "core/enum_names.hpp"
#include "core/error.hpp"
#include "data/units.hpp"

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

inline double weight_at(const LossBatch& b, std::int64_t i) {
  const double m = b.mask ? (b.mask[i] != 0.0f ? 1.0 : 0.0) : 1.0;
  return b.weight ? m * b.weight[i] : m;
}

inline double clamp_prob(double p) {
  return std::min(std::max(p, kProbEps), 1.0 - kProbEps);
}

// The fair CRPS of the members' pixels (LossBatch::members rows per sequence), weighted by member 0's.
double crps_sum(const LossBatch& b) {
  const std::int64_t M = b.members, rows = b.sequences * M, p = b.n / rows;
  const double pair = 1.0 / (2.0 * M * (M - 1));
  double sum = 0.0;
#pragma omp parallel for reduction(+ : sum)
  for (std::int64_t sj = 0; sj < b.sequences * p; ++sj) {
    const std::int64_t s = sj / p, j = sj % p, i0 = s * M * p + j;
    const double w = weight_at(b, i0);
    if (w == 0.0) continue;
    const double t = b.target[i0];
    double abs = 0.0, spread = 0.0;
    for (std::int64_t m = 0; m < M; ++m) {
      const double x = b.pred[i0 + m * p];
      abs += std::abs(x - t);
      for (std::int64_t k = m + 1; k < M; ++k) spread += std::abs(x - b.pred[i0 + k * p]);
    }
    sum += w * (abs / static_cast<double>(M) - 2.0 * pair * spread);
  }
  return sum;
}

void crps_backward(const LossBatch& b, double scale, float* dpred) {
  const std::int64_t M = b.members, rows = b.sequences * M, p = b.n / rows;
  const double pair = 1.0 / (static_cast<double>(M) * (M - 1));
  const auto sgn = [](double v) { return v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0); };
#pragma omp parallel for
  for (std::int64_t sj = 0; sj < b.sequences * p; ++sj) {
    const std::int64_t s = sj / p, j = sj % p, i0 = s * M * p + j;
    const double w = weight_at(b, i0);
    if (w == 0.0) continue;
    const double t = b.target[i0];
    for (std::int64_t m = 0; m < M; ++m) {
      const double x = b.pred[i0 + m * p];
      double g = sgn(x - t) / static_cast<double>(M);
      for (std::int64_t k = 0; k < M; ++k)
        if (k != m) g -= pair * sgn(x - b.pred[i0 + k * p]);
      dpred[i0 + m * p] += static_cast<float>(scale * w * g);
    }
  }
}

}  // namespace

namespace {

constexpr EnumName<LossKind> kLossKinds[] = {
    {LossKind::mse, "mse"}, {LossKind::mae, "mae"}, {LossKind::bce, "bce"}, {LossKind::crps, "crps"}};

}  // namespace

LossKind parse_loss_kind(const std::string& name) {
  if (const auto k = value_of(kLossKinds, name)) return *k;
  throw ConfigError("unknown loss '" + name + "' (expected " + one_of(names_of(kLossKinds)) + ")");
}

std::string to_string(LossKind kind) {
  return name_of(kLossKinds, kind);
}

Objective parse_objective(const std::string& name, const std::string& balance,
                          const std::string& lead_weights, std::int64_t members) {
  Objective o;
  if (name == "mse" || name == "mae" || name == "bce" || name == "crps")
    o.terms = {parse_loss_kind(name)};
  else if (name == "bcrps")
    o.terms = {LossKind::crps};
  else if (name == "bmse")
    o.terms = {LossKind::mse};
  else if (name == "bmae")
    o.terms = {LossKind::mae};
  else if (name == "bmse+bmae")
    o.terms = {LossKind::mse, LossKind::mae};
  else
    throw ConfigError("train.loss: unknown loss '" + name +
                      "' (expected mse, mae, bce, bmse, bmae, bmse+bmae, crps or bcrps)");
  o.balanced = name.front() == 'b' && name != "bce";
  const bool crps = o.terms.front() == LossKind::crps;
  if (crps && members < 2)
    throw ConfigError("train.members: train.loss " + name + " needs at least 2 members, not " +
                      std::to_string(members));
  if (!crps && members != 1)
    throw ConfigError("train.members: " + std::to_string(members) + " members need train.loss crps or bcrps");
  o.members = members;
  if (balance != "observed" && balance != "max")
    throw ConfigError("train.balance: unknown '" + balance + "' (expected observed or max)");
  if (balance == "max" && crps)
    throw ConfigError("train.balance: max weighs each forecast on its own; " + name +
                      " weighs a pixel's members alike (use observed)");
  if (balance == "max" && !o.balanced)
    throw ConfigError("train.balance: max applies to the balanced losses only, not to " + name);
  o.weigh_forecast = balance == "max";
  if (lead_weights != "uniform" && lead_weights != "inverse")
    throw ConfigError("train.lead_weights: unknown '" + lead_weights + "' (expected uniform or inverse)");
  o.inverse_lead = lead_weights == "inverse";
  return o;
}

float lead_weight(const Objective& objective, std::int64_t t, std::int64_t leads) {
  if (!objective.inverse_lead) return 1.0f;
  double harmonic = 0.0;
  for (std::int64_t s = 1; s <= leads; ++s) harmonic += 1.0 / static_cast<double>(s);
  return static_cast<float>(static_cast<double>(leads) / (static_cast<double>(t) * harmonic));
}

double loss_normaliser(LossKind kind, const LossBatch& b) {
  if (kind == LossKind::crps) return observed(b) / static_cast<double>(b.members);
  return kind == LossKind::bce ? static_cast<double>(b.sequences) : observed(b);
}

double loss_forward(LossKind kind, const LossBatch& b) {
  const double norm = loss_normaliser(kind, b);
  return norm > 0.0 ? loss_sum(kind, b) / norm : 0.0;
}

double loss_sum(LossKind kind, const LossBatch& b) {
  if (kind == LossKind::crps) return crps_sum(b);
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
      case LossKind::crps:
        break;  // crps_sum
    }
  }
  return sum;
}

void loss_backward(LossKind kind, const LossBatch& b, float scale, float* dpred) {
  loss_backward(kind, b, scale, dpred, loss_normaliser(kind, b));
}

void loss_backward(LossKind kind, const LossBatch& b, float scale, float* dpred, double normaliser) {
  if (normaliser <= 0.0) return;
  const double s = scale / normaliser;
  if (kind == LossKind::crps) return crps_backward(b, s, dpred);
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
      case LossKind::crps:
        break;  // crps_backward
    }
    dpred[i] += static_cast<float>(s * w * g);
  }
}

LossBatch BatchObjective::batch(const Batch& b, const float* pred) {
  LossBatch lb{pred, b.targets.data(), b.mask.data(), nullptr, b.targets.numel(), b.valid, 1};
  if (objective.members > 1) {  // rows are sequences x members (train/members.hpp)
    lb.members = objective.members;
    lb.sequences = b.targets.shape()[0] / objective.members;
  }
  if (!objective.balanced && !objective.inverse_lead) return lb;
  const bool reflectivity = quantity == data::Quantity::reflectivity;
  const auto rate = [&](float normalised) {
    const float v = norm.inverse(normalised);
    return reflectivity ? data::rain_rate_from_dbz(v, norm.zr_a, norm.zr_b) : v;
  };
  // (B, T_out, C, H, W): element i is of lead (i / frame) % T_out.
  const std::int64_t leads = b.targets.shape()[1];
  const std::int64_t frame = b.targets.numel() / (b.targets.shape()[0] * leads);
  if (static_cast<std::int64_t>(per_lead.size()) != leads) {
    per_lead.resize(static_cast<std::size_t>(leads));
    for (std::int64_t t = 0; t < leads; ++t) per_lead[t] = lead_weight(objective, t + 1, leads);
  }
  weights.resize(static_cast<std::size_t>(b.targets.numel()));
  // Element by element (no reduction), so the weights do not depend on the thread count.
#pragma omp parallel for
  for (std::int64_t i = 0; i < b.targets.numel(); ++i) {
    float w = per_lead[(i / frame) % leads];
    if (objective.balanced) {
      float r = rate(b.targets[i]);
      if (objective.weigh_forecast) r = std::max(r, rate(pred[i]));
      w *= data::hko7_weight(r);
    }
    weights[i] = w;
  }
  lb.weight = weights.data();
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

LossParts BatchObjective::parts(const Batch& b, const float* pred) {
  const auto lb = batch(b, pred);
  const std::size_t n = objective.terms.size();
  LossParts p{std::vector<double>(2 * n)};
  for (std::size_t k = 0; k < n; ++k) {
    p.values[k] = loss_sum(objective.terms[k], lb);
    p.values[n + k] = loss_normaliser(objective.terms[k], lb);
  }
  return p;
}

void BatchObjective::gradient(const Batch& b, const float* pred, float* dpred, const LossParts& total) {
  const auto lb = batch(b, pred);
  const std::size_t n = objective.terms.size();
  for (std::size_t k = 0; k < n; ++k) loss_backward(objective.terms[k], lb, 1.0f, dpred, total.values[n + k]);
}

double LossParts::value() const {
  const std::size_t n = values.size() / 2;
  double v = 0.0;
  for (std::size_t k = 0; k < n; ++k)
    if (values[n + k] > 0.0) v += values[k] / values[n + k];
  return v;
}

}  // namespace convlstm::train
