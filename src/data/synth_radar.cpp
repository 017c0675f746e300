#include "data/synth_radar.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/rng.hpp"
#include "data/dataset.hpp"

namespace convlstm::data {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDry = 0.1;               // mm/h: below this a pixel is dry
constexpr double kMaxRate = 100.0;         // mm/h
constexpr double kCellsPer64Square = 2.6;  // cell density: mean number of cell centres on 64x64 pixels
constexpr double kFieldMargin = 24.0;      // pixels: the cells live on the grid and this margin around it
                                           // (beyond the reach of the largest cell, 3.5 x 6 pixels)
constexpr int kSpinUpFrames = 120;         // steps before the first frame (the longest cell life)

struct Cell {
  double x, y;       // centre, pixels
  double peak;       // mm/h at full strength
  double a, b;       // radii along and across the orientation, pixels
  double theta;      // orientation, radians
  double age, life;  // frames
};

struct Wind {
  double u, v;  // mean wind, pixels per frame
  double amp, wavelength, phi, psi;
};

class Generator {
 public:
  // Lengths and speeds are in pixels, the same at every grid size: a larger grid is a larger domain, with as
  // many cells per unit area, so the wet fraction and the rain-rate distribution do not depend on the size.
  Generator(const SynthRadarOptions& o) : o_(o), rng_(o.seed) {
    mean_dir_ = rng_.uniform(0.0f, 2.0f * static_cast<float>(kPi));
    mean_speed_ = rng_.uniform(0.6f, 1.4f);
    wind_ = {mean_speed_ * std::cos(mean_dir_),
             mean_speed_ * std::sin(mean_dir_),
             0.35 * mean_speed_,
             64.0,
             0.0,
             1.0};
    // The cells are a window on a homogeneous field: kCellsPer64Square per 64x64 pixels on the grid and a
    // margin wide enough that the cells outside the grid that paint into it are there too.
    const double m = 2.0 * kFieldMargin;
    target_cells_ = kCellsPer64Square * (o.height + m) * (o.width + m) / (64.0 * 64.0);
    for (int i = 0; i < static_cast<int>(target_cells_); ++i) {
      cells_.push_back(new_cell(/*anywhere=*/true));
      cells_.back().age = rng_.uniform(0.0f, static_cast<float>(cells_.back().life));
    }
    // Spin-up: the births and deaths run for the longest life before the first frame, so every series (and a
    // short one on a large grid) starts from the process's equilibrium, not from its uniform initial state.
    for (int i = 0; i < kSpinUpFrames; ++i) step();
  }

  void next(std::vector<float>& frame) {
    render(frame);
    step();
  }

 private:
  // A new cell: anywhere on the field (born now), or flowing in across its upwind edges (a cell of the
  // field beyond, of any age).
  Cell new_cell(bool anywhere) {
    Cell c;
    const double m = kFieldMargin;
    c.x = rng_.uniform(-static_cast<float>(m), static_cast<float>(o_.width + m));
    c.y = rng_.uniform(-static_cast<float>(m), static_cast<float>(o_.height + m));
    if (!anywhere) {
      // Across the edge x = -m (or x = width + m) in proportion to |u| times its length, else across a y
      // edge; placed within one step inside the edge.
      const double fx = std::abs(wind_.u) * (o_.height + 2 * m), fy = std::abs(wind_.v) * (o_.width + 2 * m);
      const double into = rng_.canonical();  // how far inside the edge, in steps
      if (rng_.canonical() * (fx + fy) < fx)
        c.x = wind_.u > 0 ? -m + into * wind_.u : o_.width + m + into * wind_.u;
      else
        c.y = wind_.v > 0 ? -m + into * wind_.v : o_.height + m + into * wind_.v;
    }
    c.peak = std::min(kMaxRate, std::exp(std::log(4.0) + 0.9 * rng_.normal(0.0f, 1.0f)));
    c.a = rng_.uniform(2.0f, 6.0f);
    c.b = c.a * rng_.uniform(0.45f, 1.0f);
    c.theta = rng_.uniform(0.0f, static_cast<float>(kPi));
    c.age = 0.0;
    c.life = rng_.uniform(36.0f, 120.0f);
    return c;
  }

