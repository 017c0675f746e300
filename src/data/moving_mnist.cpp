#include "data/moving_mnist.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "data/dataset.hpp"
#include "data/h5.hpp"

namespace convlstm::data {

namespace {
constexpr std::int64_t kDigit = 28;
constexpr double kPi = 3.14159265358979323846;
}  // namespace

void write_moving_mnist(const std::string& path, const MovingMnistOptions& o) {
  if (o.sequences < 1 || o.frames < 2 || o.size <= kDigit || o.num_digits < 1)
    throw UsageError(
        "synth moving-mnist: need at least 1 sequence of 2 frames, a canvas larger than 28 and a digit");
  auto file = h5::File::open_read(o.digits);
  auto images = file.dataset("/images");
  if (images.dims().size() != 3 || images.dims()[1] != kDigit || images.dims()[2] != kDigit ||
      images.dims()[0] < 1)
    throw DataError(images.where() + ": expected [N, 28, 28] digit images (made by scripts/fetch_mnist.sh)");
  const std::int64_t n_digits = images.dims()[0];
  std::vector<float> digits(static_cast<std::size_t>(n_digits * kDigit * kDigit));
  images.read_all(digits.data());
  const float scale = *std::max_element(digits.begin(), digits.end()) > 1.5f ? 1.0f / 255.0f : 1.0f;

  DatasetMeta meta;
  meta.height = meta.width = o.size;
  meta.dtype = "uint8";
  meta.field.quantity = Quantity::intensity;
  meta.field.units = "1";
  meta.gain = 1.0 / 255.0;
  meta.field.source =
      "convlstm synth moving-mnist (seed " + std::to_string(o.seed) + ", digits " + o.digits + ")";
  DatasetWriter writer(path, meta);
  Rng rng(o.seed);
  const double range = static_cast<double>(o.size - kDigit), step = 0.1 * range;
  std::vector<float> frame(static_cast<std::size_t>(o.size * o.size));
  std::vector<Segment> segments;
  for (std::int64_t s = 0; s < o.sequences; ++s) {
    struct Mover {
      double x, y, vx, vy;
      std::int64_t digit;
    };
    std::vector<Mover> movers;
    for (std::int64_t d = 0; d < o.num_digits; ++d) {
      const double theta = rng.uniform(0.0f, static_cast<float>(2.0 * kPi));
      movers.push_back({rng.uniform(0.0f, 1.0f) * range, rng.uniform(0.0f, 1.0f) * range,
                        step * std::cos(theta), step * std::sin(theta),
                        static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(n_digits)))});
    }
    for (std::int64_t t = 0; t < o.frames; ++t) {
      std::fill(frame.begin(), frame.end(), 0.0f);
      for (auto& m : movers) {
        const std::int64_t x0 = std::lround(m.x), y0 = std::lround(m.y);
        const float* img = digits.data() + m.digit * kDigit * kDigit;
        for (std::int64_t y = 0; y < kDigit; ++y)
          for (std::int64_t x = 0; x < kDigit; ++x) {
            float& px = frame[(y0 + y) * o.size + x0 + x];
            px = std::max(px, img[y * kDigit + x] * scale);
          }
        // Move, bouncing off the edges.
        m.x += m.vx;
        m.y += m.vy;
        if (m.x < 0.0 || m.x > range) {
          m.vx = -m.vx;
          m.x = std::clamp(m.x < 0.0 ? -m.x : 2.0 * range - m.x, 0.0, range);
        }
        if (m.y < 0.0 || m.y > range) {
          m.vy = -m.vy;
          m.y = std::clamp(m.y < 0.0 ? -m.y : 2.0 * range - m.y, 0.0, range);
        }
      }
      writer.append(frame.data());
    }
    segments.push_back({s * o.frames, o.frames});
  }
  writer.finish({}, segments);
  log::info("synth moving-mnist: wrote {} sequences of {} frames ({}x{}) to {}", o.sequences, o.frames,
            o.size, o.size, path);
}

}  // namespace convlstm::data
