#include "eval/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/error.hpp"

namespace convlstm::eval {

namespace {

// The q-quantile of the finite samples (linear interpolation between order statistics); NaN if none.
double quantile(std::vector<double>& v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(pos);
  const double frac = pos - static_cast<double>(i);
  return i + 1 < v.size() ? v[i] * (1.0 - frac) + v[i + 1] * frac : v[i];
}

// samples[lead][figure][replicate] -> intervals, names from `names[lead]`.
FigureIntervals intervals(std::vector<std::vector<std::vector<double>>>& samples,
                          const std::vector<std::vector<std::string>>& names, double level) {
  FigureIntervals out;
  const double tail = (1.0 - level) / 2.0;
  for (std::size_t t = 0; t < samples.size(); ++t) {
    out.leads.emplace_back();
    for (std::size_t k = 0; k < samples[t].size(); ++k) {
      std::vector<double> copy = samples[t][k];
      const double lo = quantile(copy, tail), hi = quantile(copy, 1.0 - tail);
      out.leads.back().push_back({names[t][k], {lo, hi}});
    }
  }
  return out;
}

}  // namespace

std::int64_t default_block(std::int64_t window, std::int64_t stride) {
  return std::max<std::int64_t>(1, (window + stride - 1) / std::max<std::int64_t>(1, stride));
}

std::vector<std::int64_t> block_resample(std::int64_t n, std::int64_t block, std::uint64_t seed,
                                         std::int64_t replicate) {
  CONVLSTM_CHECK(n >= 1 && block >= 1, "bootstrap of " << n << " windows in blocks of " << block);
  block = std::min(block, n);
  // One engine per replicate, seeded from (seed, replicate): replicates do not depend on one another.
  std::mt19937_64 engine(seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(replicate) + 1);
  const auto starts = static_cast<std::uint64_t>(n - block + 1);
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(n));
  while (static_cast<std::int64_t>(out.size()) < n) {
    const auto s = static_cast<std::int64_t>(engine() % starts);  // modulo bias < starts / 2^64
    for (std::int64_t i = 0; i < block && static_cast<std::int64_t>(out.size()) < n; ++i)
      out.push_back(s + i);
  }
  return out;
}

BootstrapResult bootstrap(const std::vector<const Scores*>& sources, const BootstrapOptions& o) {
  CONVLSTM_CHECK(
      !sources.empty() && o.replicates >= 1 && o.level > 0.0 && o.level < 1.0,
      "bootstrap of " << sources.size() << " sources, " << o.replicates << " replicates, level " << o.level);
  const std::int64_t n = sources[0]->windows(), t_out = sources[0]->t_out();
  for (const auto* s : sources)
    CONVLSTM_CHECK(s->windows() == n && s->t_out() == t_out && n >= 1,
                   "bootstrap needs every source scored with keep_windows over the same windows");
  const std::size_t S = sources.size(), T = static_cast<std::size_t>(t_out) + 1;
  std::vector<std::vector<std::string>> names(T);
  for (std::size_t t = 0; t < T; ++t)
    for (const auto& f : sources[0]->figures(t + 1 == T ? -1 : static_cast<std::int64_t>(t)))
      names[t].push_back(f.first);
  // values[source][lead][figure][replicate]
  std::vector<std::vector<std::vector<std::vector<double>>>> values(S);
  for (auto& v : values) {
    v.resize(T);
    for (std::size_t t = 0; t < T; ++t)
      v[t].assign(names[t].size(), std::vector<double>(static_cast<std::size_t>(o.replicates)));
  }
  for (std::int64_t r = 0; r < o.replicates; ++r) {
    const auto idx = block_resample(n, o.block, o.seed, r);
    for (std::size_t s = 0; s < S; ++s) {
      const Scores rs = sources[s]->resampled(idx);
      for (std::size_t t = 0; t < T; ++t) {
        const auto f = rs.figures(t + 1 == T ? -1 : static_cast<std::int64_t>(t));
        for (std::size_t k = 0; k < f.size(); ++k) values[s][t][k][static_cast<std::size_t>(r)] = f[k].second;
      }
    }
  }
  BootstrapResult out;
  out.options = o;
  for (std::size_t s = 0; s < S; ++s) out.sources.push_back(intervals(values[s], names, o.level));
  for (std::size_t s = 1; s < S; ++s) {
    auto diff = values[0];
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t k = 0; k < diff[t].size(); ++k)
        for (std::size_t r = 0; r < diff[t][k].size(); ++r) diff[t][k][r] -= values[s][t][k][r];
    out.differences.push_back(intervals(diff, names, o.level));
  }
  return out;
}

}  // namespace convlstm::eval
