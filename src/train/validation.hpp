// Validation (docs/architecture.md "File formats"): the mean objective of the model and of persistence (the
// last input frame, repeated) over the validation windows, in global batches of B sequences, each rank
// loading its shard of each batch; each batch's loss is that of the whole batch, whatever the number of
// ranks.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "nn/parameters.hpp"
#include "tensor/tensor.hpp"
#include "train/batches.hpp"
#include "train/bptt.hpp"
#include "train/distributed.hpp"
#include "train/loss.hpp"
#include "train/members.hpp"

namespace convlstm::train {

struct ValidationScore {
  double model = 0.0;
  double persistence = 0.0;
};

// max_batches: train.val_batches (at most that many global batches), or all. pred and persistence: scratch of
// the net's output shape. members: the members each sequence runs as (a stochastic model's noise drawn for
// nn::kValidationNoiseStep, so every validation sees the same members).
ValidationScore validate(Bptt& net, const nn::ParameterTable& params, BatchLoader& loader,
                         const std::vector<data::WindowRef>& windows, BatchObjective& objective,
                         Communicator& comm, const Shard& shard, std::int64_t global_batch,
                         std::optional<std::int64_t> max_batches, Tensor& pred, Tensor& persistence,
                         Members& members);

}  // namespace convlstm::train
