#include "data/windows.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/error.hpp"

namespace convlstm::data {

std::vector<std::int64_t> all_windows(const DatasetMeta& meta, std::int64_t window, std::int64_t stride) {
  std::vector<std::int64_t> out;
  for (const auto& run : contiguous_runs(meta))
    for (std::int64_t s = run.start; s + window <= run.start + run.length; s += stride) out.push_back(s);
  return out;
}

WindowSplit split_windows(const DatasetMeta& meta, std::int64_t window, std::int64_t stride,
                          double val_fraction) {
  WindowSplit split;
  for (const auto& run : contiguous_runs(meta)) {
    std::int64_t n_val = 0;
    if (val_fraction > 0.0) {
      n_val = std::max(window, static_cast<std::int64_t>(std::ceil(val_fraction * run.length)));
      if (n_val >= run.length) n_val = 0;  // too short to hold out: all training
    }
    const std::int64_t train_end = run.start + run.length - n_val;
    for (std::int64_t s = run.start; s + window <= train_end; s += stride) split.train.push_back(s);
    for (std::int64_t s = train_end; s + window <= run.start + run.length; s += stride)
      split.val.push_back(s);
  }
  return split;
}

std::vector<std::int64_t> epoch_order(std::int64_t n, std::uint64_t seed, std::int64_t epoch) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(epoch), 0x5eedu};
  std::mt19937_64 engine(seq);
  // Fisher-Yates with our own index draw: std::shuffle's use of the engine is implementation-defined.
  for (std::int64_t i = n - 1; i > 0; --i) {
    const std::int64_t j = static_cast<std::int64_t>(engine() % static_cast<std::uint64_t>(i + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

namespace {

// How many of `total` draws each dataset gets: total x weight share, rounded by largest remainders.
std::vector<std::int64_t> weighted_counts(const std::vector<double>& weights, std::int64_t total) {
  double sum = 0.0;
  for (double w : weights) sum += w;
  std::vector<std::int64_t> counts(weights.size());
  std::vector<std::pair<double, std::size_t>> rest;
  std::int64_t given = 0;
  for (std::size_t s = 0; s < weights.size(); ++s) {
    const double exact = static_cast<double>(total) * weights[s] / sum;
    counts[s] = static_cast<std::int64_t>(std::floor(exact));
    given += counts[s];
    rest.emplace_back(exact - static_cast<double>(counts[s]), s);
  }
  std::stable_sort(rest.begin(), rest.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = 0; given < total && i < rest.size(); ++i, ++given) ++counts[rest[i].second];
  return counts;
}

}  // namespace

std::vector<WindowRef> epoch_windows(const std::vector<std::vector<std::int64_t>>& windows,
                                     const std::vector<double>& weights, std::uint64_t seed,
                                     std::int64_t epoch) {
  std::vector<WindowRef> all;
  for (std::size_t s = 0; s < windows.size(); ++s)
    for (auto start : windows[s]) all.push_back({static_cast<std::int64_t>(s), start});
  const auto n = static_cast<std::int64_t>(all.size());
  std::vector<WindowRef> drawn;
  if (weights.empty()) {
    drawn = all;
  } else {
    CONVLSTM_CHECK(weights.size() == windows.size(), "one weight per dataset");
    const auto counts = weighted_counts(weights, n);
    for (std::size_t s = 0; s < windows.size(); ++s) {
      const auto ns = static_cast<std::int64_t>(windows[s].size());
      if (ns == 0) continue;
      // the dataset's own permutation, redrawn each time it runs out
      std::vector<std::int64_t> own;
      for (std::int64_t k = 0; k < counts[s]; ++k) {
        if (k % ns == 0)
          own = epoch_order(ns, seed ^ (0x9e3779b97f4a7c15ull * (s + 1)), epoch * 1000003 + k / ns);
        drawn.push_back({static_cast<std::int64_t>(s), windows[s][static_cast<std::size_t>(own[k % ns])]});
      }
    }
  }
  const auto order = epoch_order(static_cast<std::int64_t>(drawn.size()), seed, epoch);
  std::vector<WindowRef> out;
  out.reserve(drawn.size());
  for (auto i : order) out.push_back(drawn[static_cast<std::size_t>(i)]);
  return out;
}

WindowReader::WindowReader(const DatasetReader& reader, std::optional<Crop> crop, std::int64_t downsample,
                           std::optional<Normalizer> norm)
    : reader_(reader), down_(downsample), norm_(norm) {
  const auto& m = reader.meta();
  crop_ = crop.value_or(Crop{0, 0, m.height, m.width});
  if (crop_.y0 < 0 || crop_.x0 < 0 || crop_.height < 1 || crop_.width < 1 ||
      crop_.y0 + crop_.height > m.height || crop_.x0 + crop_.width > m.width)
    throw ConfigError("data.crop [" + std::to_string(crop_.y0) + ", " + std::to_string(crop_.x0) + ", " +
                      std::to_string(crop_.height) + ", " + std::to_string(crop_.width) +
                      "] does not fit the " + std::to_string(m.height) + "x" + std::to_string(m.width) +
                      " frames of " + reader.path());
  if (down_ < 1 || crop_.height % down_ != 0 || crop_.width % down_ != 0)
    throw ConfigError("data.downsample " + std::to_string(down_) + " must divide the (cropped) frame size " +
                      std::to_string(crop_.height) + "x" + std::to_string(crop_.width));
  c_ = m.channels;
  h_ = crop_.height / down_;
  w_ = crop_.width / down_;
}

void block_mean(const float* in, const float* in_mask, std::int64_t n, std::int64_t h, std::int64_t w,
                std::int64_t k, float* out, float* out_mask) {
  const std::int64_t oh = h / k, ow = w / k;
  for (std::int64_t f = 0; f < n; ++f)
    for (std::int64_t y = 0; y < oh; ++y)
      for (std::int64_t x = 0; x < ow; ++x) {
        double sum = 0.0, count = 0.0;
        for (std::int64_t dy = 0; dy < k; ++dy)
          for (std::int64_t dx = 0; dx < k; ++dx) {
            const std::int64_t i = (f * h + y * k + dy) * w + x * k + dx;
            sum += in_mask[i] * in[i];
            count += in_mask[i];
          }
        const std::int64_t o = (f * oh + y) * ow + x;
        out[o] = count > 0 ? static_cast<float>(sum / count) : 0.0f;
        out_mask[o] = count > 0 ? 1.0f : 0.0f;
      }
}

void WindowReader::read(std::int64_t start, std::int64_t n, float* values, float* mask) const {
  const std::int64_t ch = crop_.height, cw = crop_.width;
  if (down_ == 1) {
    reader_.read(start, n, crop_.y0, crop_.x0, ch, cw, values, mask);
  } else {
    raw_.resize(static_cast<std::size_t>(n * c_ * ch * cw));
    raw_mask_.resize(raw_.size());
    reader_.read(start, n, crop_.y0, crop_.x0, ch, cw, raw_.data(), raw_mask_.data());
    block_mean(raw_.data(), raw_mask_.data(), n * c_, ch, cw, down_, values, mask);
  }
  if (!norm_) return;
  const std::int64_t total = n * frame_size();
  for (std::int64_t i = 0; i < total; ++i) values[i] = mask[i] != 0.0f ? norm_->forward(values[i]) : 0.0f;
}

}  // namespace convlstm::data
