#include "eval/baselines.hpp"

namespace convlstm::eval {

void persistence_forecast(const float* inputs, const float* mask, std::int64_t t_in, std::int64_t t_out,
                          std::int64_t frame, float fill, float* out) {
  const float* last = inputs + (t_in - 1) * frame;
  const float* last_mask = mask + (t_in - 1) * frame;
  for (std::int64_t t = 0; t < t_out; ++t)
    for (std::int64_t i = 0; i < frame; ++i) out[t * frame + i] = last_mask[i] != 0.0f ? last[i] : fill;
}

}  // namespace convlstm::eval
