#include "cascade/sprog.hpp"

namespace convlstm::cascade {

void Sprog::forecast(const float* inputs, const float* mask, std::int64_t t_in,
                     const std::vector<float>& motion, std::int64_t t_out, float* out) {
  auto start = core_.prepare(inputs, mask, t_in, motion);
  ar_ = start.ar;
  const std::int64_t plane = core_.height() * core_.width();
  for (std::int64_t lead = 1; lead <= t_out; ++lead)
    core_.step(start, start.cur, start.prev, nullptr, motion, lead, out + (lead - 1) * plane);
}

}  // namespace convlstm::cascade
