#include "train/batches.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

#include "core/error.hpp"
#include "core/sysinfo.hpp"

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

std::int64_t extrapolation_cache_bytes() {
  constexpr std::int64_t gib = std::int64_t{1} << 30;
  const auto quarter = static_cast<std::int64_t>(physical_memory_bytes() / 4);
  return std::clamp(quarter, gib, 8 * gib);
}

BatchLoader::BatchLoader(std::vector<LoaderSource> sources, std::int64_t batch, std::int64_t t_in,
                         std::int64_t t_out, std::optional<RandomCrop> crop, bool gaps)
    : sources_(std::move(sources)), b_(batch), t_in_(t_in), t_out_(t_out), crop_(crop), gaps_(gaps) {
  CONVLSTM_CHECK(!sources_.empty(), "a batch loader without data");
  const auto& first = *sources_[0].reader;
  channels_ = first.channels();
  ch_ = crop ? crop->height : first.height();
  cw_ = crop ? crop->width : first.width();
  extrapolates_ = sources_[0].extrapolator != nullptr;
  CONVLSTM_CHECK(extrapolates_ || !gaps, "gaps without an extrapolator");
  std::int64_t largest = 0;
  for (const auto& src : sources_) {
    const auto& r = *src.reader;
    CONVLSTM_CHECK(r.channels() == channels_, "sources of different channels");
    CONVLSTM_CHECK(ch_ >= 1 && cw_ >= 1 && ch_ <= r.height() && cw_ <= r.width(),
                   "random crop larger than the frames");
    CONVLSTM_CHECK(crop || (r.height() == ch_ && r.width() == cw_), "sources of different frame sizes");
    CONVLSTM_CHECK((src.extrapolator != nullptr) == extrapolates_, "a base nowcast for some sources only");
    if (src.extrapolator) {
      const auto& f = src.extrapolator->frames();
      CONVLSTM_CHECK(f.t_in == t_in && src.extrapolator->t_out() == t_out && f.channels == channels_ &&
                         f.height == r.height() && f.width == r.width(),
                     "extrapolator shape does not fit the frames");
    }
    largest = std::max(largest, r.frame_size());
  }
  batch_.inputs = Tensor(Shape{batch, t_in, channels_, ch_, cw_});
  batch_.targets = Tensor(Shape{batch, t_out, channels_, ch_, cw_});
  batch_.mask = Tensor(Shape{batch, t_out, channels_, ch_, cw_});
  frames_.resize(static_cast<std::size_t>((t_in + t_out) * largest));
  frame_mask_.resize(frames_.size());
  if (extrapolates_) {
    batch_.extrapolation = Tensor(batch_.targets.shape());
    if (gaps_) batch_.gaps = Tensor(batch_.targets.shape());
    scratch_.resize(static_cast<std::size_t>(t_out * largest * (gaps_ ? 2 : 1)));
  }
}

namespace {

std::vector<LoaderSource> one_source(const data::WindowReader& reader,
                                     std::unique_ptr<motion::Extrapolator> extrapolator) {
  std::vector<LoaderSource> v;
  v.push_back({&reader, std::move(extrapolator)});
  return v;
}

}  // namespace

BatchLoader::BatchLoader(const data::WindowReader& reader, std::int64_t batch, std::int64_t t_in,
                         std::int64_t t_out, std::unique_ptr<motion::Extrapolator> extrapolator,
                         std::optional<RandomCrop> crop, bool gaps)
    : BatchLoader(one_source(reader, std::move(extrapolator)), batch, t_in, t_out, crop, gaps) {}

