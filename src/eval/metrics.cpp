#include "eval/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "data/units.hpp"

namespace convlstm::eval {

namespace {
double ratio(double a, double b) {
  return b > 0 ? a / b : std::nan("");
}

std::string threshold_name(double t) {
  std::ostringstream os;
  os << t;
  return os.str();
}
}  // namespace

double Contingency::csi() const {
  return ratio(hits, hits + misses + false_alarms);
}
double Contingency::pod() const {
  return ratio(hits, hits + misses);
}
double Contingency::far() const {
  return ratio(false_alarms, hits + false_alarms);
}
double Contingency::hss() const {
  const double h = hits, m = misses, f = false_alarms, c = correct_negatives;
  return ratio(2.0 * (h * c - m * f), (h + m) * (m + c) + (h + f) * (f + c));
}

LeadScores& LeadScores::operator+=(const LeadScores& o) {
  if (tables.size() < o.tables.size()) tables.resize(o.tables.size());
  for (std::size_t k = 0; k < o.tables.size(); ++k) {
    tables[k].hits += o.tables[k].hits;
    tables[k].misses += o.tables[k].misses;
    tables[k].false_alarms += o.tables[k].false_alarms;
    tables[k].correct_negatives += o.tables[k].correct_negatives;
  }
  sq += o.sq;
  abs += o.abs;
  bsq += o.bsq;
  babs += o.babs;
  pixels += o.pixels;
  frames += o.frames;
  bce += o.bce;
  frame_sq += o.frame_sq;
  frame_abs += o.frame_abs;
  ssim += o.ssim;
  ssim_frames += o.ssim_frames;
  return *this;
}

Scores::Scores(std::int64_t t_out, ScoreOptions options) : opt_(std::move(options)) {
  for (double t : opt_.thresholds)
    physical_thresholds_.push_back(opt_.quantity == data::Quantity::reflectivity
                                       ? data::dbz_from_rain_rate(static_cast<float>(t), opt_.zr_a, opt_.zr_b)
                                       : t);
  leads_.assign(static_cast<std::size_t>(t_out), LeadScores{});
  for (auto& l : leads_) l.tables.resize(opt_.thresholds.size());
}

void Scores::add(const float* pred, const float* obs, const float* mask, std::int64_t h, std::int64_t w) {
  const std::int64_t hw = h * w;
  const bool refl = opt_.quantity == data::Quantity::reflectivity;
  std::vector<LeadScores> window(leads_.size());
  for (std::size_t t = 0; t < leads_.size(); ++t) {
    auto& l = window[t];
    l.tables.resize(opt_.thresholds.size());
    const float* p = pred + t * hw;
    const float* o = obs + t * hw;
    const float* m = mask + t * hw;
    for (std::int64_t i = 0; i < hw; ++i) {
      if (m[i] == 0.0f) continue;
      const double e = static_cast<double>(p[i]) - o[i];
      const float rate = refl ? data::rain_rate_from_dbz(o[i], opt_.zr_a, opt_.zr_b) : o[i];
      const double wgt = data::hko7_weight(rate);
      l.sq += e * e;
      l.abs += std::abs(e);
      l.bsq += wgt * e * e;
      l.babs += wgt * std::abs(e);
      l.pixels += 1;
      for (std::size_t k = 0; k < physical_thresholds_.size(); ++k) {
        const bool yes_p = p[i] >= physical_thresholds_[k], yes_o = o[i] >= physical_thresholds_[k];
        auto& c = l.tables[k];
        c.hits += yes_p && yes_o;
        c.misses += !yes_p && yes_o;
        c.false_alarms += yes_p && !yes_o;
        c.correct_negatives += !yes_p && !yes_o;
      }
    }
    if (intensity()) {
      // Over the observed pixels of the frame (a fully observed frame: the paper's per-frame sums).
      double bce = 0, sq = 0, ab = 0;
      for (std::int64_t i = 0; i < hw; ++i) {
        if (m[i] == 0.0f) continue;
        const double q = std::min(std::max(static_cast<double>(p[i]), 1e-7), 1.0 - 1e-7), y = o[i];
        bce -= y * std::log(q) + (1.0 - y) * std::log(1.0 - q);
        sq += (p[i] - y) * (p[i] - y);
        ab += std::abs(p[i] - y);
      }
      l.frames += 1;
      l.bce += bce;
      l.frame_sq += sq;
      l.frame_abs += ab;
      const double s = ssim(p, o, h, w, m);
      if (!std::isnan(s)) {
        l.ssim += s;
        l.ssim_frames += 1;
      }
    }
    leads_[t] += l;
  }
  if (opt_.keep_windows) windows_.push_back(std::move(window));
}

Scores Scores::resampled(const std::vector<std::int64_t>& windows) const {
  ScoreOptions o = opt_;
  o.keep_windows = false;
  Scores r(t_out(), o);
  for (std::int64_t i : windows)
    for (std::size_t t = 0; t < leads_.size(); ++t)
      r.leads_[t] += windows_.at(static_cast<std::size_t>(i))[t];
  return r;
}

std::vector<std::pair<std::string, double>> Scores::figures(std::int64_t t) const {
  std::vector<std::pair<std::string, double>> out;
  auto figures_of = [&](const LeadScores& l) {
    std::vector<std::pair<std::string, double>> f;
    for (std::size_t k = 0; k < opt_.thresholds.size(); ++k) {
      const auto name = threshold_name(opt_.thresholds[k]);
      f.push_back({"csi@" + name, l.tables[k].csi()});
      f.push_back({"pod@" + name, l.tables[k].pod()});
      f.push_back({"far@" + name, l.tables[k].far()});
      f.push_back({"hss@" + name, l.tables[k].hss()});
    }
    f.push_back({"mse", ratio(l.sq, l.pixels)});
    f.push_back({"mae", ratio(l.abs, l.pixels)});
    f.push_back({"b_mse", ratio(l.bsq, l.pixels)});
    f.push_back({"b_mae", ratio(l.babs, l.pixels)});
    if (intensity()) {
      f.push_back({"bce_per_frame", ratio(l.bce, l.frames)});
      f.push_back({"frame_mse", ratio(l.frame_sq, l.frames)});
      f.push_back({"frame_mae", ratio(l.frame_abs, l.frames)});
      f.push_back({"ssim", ratio(l.ssim, l.ssim_frames)});
    }
    return f;
  };
  if (t >= 0) return figures_of(leads_[t]);
  // Mean over lead times of each per-lead figure (HKO-7 reports the average of the per-lead scores), over
  // the leads where it is defined (a CSI with no event at one lead leaves the others' mean); NaN if none.
  std::vector<double> defined;
  for (std::size_t i = 0; i < leads_.size(); ++i) {
    const auto f = figures_of(leads_[i]);
    if (out.empty()) {
      out.assign(f.size(), {"", 0.0});
      defined.assign(f.size(), 0.0);
    }
    for (std::size_t k = 0; k < f.size(); ++k) {
      out[k].first = f[k].first;
      if (std::isnan(f[k].second)) continue;
      out[k].second += f[k].second;
      defined[k] += 1;
    }
  }
  for (std::size_t k = 0; k < out.size(); ++k) out[k].second = ratio(out[k].second, defined[k]);
  if (intensity()) {
    double bce = 0;
    for (const auto& l : leads_) bce += ratio(l.bce, l.frames);
    out.push_back({"bce_per_sequence", bce});  // Shi et al. 2015's Moving MNIST figure
  }
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> Scores::defined_leads() const {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (std::int64_t t = 0; t < t_out(); ++t) {
    const auto f = figures(t);
    if (out.empty())
      for (const auto& [name, v] : f) out.push_back({name, 0});
    for (std::size_t k = 0; k < f.size(); ++k) out[k].second += std::isnan(f[k].second) ? 0 : 1;
  }
  return out;
}

double ssim(const float* a, const float* b, std::int64_t h, std::int64_t w, const float* mask) {
  constexpr int kR = 5;
  constexpr double kSigma = 1.5, kC1 = 0.01 * 0.01, kC2 = 0.03 * 0.03;
  double g[2 * kR + 1], gs = 0;
  for (int i = -kR; i <= kR; ++i) gs += g[i + kR] = std::exp(-0.5 * i * i / (kSigma * kSigma));
  for (auto& v : g) v /= gs;
  // Valid windows only (as skimage with gaussian_weights and the default crop does approximately), and
  // with a mask only windows whose every pixel is observed.
  double total = 0, count = 0;
  for (std::int64_t y = kR; y < h - kR; ++y)
    for (std::int64_t x = kR; x < w - kR; ++x) {
      if (mask) {
        bool all = true;
        for (int dy = -kR; dy <= kR && all; ++dy)
          for (int dx = -kR; dx <= kR && all; ++dx) all = mask[(y + dy) * w + x + dx] != 0.0f;
        if (!all) continue;
      }
      double ma = 0, mb = 0, aa = 0, bb = 0, ab = 0;
      for (int dy = -kR; dy <= kR; ++dy)
        for (int dx = -kR; dx <= kR; ++dx) {
          const double wt = g[dy + kR] * g[dx + kR];
          const double va = a[(y + dy) * w + x + dx], vb = b[(y + dy) * w + x + dx];
          ma += wt * va;
          mb += wt * vb;
          aa += wt * va * va;
          bb += wt * vb * vb;
          ab += wt * va * vb;
        }
      const double va = aa - ma * ma, vb = bb - mb * mb, cov = ab - ma * mb;
      total += ((2 * ma * mb + kC1) * (2 * cov + kC2)) / ((ma * ma + mb * mb + kC1) * (va + vb + kC2));
      count += 1;
    }
  return count > 0 ? total / count : std::nan("");
}

}  // namespace convlstm::eval
