#include "train/batches.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

#include "core/error.hpp"

namespace convlstm::train {

double wet_share(const float* values, const float* mask, std::int64_t n, std::int64_t c, std::int64_t h,
                 std::int64_t w, std::int64_t y0, std::int64_t x0, std::int64_t ch, std::int64_t cw,
                 float level) {
  std::int64_t observed = 0, wet = 0;
  for (std::int64_t p = 0; p < n * c; ++p)
    for (std::int64_t y = y0; y < y0 + ch; ++y) {
      const std::int64_t row = (p * h + y) * w;
      for (std::int64_t x = x0; x < x0 + cw; ++x) {
        const bool seen = mask[row + x] != 0.0f;
        observed += seen;
        wet += seen && values[row + x] >= level;
      }
    }
  return observed > 0 ? static_cast<double>(wet) / static_cast<double>(observed) : 0.0;
}

CropPlace draw_crop(const RandomCrop& crop, std::int64_t epoch, std::int64_t start, const float* values,
                    const float* mask, std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w) {
  const auto e = static_cast<std::uint64_t>(epoch), s = static_cast<std::uint64_t>(start);
  std::seed_seq seq{static_cast<std::uint32_t>(crop.seed),
                    static_cast<std::uint32_t>(crop.seed >> 32),
                    static_cast<std::uint32_t>(e),
                    static_cast<std::uint32_t>(e >> 32),
                    static_cast<std::uint32_t>(s),
                    static_cast<std::uint32_t>(s >> 32),
                    0xc409u};
  std::mt19937_64 engine(seq);
  const auto ny = static_cast<std::uint64_t>(h - crop.height + 1),
             nx = static_cast<std::uint64_t>(w - crop.width + 1);
  CropPlace best{0, 0, -1.0};
  for (int i = 0; i < kCropTries; ++i) {
    CropPlace p;
    p.y0 = static_cast<std::int64_t>(engine() % ny);
    p.x0 = static_cast<std::int64_t>(engine() % nx);
    // Without a wet requirement the first draw is taken and the window's pixels need not be counted.
    if (crop.min_wet <= 0.0) return p;
    p.wet = wet_share(values, mask, n, c, h, w, p.y0, p.x0, crop.height, crop.width, crop.wet_level);
    if (p.wet > best.wet) best = p;
    if (p.wet >= crop.min_wet) return p;
  }
  return best;
}

namespace {

// The (y0, x0, ch, cw) region of `planes` planes of h x w into planes of ch x cw.
void copy_region(const float* src, std::int64_t planes, std::int64_t h, std::int64_t w, std::int64_t y0,
                 std::int64_t x0, std::int64_t ch, std::int64_t cw, float* dst) {
  for (std::int64_t p = 0; p < planes; ++p)
    for (std::int64_t y = 0; y < ch; ++y)
      std::memcpy(dst + (p * ch + y) * cw, src + (p * h + y0 + y) * w + x0, sizeof(float) * cw);
}

}  // namespace

BatchLoader::BatchLoader(const data::WindowReader& reader, std::int64_t batch, std::int64_t t_in,
                         std::int64_t t_out, std::unique_ptr<motion::Extrapolator> extrapolator,
                         std::optional<RandomCrop> crop, bool gaps)
    : reader_(reader),
      b_(batch),
      t_in_(t_in),
      t_out_(t_out),
      ch_(crop ? crop->height : reader.height()),
      cw_(crop ? crop->width : reader.width()),
      crop_(crop),
      extrapolator_(std::move(extrapolator)),
      gaps_(gaps) {
  CONVLSTM_CHECK(extrapolator_ || !gaps, "gaps without an extrapolator");
  const std::int64_t c = reader.channels(), h = reader.height(), w = reader.width();
  CONVLSTM_CHECK(ch_ >= 1 && cw_ >= 1 && ch_ <= h && cw_ <= w, "random crop larger than the frames");
  batch_.inputs = Tensor(Shape{batch, t_in, c, ch_, cw_});
  batch_.targets = Tensor(Shape{batch, t_out, c, ch_, cw_});
  batch_.mask = Tensor(Shape{batch, t_out, c, ch_, cw_});
  frames_.resize(static_cast<std::size_t>((t_in + t_out) * reader.frame_size()));
  frame_mask_.resize(frames_.size());
  if (extrapolator_) {
    const auto& f = extrapolator_->frames();
    CONVLSTM_CHECK(
        f.t_in == t_in && extrapolator_->t_out() == t_out && f.channels == c && f.height == h && f.width == w,
        "extrapolator shape does not fit the frames");
    batch_.extrapolation = Tensor(batch_.targets.shape());
    if (gaps_) batch_.gaps = Tensor(batch_.targets.shape());
    scratch_.resize(static_cast<std::size_t>(extrapolator_->output_size() * (gaps_ ? 2 : 1)));
  }
}

const float* BatchLoader::extrapolation_of(std::int64_t start) {
  const auto it = cache_.find(start);
  if (it != cache_.end()) {
    ++reused_;
    return it->second.data();
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::int64_t n = extrapolator_->output_size() * (gaps_ ? 2 : 1);  // the gaps follow the values
  const bool keep = static_cast<std::int64_t>(cache_.size() + 1) * n * 4 <= kExtrapolationCacheBytes;
  float* out =
      keep ? cache_.emplace(start, std::vector<float>(static_cast<std::size_t>(n))).first->second.data()
           : scratch_.data();
  extrapolator_->run(frames_.data(), frame_mask_.data(), out,
                     gaps_ ? out + extrapolator_->output_size() : nullptr);
  extrapolation_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ++computed_;
  return out;
}

void BatchLoader::read_window(std::int64_t start) {
  const std::int64_t fs = reader_.frame_size(), n = t_in_ + t_out_;
  const bool room = static_cast<std::int64_t>(frame_cache_.size() + 1) * fs * 8 <= kFrameCacheBytes;
  if (!room) {
    reader_.read(start, n, frames_.data(), frame_mask_.data());
    return;
  }
  for (std::int64_t t = 0; t < n; ++t) {
    auto it = frame_cache_.find(start + t);
    if (it == frame_cache_.end()) {
      std::vector<float> f(static_cast<std::size_t>(2 * fs));
      reader_.read(start + t, 1, f.data(), f.data() + fs);
      it = frame_cache_.emplace(start + t, std::move(f)).first;
    }
    std::memcpy(frames_.data() + t * fs, it->second.data(), sizeof(float) * fs);
    std::memcpy(frame_mask_.data() + t * fs, it->second.data() + fs, sizeof(float) * fs);
  }
}

Batch& BatchLoader::load(const std::int64_t* starts, std::int64_t n, std::int64_t epoch) {
  const std::int64_t fs = frame_size(), c = reader_.channels(), h = reader_.height(), w = reader_.width();
  batch_.valid = std::min(n, b_);
  for (std::int64_t b = 0; b < b_; ++b) {
    float* in = batch_.inputs.data() + b * t_in_ * fs;
    float* tg = batch_.targets.data() + b * t_out_ * fs;
    float* mk = batch_.mask.data() + b * t_out_ * fs;
    float* ex = extrapolator_ ? batch_.extrapolation.data() + b * t_out_ * fs : nullptr;
    float* gp = gaps_ ? batch_.gaps.data() + b * t_out_ * fs : nullptr;
    if (b >= batch_.valid) {  // padding: a copy of the first sequence, masked out of every loss
      std::memcpy(in, batch_.inputs.data(), sizeof(float) * t_in_ * fs);
      std::memcpy(tg, batch_.targets.data(), sizeof(float) * t_out_ * fs);
      std::fill(mk, mk + t_out_ * fs, 0.0f);
      if (ex) std::memcpy(ex, batch_.extrapolation.data(), sizeof(float) * t_out_ * fs);
      if (gp) std::memcpy(gp, batch_.gaps.data(), sizeof(float) * t_out_ * fs);
      continue;
    }
    read_window(starts[b]);
    CropPlace at;
    if (crop_) {
      at = draw_crop(*crop_, epoch, starts[b], frames_.data(), frame_mask_.data(), t_in_ + t_out_, c, h, w);
      if (at.wet < 0.0 || crop_->min_wet <= 0.0)
        at.wet = wet_share(frames_.data(), frame_mask_.data(), t_in_ + t_out_, c, h, w, at.y0, at.x0, ch_,
                           cw_, crop_->wet_level);
      crop_wet_ += at.wet;
      window_wet_ += wet_share(frames_.data(), frame_mask_.data(), t_in_ + t_out_, c, h, w, 0, 0, h, w,
                               crop_->wet_level);
      ++crops_;
    }
    const std::int64_t in_frames = t_in_ * c, out_frames = t_out_ * c, whole = reader_.frame_size();
    copy_region(frames_.data(), in_frames, h, w, at.y0, at.x0, ch_, cw_, in);
    copy_region(frames_.data() + t_in_ * whole, out_frames, h, w, at.y0, at.x0, ch_, cw_, tg);
    copy_region(frame_mask_.data() + t_in_ * whole, out_frames, h, w, at.y0, at.x0, ch_, cw_, mk);
    if (ex) {
      const float* e = extrapolation_of(starts[b]);
      copy_region(e, out_frames, h, w, at.y0, at.x0, ch_, cw_, ex);
      if (gp) copy_region(e + extrapolator_->output_size(), out_frames, h, w, at.y0, at.x0, ch_, cw_, gp);
    }
  }
  return batch_;
}

}  // namespace convlstm::train