  void wind_at(double x, double y, double& u, double& v) const {
    u = wind_.u + wind_.amp * std::sin(2.0 * kPi * y / wind_.wavelength + wind_.phi);
    v = wind_.v + wind_.amp * std::cos(2.0 * kPi * x / wind_.wavelength + wind_.psi);
  }

  void step() {
    // The synoptic flow turns and changes speed slowly (a random walk of its direction, about a radian per
    // 400 frames, and an Ornstein-Uhlenbeck speed), so a long series shows every direction; the actual wind
    // follows it with Ornstein-Uhlenbeck steps, and the wave phases of the field wander.
    mean_dir_ += 0.05 * rng_.normal(0.0f, 1.0f);
    mean_speed_ += 0.01 * (1.0 - mean_speed_) + 0.01 * rng_.normal(0.0f, 1.0f);
    mean_speed_ = std::min(std::max(mean_speed_, 0.3), 1.8);
    const double mean_u = mean_speed_ * std::cos(mean_dir_), mean_v = mean_speed_ * std::sin(mean_dir_);
    wind_.u += 0.02 * (mean_u - wind_.u) + 0.02 * rng_.normal(0.0f, 1.0f);
    wind_.v += 0.02 * (mean_v - wind_.v) + 0.02 * rng_.normal(0.0f, 1.0f);
    wind_.phi += 0.01 + 0.01 * rng_.normal(0.0f, 1.0f);
    wind_.psi += 0.01 + 0.01 * rng_.normal(0.0f, 1.0f);
    for (auto& c : cells_) {
      double u, v;
      wind_at(c.x, c.y, u, v);
      c.x += u;
      c.y += v;
      c.theta += 0.01 * rng_.normal(0.0f, 1.0f);
      c.age += 1.0;
    }
    merge();
    const double m = kFieldMargin;
    cells_.erase(std::remove_if(cells_.begin(), cells_.end(),
                                [&](const Cell& c) {
                                  return c.age >= c.life || c.x < -m || c.y < -m || c.x > o_.width + m ||
                                         c.y > o_.height + m;
                                }),
                 cells_.end());
    // Inflow: the field's cells that cross its upwind edges this step (density times speed times edge
    // length), of any age. Births: new cells replace those that died, keeping the count at its target (a
    // random rounding of it, so a fractional target holds on average) at every grid size.
    const double density = kCellsPer64Square / (64.0 * 64.0);
    const double flux =
        density * (std::abs(wind_.u) * (o_.height + 2 * m) + std::abs(wind_.v) * (o_.width + 2 * m));
    for (int n = rng_.poisson(flux); n > 0; --n) {
      cells_.push_back(new_cell(false));
      cells_.back().age = rng_.uniform(0.0f, static_cast<float>(cells_.back().life));
    }
    const double level = std::floor(target_cells_ + rng_.canonical());
    for (double n = static_cast<double>(cells_.size()); n < level; ++n) cells_.push_back(new_cell(true));
  }

  // Two cells whose cores overlap become one: the larger absorbs the smaller.
  void merge() {
    for (std::size_t i = 0; i < cells_.size(); ++i) {
      for (std::size_t j = i + 1; j < cells_.size(); ++j) {
        Cell& p = cells_[i];
        Cell& q = cells_[j];
        if (std::hypot(p.x - q.x, p.y - q.y) > 0.5 * (p.b + q.b)) continue;
        Cell& big = p.peak * p.a >= q.peak * q.a ? p : q;
        const Cell& small = &big == &p ? q : p;
        big.peak = std::min(kMaxRate, big.peak + 0.4 * small.peak);
        big.a = std::sqrt(big.a * big.a + 0.5 * small.a * small.a);
        big.b = std::sqrt(big.b * big.b + 0.5 * small.b * small.b);
        big.life = std::max(big.life, big.age + 0.5 * (small.life - small.age));
        if (&big == &q) std::swap(p, q);
        cells_.erase(cells_.begin() + static_cast<std::ptrdiff_t>(j));
        --j;
      }
    }
  }

