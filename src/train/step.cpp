#include "train/step.hpp"

#include <chrono>
#include <cmath>
#include <string>

namespace convlstm::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

CollectiveError non_finite(std::int64_t step, const std::string& what, const char* advice) {
  return CollectiveError("step " + std::to_string(step + 1) + ": " + what +
                             "; stopped, the last checkpoint is intact (" + advice + ")",
                         false);
}

}  // namespace

TrainStep::TrainStep(Bptt& net, BatchObjective& objective, Optimizer& optimizer, Communicator& comm,
                     std::optional<double> clip_grad_norm)
    : net_(net),
      objective_(objective),
      optimizer_(optimizer),
      comm_(comm),
      clip_(clip_grad_norm),
      pred_(net.output_shape()),
      dpred_(net.output_shape()) {}

StepOutcome TrainStep::gradients(const nn::ParameterTable& params, nn::ParameterTable& grads,
                                 const Batch& batch, std::int64_t step) {
  StepOutcome out;
  auto t0 = Clock::now();
  LossParts parts;
  // An error on one rank (a NaN guard, a oneDNN failure) stops every rank.
  comm_.agree([&] {
    net_.forward(params.model, batch.inputs.data(), pred_.data(), batch.extrapolation.data(),
                 batch.gaps.data(), batch.noise.data());
    parts = objective_.parts(batch, pred_.data());
  });
  out.phases.forward = seconds_since(t0);
  const double reduced = comm_.reduce_seconds();
  comm_.sum(parts.values.data(), parts.values.size());
  out.loss = parts.value();
  if (!std::isfinite(out.loss))
    throw non_finite(step, "the training loss is " + std::to_string(out.loss),
                     "lower train.optimizer.lr or set train.clip_grad_norm");
  t0 = Clock::now();
  grads.zero();
  dpred_.zero();
  objective_.gradient(batch, pred_.data(), dpred_.data(), parts);
  net_.backward(dpred_.data(), grads.model);
  out.phases.backward = seconds_since(t0);
  comm_.sum(grads.flat().data, static_cast<std::size_t>(grads.flat().numel()));
  out.phases.reduce = comm_.reduce_seconds() - reduced;
  t0 = Clock::now();
  out.grad_norm = global_norm(grads.flat());
  out.phases.optimizer = seconds_since(t0);
  if (!std::isfinite(out.grad_norm))
    throw non_finite(step, "the gradient norm is not finite",
                     "set train.clip_grad_norm or lower train.optimizer.lr");
  return out;
}

void TrainStep::update(nn::ParameterTable& params, nn::ParameterTable& grads, double lr, std::int64_t step,
                       StepOutcome& out) {
  const auto t0 = Clock::now();
  if (clip_) clip_to_norm(grads.flat(), out.grad_norm, *clip_);
  optimizer_.step(params, grads, lr);
  // The fused gate math is compiled with fast-math (finite-math-only: 5-8x faster, measured), where a NaN or
  // Inf weight need not reach the loss; so the parameters themselves are checked after every update.
  const bool finite = std::isfinite(global_norm(params.flat()));
  out.phases.optimizer += seconds_since(t0);
  if (!finite)
    throw non_finite(step, "the update made parameters non-finite",
                     "lower train.optimizer.lr or set train.clip_grad_norm");
}

StepOutcome TrainStep::run(nn::ParameterTable& params, nn::ParameterTable& grads, const Batch& batch,
                           double lr, std::int64_t step) {
  StepOutcome out = gradients(params, grads, batch, step);
  update(params, grads, lr, step, out);
  return out;
}

}  // namespace convlstm::train
