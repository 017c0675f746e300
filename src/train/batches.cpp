#include "train/batches.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/error.hpp"

namespace convlstm::train {

std::unique_ptr<motion::Extrapolator> make_extrapolator(const nn::ModelSpec& spec, std::int64_t t_in,
                                                        std::int64_t t_out, const data::Normalizer& norm,
                                                        const std::string& quantity,
                                                        const std::string& flow_method) {
  if (!spec.needs_extrapolation()) return nullptr;
  return std::make_unique<motion::Extrapolator>(
      motion::FlowFrames{t_in, spec.channels, spec.height, spec.width}, t_out, norm, quantity,
      motion::parse_flow_method(flow_method));
}

BatchLoader::BatchLoader(const data::WindowReader& reader, std::int64_t batch, std::int64_t t_in,
                         std::int64_t t_out, std::unique_ptr<motion::Extrapolator> extrapolator)
    : reader_(reader), b_(batch), t_in_(t_in), t_out_(t_out), extrapolator_(std::move(extrapolator)) {
  const std::int64_t c = reader.channels(), h = reader.height(), w = reader.width();
  batch_.inputs = Tensor(Shape{batch, t_in, c, h, w});
  batch_.targets = Tensor(Shape{batch, t_out, c, h, w});
  batch_.mask = Tensor(Shape{batch, t_out, c, h, w});
  frames_.resize(static_cast<std::size_t>((t_in + t_out) * reader.frame_size()));
  frame_mask_.resize(frames_.size());
  if (extrapolator_) {
    const auto& f = extrapolator_->frames();
    CONVLSTM_CHECK(
        f.t_in == t_in && extrapolator_->t_out() == t_out && f.channels == c && f.height == h && f.width == w,
        "extrapolator shape does not fit the batches");
    batch_.extrapolation = Tensor(batch_.targets.shape());
    scratch_.resize(static_cast<std::size_t>(extrapolator_->output_size()));
  }
}

const float* BatchLoader::extrapolation_of(std::int64_t start) {
  const auto it = cache_.find(start);
  if (it != cache_.end()) {
    ++reused_;
    return it->second.data();
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::int64_t n = extrapolator_->output_size();
  const bool keep = static_cast<std::int64_t>(cache_.size() + 1) * n * 4 <= kExtrapolationCacheBytes;
  float* out =
      keep ? cache_.emplace(start, std::vector<float>(static_cast<std::size_t>(n))).first->second.data()
           : scratch_.data();
  extrapolator_->run(frames_.data(), frame_mask_.data(), out);
  extrapolation_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ++computed_;
  return out;
}

Batch& BatchLoader::load(const std::int64_t* starts, std::int64_t n) {
  const std::int64_t fs = reader_.frame_size();
  batch_.valid = std::min(n, b_);
  for (std::int64_t b = 0; b < b_; ++b) {
    float* in = batch_.inputs.data() + b * t_in_ * fs;
    float* tg = batch_.targets.data() + b * t_out_ * fs;
    float* mk = batch_.mask.data() + b * t_out_ * fs;
    float* ex = extrapolator_ ? batch_.extrapolation.data() + b * t_out_ * fs : nullptr;
    if (b >= batch_.valid) {  // padding: a copy of the first sequence, masked out of every loss
      std::memcpy(in, batch_.inputs.data(), sizeof(float) * t_in_ * fs);
      std::memcpy(tg, batch_.targets.data(), sizeof(float) * t_out_ * fs);
      std::fill(mk, mk + t_out_ * fs, 0.0f);
      if (ex) std::memcpy(ex, batch_.extrapolation.data(), sizeof(float) * t_out_ * fs);
      continue;
    }
    reader_.read(starts[b], t_in_ + t_out_, frames_.data(), frame_mask_.data());
    std::memcpy(in, frames_.data(), sizeof(float) * t_in_ * fs);
    std::memcpy(tg, frames_.data() + t_in_ * fs, sizeof(float) * t_out_ * fs);
    std::memcpy(mk, frame_mask_.data() + t_in_ * fs, sizeof(float) * t_out_ * fs);
    if (ex) std::memcpy(ex, extrapolation_of(starts[b]), sizeof(float) * t_out_ * fs);
  }
  return batch_;
}

}  // namespace convlstm::train