  void render(std::vector<float>& frame) const {
    std::fill(frame.begin(), frame.end(), 0.0f);
    for (const auto& c : cells_) {
      const double env = std::pow(std::max(0.0, std::sin(kPi * c.age / c.life)), 0.7);
      const double amp = c.peak * env;
      if (amp < kDry) continue;
      const double reach = 3.5 * c.a;
      const std::int64_t y0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(c.y - reach));
      const std::int64_t y1 =
          std::min<std::int64_t>(o_.height - 1, static_cast<std::int64_t>(c.y + reach) + 1);
      const std::int64_t x0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(c.x - reach));
      const std::int64_t x1 =
          std::min<std::int64_t>(o_.width - 1, static_cast<std::int64_t>(c.x + reach) + 1);
      const double ct = std::cos(c.theta), st = std::sin(c.theta);
      for (std::int64_t y = y0; y <= y1; ++y)
        for (std::int64_t x = x0; x <= x1; ++x) {
          const double dx = x + 0.5 - c.x, dy = y + 0.5 - c.y;
          const double along = (dx * ct + dy * st) / c.a, across = (-dx * st + dy * ct) / c.b;
          frame[y * o_.width + x] +=
              static_cast<float>(amp * std::exp(-0.5 * (along * along + across * across)));
        }
    }
    for (auto& v : frame) v = v < kDry ? 0.0f : std::min(v, static_cast<float>(kMaxRate));
  }

  SynthRadarOptions o_;
  Rng rng_;
  Wind wind_;
  double mean_dir_, mean_speed_, target_cells_;
  std::vector<Cell> cells_;
};

}  // namespace

void write_synth_radar(const std::string& path, const SynthRadarOptions& o) {
  if (o.frames < 1 || o.height < 8 || o.width < 8)
    throw UsageError("synth radar: need at least 1 frame and a grid of at least 8x8");
  if (o.segments < 1 || o.segments > o.frames)
    throw UsageError("synth radar: --segments must be between 1 and the number of frames");
  DatasetMeta meta;
  meta.height = o.height;
  meta.width = o.width;
  meta.dtype = "uint16";
  meta.field.quantity = Quantity::rain_rate;
  meta.field.units = "mm/h";
  meta.gain = 0.01;
  meta.offset = 0.0;
  meta.field.source = "convlstm synth radar (seed " + std::to_string(o.seed) + ")";
  meta.field.timestep_s = o.timestep_s;
  if (o.segments > 1)
    meta.field.source +=
        ", " + std::to_string(o.segments) + " segments of seeds from " + std::to_string(o.seed);
  DatasetWriter writer(path, meta);
  std::vector<float> frame(static_cast<std::size_t>(o.height * o.width));
  std::vector<std::int64_t> time;
  std::vector<Segment> segments;
  double wet = 0.0;
  const std::int64_t per = o.frames / o.segments;
  for (std::int64_t k = 0; k < o.segments; ++k) {
    SynthRadarOptions one = o;
    one.seed = o.seed + static_cast<std::uint64_t>(k);
    Generator gen(one);
    // Spin-up, so that the first frame already shows a developed field.
    for (int i = 0; i < 40; ++i) gen.next(frame);
    const std::int64_t first = k * per, n = k + 1 == o.segments ? o.frames - first : per;
    const std::int64_t day = static_cast<std::int64_t>(k) * 86400;  // segments a day apart
    for (std::int64_t t = 0; t < n; ++t) {
      gen.next(frame);
      for (float v : frame) wet += v > 0.0f;
      writer.append(frame.data());
      time.push_back(o.start_time + day + static_cast<std::int64_t>((first + t) * o.timestep_s));
    }
    segments.push_back({first, n});
  }
  writer.finish(time, segments);
  log::info("synth radar: wrote {} frames of {}x{} to {} ({:.1f}% wet pixels)", o.frames, o.height, o.width,
            path, 100.0 * wet / (static_cast<double>(o.frames) * o.height * o.width));
}

}  // namespace convlstm::data
