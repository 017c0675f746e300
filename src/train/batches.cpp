#include "train/batches.hpp"

#include <algorithm>
#include <cstring>

namespace convlstm::train {

BatchLoader::BatchLoader(const data::WindowReader& reader, std::int64_t batch, std::int64_t t_in,
                         std::int64_t t_out)
    : reader_(reader), b_(batch), t_in_(t_in), t_out_(t_out) {
  const std::int64_t c = reader.channels(), h = reader.height(), w = reader.width();
  batch_.inputs = Tensor(Shape{batch, t_in, c, h, w});
  batch_.targets = Tensor(Shape{batch, t_out, c, h, w});
  batch_.mask = Tensor(Shape{batch, t_out, c, h, w});
  frames_.resize(static_cast<std::size_t>((t_in + t_out) * reader.frame_size()));
  frame_mask_.resize(frames_.size());
}

Batch& BatchLoader::load(const std::int64_t* starts, std::int64_t n) {
  const std::int64_t fs = reader_.frame_size();
  batch_.valid = std::min(n, b_);
  for (std::int64_t b = 0; b < b_; ++b) {
    float* in = batch_.inputs.data() + b * t_in_ * fs;
    float* tg = batch_.targets.data() + b * t_out_ * fs;
    float* mk = batch_.mask.data() + b * t_out_ * fs;
    if (b >= batch_.valid) {  // padding: a copy of the first sequence, masked out of every loss
      std::memcpy(in, batch_.inputs.data(), sizeof(float) * t_in_ * fs);
      std::memcpy(tg, batch_.targets.data(), sizeof(float) * t_out_ * fs);
      std::fill(mk, mk + t_out_ * fs, 0.0f);
      continue;
    }
    reader_.read(starts[b], t_in_ + t_out_, frames_.data(), frame_mask_.data());
    std::memcpy(in, frames_.data(), sizeof(float) * t_in_ * fs);
    std::memcpy(tg, frames_.data() + t_in_ * fs, sizeof(float) * t_out_ * fs);
    std::memcpy(mk, frame_mask_.data() + t_in_ * fs, sizeof(float) * t_out_ * fs);
  }
  return batch_;
}

}  // namespace convlstm::train
