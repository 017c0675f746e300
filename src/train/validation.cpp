#include "train/validation.hpp"

#include <algorithm>

#include "nn/noise.hpp"

namespace convlstm::train {

ValidationScore validate(Bptt& net, const nn::ParameterTable& params, BatchLoader& loader,
                         const std::vector<data::WindowRef>& windows, BatchObjective& objective,
                         Communicator& comm, const Shard& shard, std::int64_t global_batch,
                         std::optional<std::int64_t> max_batches, Tensor& pred, Tensor& persistence,
                         Members& members) {
  const std::int64_t B = global_batch, b_local = shard.size();
  const std::int64_t n = static_cast<std::int64_t>(windows.size());
  const std::int64_t t_out = pred.shape().dims[1];
  std::int64_t batches = (n + B - 1) / B;
  if (max_batches) batches = std::min(batches, *max_batches);
  const std::int64_t fs = loader.frame_size();
  const std::size_t terms = objective.objective.terms.size(), row = 4 * terms + 1;
  std::vector<double> parts(static_cast<std::size_t>(batches) * row, 0.0);  // model, persistence, valid
  comm.agree([&] {
    for (std::int64_t i = 0; i < batches; ++i) {
      const std::int64_t first = i * B + shard.begin;
      const std::int64_t count = std::clamp<std::int64_t>(n - first, 0, b_local);
      if (count == 0) continue;
      const auto& batch =
          members.expand(loader.load(windows.data() + first, count), nn::kValidationNoiseStep, first);
      const std::int64_t t_in = batch.inputs.shape().dims[1], rows = batch.inputs.shape().dims[0];
      net.forward(params.model, batch.inputs.data(), pred.data(), batch.extrapolation.data(),
                  batch.gaps.data(), batch.noise.data());
      for (std::int64_t b = 0; b < rows; ++b)
        for (std::int64_t t = 0; t < t_out; ++t)
          std::copy_n(batch.inputs.data() + (b * t_in + t_in - 1) * fs, fs,
                      persistence.data() + (b * t_out + t) * fs);
      const auto model = objective.parts(batch, pred.data());
      const auto pers = objective.parts(batch, persistence.data());
      double* r = parts.data() + i * row;
      std::copy(model.values.begin(), model.values.end(), r);
      std::copy(pers.values.begin(), pers.values.end(), r + 2 * terms);
      r[4 * terms] = static_cast<double>(batch.valid);
    }
  });
  comm.sum(parts.data(), parts.size());
  double model_sum = 0.0, pers_sum = 0.0, seqs = 0.0;
  for (std::int64_t i = 0; i < batches; ++i) {
    const double* r = parts.data() + i * row;
    const double valid = r[4 * terms];
    model_sum += LossParts{{r, r + 2 * terms}}.value() * valid;
    pers_sum += LossParts{{r + 2 * terms, r + 4 * terms}}.value() * valid;
    seqs += valid;
  }
  return {seqs > 0 ? model_sum / seqs : 0.0, seqs > 0 ? pers_sum / seqs : 0.0};
}

}  // namespace convlstm::train
