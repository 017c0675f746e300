#include "eval/metrics.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "data/units.hpp"
#include "eval/spectrum.hpp"

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

double FractionSums::fss() const {
  return ref > 0 ? 1.0 - diff2 / ref : std::nan("");
}

LeadScores& LeadScores::operator+=(const LeadScores& o) {
  ensemble += o.ensemble;
  if (fractions.size() < o.fractions.size()) fractions.resize(o.fractions.size());
  for (std::size_t k = 0; k < o.fractions.size(); ++k) {
    fractions[k].diff2 += o.fractions[k].diff2;
    fractions[k].ref += o.fractions[k].ref;
  }
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
  for (auto [mine, theirs] : {std::pair{&power_pred, &o.power_pred}, std::pair{&power_obs, &o.power_obs}}) {
    if (mine->size() < theirs->size()) mine->resize(theirs->size());
    for (std::size_t k = 0; k < theirs->size(); ++k) (*mine)[k] += (*theirs)[k];
  }
  return *this;
}

Scores::Scores(std::int64_t t_out, ScoreOptions options) : opt_(std::move(options)) {
  for (double t : opt_.thresholds)
    physical_thresholds_.push_back(opt_.quantity == data::Quantity::reflectivity
                                       ? data::dbz_from_rain_rate(static_cast<float>(t), opt_.zr_a, opt_.zr_b)
                                       : t);
  for (auto n : opt_.fss_scales)
    if (n < 1 || n % 2 == 0)
      throw UsageError("FSS neighbourhood of " + std::to_string(n) + " pixels: expected an odd size");
  leads_.assign(static_cast<std::size_t>(t_out), LeadScores{});
  for (auto& l : leads_) {
    l.tables.resize(opt_.thresholds.size());
    l.fractions.resize(opt_.thresholds.size() * opt_.fss_scales.size());
  }
}

namespace {

// Summed-area table of (h + 1) x (w + 1) of v (h x w).
void integral(const std::vector<float>& v, std::int64_t h, std::int64_t w, std::vector<double>& s) {
  s.assign(static_cast<std::size_t>((h + 1) * (w + 1)), 0.0);
  for (std::int64_t y = 0; y < h; ++y) {
    double row = 0.0;
    for (std::int64_t x = 0; x < w; ++x) {
      row += v[y * w + x];
      s[(y + 1) * (w + 1) + x + 1] = s[y * (w + 1) + x + 1] + row;
    }
  }
}

}  // namespace

void Scores::add_fractions(const float* p, const float* o, const float* m, std::int64_t h, std::int64_t w,
                           LeadScores& l, const float* members, std::int64_t count,
                           std::int64_t stride) const {
  const std::int64_t hw = h * w, sw = w + 1;
  std::vector<float> bp(static_cast<std::size_t>(hw)), bo(bp.size()), valid(bp.size());
  std::vector<double> sp, so, sv;
  for (std::int64_t i = 0; i < hw; ++i) valid[i] = m[i] != 0.0f ? 1.0f : 0.0f;
  integral(valid, h, w, sv);
  const std::size_t scales = opt_.fss_scales.size();
  for (std::size_t k = 0; k < physical_thresholds_.size(); ++k) {
    const double thr = physical_thresholds_[k];
    for (std::int64_t i = 0; i < hw; ++i) {
      bo[i] = valid[i] != 0.0f && o[i] >= thr ? 1.0f : 0.0f;
      if (!members) {
        bp[i] = valid[i] != 0.0f && p[i] >= thr ? 1.0f : 0.0f;
        continue;
      }
      int above = 0;  // an ensemble: the share of members at or above
      for (std::int64_t k2 = 0; k2 < count; ++k2) above += members[k2 * stride + i] >= thr ? 1 : 0;
      bp[i] = valid[i] != 0.0f ? static_cast<float>(above) / static_cast<float>(count) : 0.0f;
    }
    integral(bp, h, w, sp);
    integral(bo, h, w, so);
    for (std::size_t s = 0; s < scales; ++s) {
      const std::int64_t r = opt_.fss_scales[s] / 2;
      double diff2 = 0.0, ref = 0.0;
      for (std::int64_t y = 0; y < h; ++y) {
        const std::int64_t y0 = std::max<std::int64_t>(0, y - r), y1 = std::min(h, y + r + 1);
        for (std::int64_t x = 0; x < w; ++x) {
          if (valid[y * w + x] == 0.0f) continue;
          const std::int64_t x0 = std::max<std::int64_t>(0, x - r), x1 = std::min(w, x + r + 1);
          auto box = [&](const std::vector<double>& t) {
            return t[y1 * sw + x1] - t[y0 * sw + x1] - t[y1 * sw + x0] + t[y0 * sw + x0];
          };
          const double n = box(sv), fp = box(sp) / n, fo = box(so) / n;
          diff2 += (fp - fo) * (fp - fo);
          ref += fp * fp + fo * fo;
        }
      }
      auto& f = l.fractions[k * scales + s];
      f.diff2 += diff2;
      f.ref += ref;
    }
  }
}