const float* BatchLoader::extrapolation_of(const data::WindowRef& w) {
  const auto key = key_of(w);
  const auto it = cache_.find(key);
  if (it != cache_.end()) {
    ++reused_;
    return it->second.data();
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto& ex = *sources_[static_cast<std::size_t>(w.source)].extrapolator;
  const std::int64_t n = ex.output_size() * (gaps_ ? 2 : 1);  // the gaps follow the values
  const bool keep = cache_bytes_ + n * 4 <= cache_cap_;
  float* out = scratch_.data();
  if (keep) {
    out = cache_.emplace(key, std::vector<float>(static_cast<std::size_t>(n))).first->second.data();
    cache_bytes_ += n * 4;
  }
  ex.run(frames_.data(), frame_mask_.data(), out, gaps_ ? out + ex.output_size() : nullptr);
  extrapolation_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ++computed_;
  return out;
}

void BatchLoader::read_window(const data::WindowRef& w) {
  const auto& reader = *sources_[static_cast<std::size_t>(w.source)].reader;
  const std::int64_t fs = reader.frame_size(), n = t_in_ + t_out_;
  for (std::int64_t t = 0; t < n; ++t) {
    const std::int64_t key = key_of({w.source, w.start + t});
    auto it = frame_cache_.find(key);
    if (it == frame_cache_.end()) {
      if (frame_cache_bytes_ + fs * 8 > kFrameCacheBytes) {
        reader.read(w.start + t, 1, frames_.data() + t * fs, frame_mask_.data() + t * fs);
        continue;
      }
      std::vector<float> f(static_cast<std::size_t>(2 * fs));
      reader.read(w.start + t, 1, f.data(), f.data() + fs);
      frame_cache_bytes_ += fs * 8;
      it = frame_cache_.emplace(key, std::move(f)).first;
    }
    std::memcpy(frames_.data() + t * fs, it->second.data(), sizeof(float) * fs);
    std::memcpy(frame_mask_.data() + t * fs, it->second.data() + fs, sizeof(float) * fs);
  }
}

Batch& BatchLoader::load(const std::int64_t* starts, std::int64_t n, std::int64_t epoch) {
  std::vector<data::WindowRef> windows;
  for (std::int64_t b = 0; b < n; ++b) windows.push_back({0, starts[b]});
  return load(windows.data(), n, epoch);
}

Batch& BatchLoader::load(const data::WindowRef* windows, std::int64_t n, std::int64_t epoch) {
  const std::int64_t fs = frame_size(), c = channels_;
  batch_.valid = std::min(n, b_);
  for (std::int64_t b = 0; b < b_; ++b) {
    float* in = batch_.inputs.data() + b * t_in_ * fs;
    float* tg = batch_.targets.data() + b * t_out_ * fs;
    float* mk = batch_.mask.data() + b * t_out_ * fs;
    float* ex = extrapolates_ ? batch_.extrapolation.data() + b * t_out_ * fs : nullptr;
    float* gp = gaps_ ? batch_.gaps.data() + b * t_out_ * fs : nullptr;
    if (b >= batch_.valid) {  // padding: a copy of the first sequence, masked out of every loss
      std::memcpy(in, batch_.inputs.data(), sizeof(float) * t_in_ * fs);
      std::memcpy(tg, batch_.targets.data(), sizeof(float) * t_out_ * fs);
      std::fill(mk, mk + t_out_ * fs, 0.0f);
      if (ex) std::memcpy(ex, batch_.extrapolation.data(), sizeof(float) * t_out_ * fs);
      if (gp) std::memcpy(gp, batch_.gaps.data(), sizeof(float) * t_out_ * fs);
      continue;
    }
    const auto& w = windows[b];
    CONVLSTM_CHECK(w.source >= 0 && w.source < static_cast<std::int64_t>(sources_.size()),
                   "window of source " << w.source);
    const auto& reader = *sources_[static_cast<std::size_t>(w.source)].reader;
    const std::int64_t h = reader.height(), wd = reader.width();
    read_window(w);
    CropPlace at;
    if (crop_) {
      const std::int64_t k = key_of(w);
      at = draw_crop(*crop_, epoch, k, frames_.data(), frame_mask_.data(), t_in_ + t_out_, c, h, wd);
      if (at.wet < 0.0 || crop_->min_wet <= 0.0)
        at.wet = wet_share(frames_.data(), frame_mask_.data(), t_in_ + t_out_, c, h, wd, at.y0, at.x0, ch_,
                           cw_, crop_->wet_level);
      crop_wet_ += at.wet;
      window_wet_ += wet_share(frames_.data(), frame_mask_.data(), t_in_ + t_out_, c, h, wd, 0, 0, h, wd,
                               crop_->wet_level);
      ++crops_;
    }
    const std::int64_t in_frames = t_in_ * c, out_frames = t_out_ * c, whole = reader.frame_size();
    copy_region(frames_.data(), in_frames, h, wd, at.y0, at.x0, ch_, cw_, in);
    copy_region(frames_.data() + t_in_ * whole, out_frames, h, wd, at.y0, at.x0, ch_, cw_, tg);
    copy_region(frame_mask_.data() + t_in_ * whole, out_frames, h, wd, at.y0, at.x0, ch_, cw_, mk);
    if (ex) {
      const float* e = extrapolation_of(w);
      copy_region(e, out_frames, h, wd, at.y0, at.x0, ch_, cw_, ex);
      if (gp) copy_region(e + t_out_ * whole, out_frames, h, wd, at.y0, at.x0, ch_, cw_, gp);
    }
  }
  return batch_;
}

}  // namespace convlstm::train
