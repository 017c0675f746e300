#include "train/members.hpp"

#include <algorithm>

#include "nn/noise.hpp"

namespace convlstm::train {

namespace {

// (B, ...) -> (B M, ...): row b copied to rows b M .. b M + M - 1.
void repeat_rows(const Tensor& in, std::int64_t m, Tensor& out) {
  if (!in.data()) {  // absent (the loader does not extrapolate)
    out = Tensor();
    return;
  }
  Shape shape = in.shape();
  const std::int64_t rows = shape.dims[0], row = in.numel() / rows;
  shape.dims[0] = rows * m;
  if (out.shape() != shape) out = Tensor(shape);
  for (std::int64_t b = 0; b < rows; ++b)
    for (std::int64_t k = 0; k < m; ++k)
      std::copy_n(in.data() + b * row, row, out.data() + (b * m + k) * row);
}

}  // namespace

Members::Members(const nn::ModelSpec& spec, std::int64_t members, std::uint64_t seed)
    : spec_(spec), m_(members), seed_(seed) {}

const Batch& Members::expand(const Batch& in, std::int64_t step, std::int64_t first_sequence) {
  if (!active()) return in;
  for (auto [src, dst] : {std::pair{&in.inputs, &out_.inputs}, std::pair{&in.targets, &out_.targets},
                          std::pair{&in.mask, &out_.mask}, std::pair{&in.extrapolation, &out_.extrapolation},
                          std::pair{&in.gaps, &out_.gaps}})
    repeat_rows(*src, m_, *dst);
  out_.valid = in.valid;
  if (spec_.stochastic()) {
    const auto& d = in.inputs.shape().dims;
    const std::int64_t rows = d[0] * m_, h = d[3], w = d[4], plane = spec_.noise.channels * h * w;
    const Shape shape{rows, spec_.noise.channels, h, w};
    if (out_.noise.shape() != shape) out_.noise = Tensor(shape);
    for (std::int64_t r = 0; r < rows; ++r)
      nn::draw_noise(spec_.noise, h, w, nn::noise_key(seed_, step, first_sequence + r / m_, r % m_),
                     out_.noise.data() + r * plane);
  }
  return out_;
}

}  // namespace convlstm::train