void Scores::add(const float* pred, const float* obs, const float* mask, std::int64_t h, std::int64_t w) {
  commit(score_fields(pred, obs, mask, h, w));
}

PowerSpectrum& Scores::spectrum(std::int64_t h, std::int64_t w) const {
  if (!spectrum_ || spectrum_->height() != h || spectrum_->width() != w)
    spectrum_ = std::make_shared<PowerSpectrum>(h, w);
  return *spectrum_;
}

void Scores::commit(std::vector<LeadScores> window) {
  for (std::size_t t = 0; t < leads_.size(); ++t) leads_[t] += window[t];
  if (opt_.keep_windows) windows_.push_back(std::move(window));
}

std::vector<LeadScores> Scores::score_fields(const float* pred, const float* obs, const float* mask,
                                             std::int64_t h, std::int64_t w) const {
  const std::int64_t hw = h * w;
  const bool refl = opt_.quantity == data::Quantity::reflectivity;
  std::vector<LeadScores> window(leads_.size());
  for (std::size_t t = 0; t < leads_.size(); ++t) {
    auto& l = window[t];
    l.tables.resize(opt_.thresholds.size());
    l.fractions.resize(opt_.thresholds.size() * opt_.fss_scales.size());
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
    if (!intensity()) {
      add_fractions(p, o, m, h, w, l);
      accumulate_ensemble(p, 1, 0, o, m, hw, l.ensemble);
      if (opt_.spectra) {
        auto& s = spectrum(h, w);
        l.power_pred.assign(kSpectrumBands.size(), 0.0);
        l.power_obs.assign(kSpectrumBands.size(), 0.0);
        s.add(p, m, l.power_pred.data());
        s.add(o, m, l.power_obs.data());
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
  }
  return window;
}

EnsembleSums& EnsembleSums::operator+=(const EnsembleSums& o) {
  auto add = [](std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() < b.size()) a.resize(b.size(), 0.0);
    for (std::size_t i = 0; i < b.size(); ++i) a[i] += b[i];
  };
  pixels += o.pixels;
  crps += o.crps;
  crps_fair += o.crps_fair;
  variance += o.variance;
  mean_sq += o.mean_sq;
  add(ranks, o.ranks);
  add(brier, o.brier);
  add(bin_count, o.bin_count);
  add(bin_p, o.bin_p);
  add(bin_events, o.bin_events);
  return *this;
}

// One lead of an ensemble of m members (member k's field at members + k * stride) into e, over the observed
// pixels: CRPS, variance and error of the mean, ranks, Brier sums and the reliability table. A single field
// is an ensemble of one (its CRPS is its MAE, its spread 0).
void Scores::accumulate_ensemble(const float* members, std::int64_t m, std::int64_t stride, const float* obs,
                                 const float* mask, std::int64_t hw, EnsembleSums& e) const {
  const auto nt = static_cast<std::int64_t>(physical_thresholds_.size());
  constexpr int nb = EnsembleSums::kBins;
  e.ranks.assign(static_cast<std::size_t>(m + 1), 0.0);
  e.brier.assign(static_cast<std::size_t>(nt), 0.0);
  e.bin_count.assign(static_cast<std::size_t>(nt * nb), 0.0);
  e.bin_p = e.bin_count;
  e.bin_events = e.bin_count;
  std::vector<double> x(static_cast<std::size_t>(m));
  const double md = static_cast<double>(m);
  for (std::int64_t i = 0; i < hw; ++i) {
    if (mask[i] == 0.0f) continue;
    const double y = obs[i];
    double abs_err = 0.0, sum = 0.0;
    for (std::int64_t k = 0; k < m; ++k) {
      x[k] = members[k * stride + i];
      abs_err += std::abs(x[k] - y);
      sum += x[k];
    }
    std::sort(x.begin(), x.end());
    // The sum over i, j of |x_i - x_j| is 2 sum_i (2 i - m + 1) x_(i), x sorted ascending.
    double pairs = 0.0, below = 0.0, ties = 0.0;
    for (std::int64_t k = 0; k < m; ++k) {
      pairs += 2.0 * (2.0 * static_cast<double>(k) - md + 1.0) * x[k];
      below += x[k] < y;
      ties += x[k] == y;
    }
    e.crps += abs_err / md - pairs / (2.0 * md * md);
    e.crps_fair += abs_err / md - (m > 1 ? pairs / (2.0 * md * (md - 1.0)) : 0.0);
    const double mu = sum / md;
    double var = 0.0;
    for (double v : x) var += (v - mu) * (v - mu);
    e.variance += m > 1 ? var / (md - 1.0) : 0.0;
    e.mean_sq += (mu - y) * (mu - y);
    // The observation's rank among the members; ties share their ranks equally.
    for (std::int64_t r = 0; r <= static_cast<std::int64_t>(ties); ++r)
      e.ranks[static_cast<std::size_t>(below) + r] += 1.0 / (ties + 1.0);
    for (std::int64_t k = 0; k < nt; ++k) {
      const double thr = physical_thresholds_[k];
      const double p = static_cast<double>(x.end() - std::lower_bound(x.begin(), x.end(), thr)) / md;
      const double o = y >= thr ? 1.0 : 0.0;
      e.brier[k] += (p - o) * (p - o);
      const auto bin = std::min<std::int64_t>(nb - 1, static_cast<std::int64_t>(p * nb));
      e.bin_count[k * nb + bin] += 1;
      e.bin_p[k * nb + bin] += p;
      e.bin_events[k * nb + bin] += o;
    }
    e.pixels += 1;
  }
}

void Scores::add_ensemble(const float* members, const float* obs, const float* mask, std::int64_t h,
                          std::int64_t w) {
  const std::int64_t m = opt_.members, t_out = this->t_out(), hw = h * w;
  if (m < 2) throw UsageError("an ensemble score needs at least 2 members");
  std::vector<float> mean(static_cast<std::size_t>(t_out * hw), 0.0f);
  for (std::int64_t k = 0; k < m; ++k)
    for (std::int64_t i = 0; i < t_out * hw; ++i)
      mean[i] += members[k * t_out * hw + i] / static_cast<float>(m);
  auto window = score_fields(mean.data(), obs, mask, h, w);
  const std::int64_t sharp = std::min<std::int64_t>(m, kSpectrumMembers);
  for (std::int64_t t = 0; t < t_out; ++t) {
    window[t].ensemble = EnsembleSums{};
    accumulate_ensemble(members + t * hw, m, t_out * hw, obs + t * hw, mask + t * hw, hw, window[t].ensemble);
    // The FSS of the exceedance probabilities (the members' share at each pixel), not of the mean's events.
    for (auto& f : window[t].fractions) f = FractionSums{};
    add_fractions(mean.data() + t * hw, obs + t * hw, mask + t * hw, h, w, window[t], members + t * hw, m,
                  t_out * hw);
    if (window[t].power_pred.empty()) continue;
    // A member's sharpness, not the mean's: the members' power, averaged over the first few of them.
    auto& pp = window[t].power_pred;
    std::fill(pp.begin(), pp.end(), 0.0);
    for (std::int64_t k = 0; k < sharp; ++k)
      spectrum(h, w).add(members + (k * t_out + t) * hw, mask + t * hw, pp.data());
    for (auto& v : pp) v /= static_cast<double>(sharp);
  }
  commit(std::move(window));
}

namespace {

// Brier score decomposition and ROC area of one threshold's reliability table.
struct BrierParts {
  double rel = 0, res = 0, unc = 0, roc = 0;
};
BrierParts brier_parts(const EnsembleSums& e, std::size_t k) {
  constexpr int nb = EnsembleSums::kBins;
  double n = 0, events = 0;
  for (int b = 0; b < nb; ++b) {
    n += e.bin_count[k * nb + b];
    events += e.bin_events[k * nb + b];
  }
  BrierParts out;
  if (n == 0) return {std::nan(""), std::nan(""), std::nan(""), std::nan("")};
  const double base = events / n;
  for (int b = 0; b < nb; ++b) {
    const double c = e.bin_count[k * nb + b];
    if (c == 0) continue;
    const double pbar = e.bin_p[k * nb + b] / c, obar = e.bin_events[k * nb + b] / c;
    out.rel += c * (pbar - obar) * (pbar - obar) / n;
    out.res += c * (obar - base) * (obar - base) / n;
  }
  out.unc = base * (1.0 - base);
  // ROC: warn at or above each bin's lower edge; hit rate against false-alarm rate, trapezoids.
  const double non = n - events;
  if (events == 0 || non == 0) {
    out.roc = std::nan("");
    return out;
  }
  double prev_h = 0.0, prev_f = 0.0, hits = 0.0, falses = 0.0;
  for (int b = nb - 1; b >= 0; --b) {
    hits += e.bin_events[k * nb + b];
    falses += e.bin_count[k * nb + b] - e.bin_events[k * nb + b];
    const double hr = hits / events, fr = falses / non;
    out.roc += 0.5 * (hr + prev_h) * (fr - prev_f);
    prev_h = hr;
    prev_f = fr;
  }
  return out;
}

}  // namespace

std::vector<Scores::Reliability> Scores::reliability() const {
  EnsembleSums all;
  for (const auto& l : leads_) all += l.ensemble;
  std::vector<Reliability> out(opt_.thresholds.size());
  constexpr int nb = EnsembleSums::kBins;
  for (std::size_t k = 0; k < out.size() && !all.bin_count.empty(); ++k)
    for (int b = 0; b < nb; ++b) {
      const double c = all.bin_count[k * nb + b];
      out[k].count.push_back(c);
      out[k].forecast.push_back(ratio(all.bin_p[k * nb + b], c));
      out[k].observed.push_back(ratio(all.bin_events[k * nb + b], c));
    }
  return out;
}

std::vector<double> Scores::rank_histogram() const {
  EnsembleSums all;
  for (const auto& l : leads_) all += l.ensemble;
  for (auto& r : all.ranks) r = ratio(r, all.pixels);
  return all.ranks;
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
    if (!intensity())
      for (std::size_t k = 0; k < opt_.thresholds.size(); ++k)
        for (std::size_t s = 0; s < opt_.fss_scales.size(); ++s)
          f.push_back(
              {"fss@" + threshold_name(opt_.thresholds[k]) + "/" + std::to_string(opt_.fss_scales[s]) + "px",
               l.fractions[k * opt_.fss_scales.size() + s].fss()});
    f.push_back({"mse", ratio(l.sq, l.pixels)});
    f.push_back({"mae", ratio(l.abs, l.pixels)});
    // The probabilistic scores, for every source alike (a single field is an ensemble of one: its CRPS is
    // its MAE, its Brier score that of probabilities 0 and 1, its spread 0).
    const auto& e = l.ensemble;
    if (!intensity()) {
      f.push_back({"crps", ratio(e.crps, e.pixels)});
      f.push_back({"crps_fair", ratio(e.crps_fair, e.pixels)});
      // sqrt((M + 1) / M x mean variance) / RMSE of the mean: 1 for a reliable ensemble.
      const double md = static_cast<double>(std::max<std::int64_t>(1, opt_.members));
      f.push_back({"spread_skill", std::sqrt((md + 1.0) / md * ratio(e.variance, e.pixels)) /
                                       std::sqrt(ratio(e.mean_sq, e.pixels))});
      for (std::size_t k = 0; k < opt_.thresholds.size(); ++k) {
        const auto name = threshold_name(opt_.thresholds[k]);
        const auto parts = brier_parts(e, k);
        f.push_back({"brier@" + name, ratio(e.brier[k], e.pixels)});
        f.push_back({"brier_rel@" + name, parts.rel});
        f.push_back({"brier_res@" + name, parts.res});
        f.push_back({"brier_unc@" + name, parts.unc});
        f.push_back({"roc_area@" + name, parts.roc});
      }
    }
    if (!intensity() && opt_.spectra)
      for (std::size_t b = 0; b < kSpectrumBands.size(); ++b)
        f.push_back({"power_ratio@" + std::to_string(kSpectrumBands[b]) + "px",
                     b < l.power_obs.size() ? ratio(l.power_pred[b], l.power_obs[b]) : std::nan("")});
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
