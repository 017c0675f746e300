// One training step (docs/architecture.md "File formats"), the one the training loop and `convlstm bench`
// both run: the forward pass and the objective over this rank's shard of the batch, the objective's parts
// summed over the ranks, the backward pass, the gradients summed over the ranks, global-norm clipping and the
// optimizer's update. Each phase is timed. A non-finite loss, gradient norm or updated parameter throws a
// CollectiveError on every rank at once, naming the step (the last checkpoint stays intact).
#pragma once

#include <cstdint>
#include <optional>

#include "nn/parameters.hpp"
#include "tensor/tensor.hpp"
#include "train/batches.hpp"
#include "train/bptt.hpp"
#include "train/distributed.hpp"
#include "train/loss.hpp"
#include "train/optimizer.hpp"

namespace convlstm::train {

struct StepPhases {
  double forward = 0.0;    // forward pass and the objective's parts
  double reduce = 0.0;     // summing the parts and the gradients over the ranks
  double backward = 0.0;   // the objective's gradient and the backward pass
  double optimizer = 0.0;  // gradient norm, clipping, update
};

struct StepOutcome {
  double loss = 0.0;       // the objective over the whole (global) batch
  double grad_norm = 0.0;  // of the summed gradient, before clipping
  StepPhases phases;
};

class TrainStep {
 public:
  // The step's prediction buffers have the shape of `net`'s output.
  TrainStep(Bptt& net, BatchObjective& objective, Optimizer& optimizer, Communicator& comm,
            std::optional<double> clip_grad_norm);

  // Forward, objective, backward: `grads` is set to the gradient of the global batch's objective.
  // `step` (0-based) names the step in errors.
  StepOutcome gradients(const nn::ParameterTable& params, nn::ParameterTable& grads, const Batch& batch,
                        std::int64_t step);
  // Clips `grads` (whose norm `gradients` returned) and updates `params` with learning rate `lr`; adds its
  // time to out.phases.optimizer.
  void update(nn::ParameterTable& params, nn::ParameterTable& grads, double lr, std::int64_t step,
              StepOutcome& out);
  // Both halves: one optimizer step.
  StepOutcome run(nn::ParameterTable& params, nn::ParameterTable& grads, const Batch& batch, double lr,
                  std::int64_t step);

  const Tensor& prediction() const { return pred_; }

 private:
  Bptt& net_;
  BatchObjective& objective_;
  Optimizer& optimizer_;
  Communicator& comm_;
  std::optional<double> clip_;
  Tensor pred_, dpred_;
};

}  // namespace convlstm::train
