// Baseline forecasts a nowcaster must beat.
//   persistence: every lead time repeats the last input frame (unobserved pixels as `fill`: no rain).
#pragma once

#include <cstdint>

namespace convlstm::eval {

// inputs, mask (T_in, frame) -> out (T_out, frame).
void persistence_forecast(const float* inputs, const float* mask, std::int64_t t_in, std::int64_t t_out,
                          std::int64_t frame, float fill, float* out);

}  // namespace convlstm::eval
