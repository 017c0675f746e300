#include "eval/evaluate.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "cascade/base_nowcast.hpp"
#include "cascade/sprog.hpp"
#include "cascade/steps.hpp"
#include "core/enum_names.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "data/dataset.hpp"
#include "data/units.hpp"
#include "data/windows.hpp"
#include "eval/baselines.hpp"
#include "eval/forecaster.hpp"

namespace convlstm::eval {

namespace {

// Full precision in the CSV and JSON: the shortest text that reads back as the same double.
std::string number(double v) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// Writes text to `path` through a temporary file, so a failure never leaves a half-written report.
void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".partial";
  {
    std::ofstream out(tmp);
    out << text;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw DataError(path + ": cannot write (directory missing or disk full?)");
    }
  }
  data::commit_file(tmp, path);
}

// A JSON string literal's contents: quotes, backslashes and control characters escaped (units and quantity
// are free text from a data file).
std::string json_string(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

// "mean", "+3" or "15 min".
std::string lead_name(const Evaluation& e, std::int64_t t) {
  if (t < 0) return "mean";
  if (e.lead_times_s.empty()) return "+" + std::to_string(t + 1);
  return std::to_string(static_cast<long long>(e.lead_times_s[static_cast<std::size_t>(t)] / 60)) + " min";
}

}  // namespace

const std::vector<std::string>& known_baselines() {
  static const std::vector<std::string> b{"persistence", "optical-flow", "sprog", "steps"};
  return b;
}

std::vector<std::string> default_baselines() {
  if (motion::optical_flow_available()) return {"persistence", "optical-flow", "sprog"};
  return {"persistence"};
}

namespace {

// The baselines and the forecasts from files, one window at a time: what they share (one motion field per
// window) and what they make once (S-PROG's and STEPS' FFT plans), then each source scored in e.sources'
// order after the model.
class WindowBaselines {
 public:
  WindowBaselines(const Forecaster& model, const data::DatasetMeta& meta, const EvaluateOptions& o,
                  const std::vector<ExternalSource>& external, const EvaluationGrid& eg)
      : o_(o),
        meta_(meta),
        external_(external),
        eg_(eg),
        frames_{model.t_in(), model.channels(), model.height(), model.width()},
        t_out_(model.t_out()),
        fill_(data::dry_value(meta.field.quantity)),
        base_(static_cast<std::size_t>(model.t_out() * model.frame_size())) {
    needs_motion_ = wants("optical-flow") || wants("sprog") || wants("steps");
    if (!wants("sprog") && !wants("steps")) return;
    if (model.channels() != 1)
      throw UsageError("--baselines sprog, steps: forecast one channel, the data has " +
                       std::to_string(model.channels()));
    const auto so = cascade::sprog_options(meta.field.quantity, model.description().normalize);
    const std::int64_t h = model.height(), w = model.width();
    if (wants("sprog")) sprog_ = std::make_unique<cascade::Sprog>(h, w, so);
    if (wants("steps"))
      steps_ = std::make_unique<cascade::Steps>(h, w, so, cascade::StepsOptions{o.members, o.seed});
  }

  // One window starting at frame `start`: inputs and mask (t_in, frame), the truth and its mask (t_out,
  // frame).
  void score(std::int64_t start, const float* in, const float* in_mask, const float* obs, const float* m,
             Evaluation& e) {
    const std::int64_t t_in = frames_.t_in, fs = frames_.frame_size(), h = frames_.height, w = frames_.width;
    if (needs_motion_)
      motion_ = motion::estimate_motion(in, in_mask, frames_, meta_.field.quantity, o_.flow_method);
    for (std::size_t k = 1; k < e.sources.size(); ++k) {
      auto& scores = e.sources[k].scores;
      const auto& name = e.sources[k].name;
      if (k > o_.baselines.size()) {  // a forecast from files
        const auto& x = external_[k - 1 - o_.baselines.size()];
        external_forecast(x, meta_.field.time[static_cast<std::size_t>(start + t_in - 1)], eg_, fill_,
                          members_);
        x.members > 1 ? scores.add_ensemble(members_.data(), obs, m, h, w)
                      : scores.add(members_.data(), obs, m, h, w);
      } else if (name == "steps") {
        members_.resize(static_cast<std::size_t>(o_.members * t_out_ * fs));
        steps_->forecast(in, in_mask, t_in, motion_, t_out_, static_cast<std::uint64_t>(start),
                         members_.data());
        scores.add_ensemble(members_.data(), obs, m, h, w);
      } else {
        if (name == "optical-flow")
          motion::advect(in + (t_in - 1) * fs, in_mask + (t_in - 1) * fs, motion_, frames_, t_out_, fill_,
                         base_.data());
        else if (name == "sprog")
          sprog_->forecast(in, in_mask, t_in, motion_, t_out_, base_.data());
        else
          persistence_forecast(in, in_mask, t_in, t_out_, fs, fill_, base_.data());
        scores.add(base_.data(), obs, m, h, w);
      }
    }
  }

 private:
  bool wants(const char* name) const {
    return std::find(o_.baselines.begin(), o_.baselines.end(), name) != o_.baselines.end();
  }

  const EvaluateOptions& o_;
  const data::DatasetMeta& meta_;
  const std::vector<ExternalSource>& external_;
  const EvaluationGrid& eg_;
  motion::FlowFrames frames_;
  std::int64_t t_out_;
  float fill_;
  bool needs_motion_ = false;
  std::unique_ptr<cascade::Sprog> sprog_;
  std::unique_ptr<cascade::Steps> steps_;
  std::vector<float> motion_, base_, members_;
};

// Every window, the forecaster's batch at a time: the model's forecast and each other source's, scored
// against the observed frames into e.sources (the model first, then the baselines, then the forecasts from
// files).
void score_windows(Forecaster& model, data::WindowReader& windows_reader,
                   const std::vector<std::int64_t>& starts, WindowBaselines& baselines, Evaluation& e) {
  const std::int64_t t_in = model.t_in(), t_out = model.t_out(), fs = model.frame_size(), B = model.batch();
  std::vector<float> window(static_cast<std::size_t>((t_in + t_out) * fs)), wmask(window.size());
  std::vector<float> inputs(static_cast<std::size_t>(B * t_in * fs)), imask(inputs.size());
  std::vector<float> targets(static_cast<std::size_t>(B * t_out * fs)), tmask(targets.size());
  const std::int64_t M = model.members();  // a stochastic model's ensemble: M forecasts per window
  std::vector<float> pred(static_cast<std::size_t>(B * M * t_out * fs));
  const std::int64_t h = model.height(), w = model.width();
  for (std::size_t first = 0; first < starts.size(); first += static_cast<std::size_t>(B)) {
    const std::int64_t n = std::min<std::int64_t>(B, static_cast<std::int64_t>(starts.size() - first));
    for (std::int64_t b = 0; b < B; ++b) {
      const std::int64_t src = b < n ? b : 0;  // pad a short final batch; padded outputs are ignored
      windows_reader.read(starts[first + src], t_in + t_out, window.data(), wmask.data());
      std::copy_n(window.data(), t_in * fs, inputs.data() + b * t_in * fs);
      std::copy_n(wmask.data(), t_in * fs, imask.data() + b * t_in * fs);
      std::copy_n(window.data() + t_in * fs, t_out * fs, targets.data() + b * t_out * fs);
      std::copy_n(wmask.data() + t_in * fs, t_out * fs, tmask.data() + b * t_out * fs);
    }
    model.forecast(inputs.data(), imask.data(), pred.data());
    for (std::int64_t b = 0; b < n; ++b) {
      const float* obs = targets.data() + b * t_out * fs;
      const float* m = tmask.data() + b * t_out * fs;
      const float* p = pred.data() + b * M * t_out * fs;
      M > 1 ? e.sources[0].scores.add_ensemble(p, obs, m, h, w) : e.sources[0].scores.add(p, obs, m, h, w);
      baselines.score(starts[first + static_cast<std::size_t>(b)], inputs.data() + b * t_in * fs,
                      imask.data() + b * t_in * fs, obs, m, e);
    }
    e.windows += n;
    log::debug("evaluate: {} of {} windows", e.windows, starts.size());
  }
}

// The --forecast sources, indexed and checked against the evaluated frames, and the windows kept: those whose
// analysis time every source has a forecast for.
std::vector<ExternalSource> match_forecasts(const EvaluateOptions& o, const data::DatasetMeta& meta,
                                            const checkpoint::ModelDescription& trained,
                                            const Forecaster& model, std::vector<std::int64_t>& starts,
                                            EvaluationGrid& g) {
  std::vector<ExternalSource> out;
  if (o.forecasts.empty()) return out;
  if (meta.field.time.empty())
    throw DataError(o.data +
                    ": no /time, so forecasts from files (--forecast) cannot be matched by valid time");
  g.height = model.height();
  g.width = model.width();
  g.quantity = meta.field.quantity;
  g.t_out = model.t_out();
  g.timestep = meta.field.timestep_s ? static_cast<std::int64_t>(std::llround(*meta.field.timestep_s))
                                     : data::nominal_step(meta.field.time);
  const auto& dg = meta.field.grid;
  if (dg.known() && dg.rows == meta.height && dg.cols == meta.width) {
    const data::Crop c = trained.crop.value_or(data::Crop{0, 0, meta.height, meta.width});
    g.grid = dg.cropped(c.y0, c.x0, c.height, c.width).downsampled(trained.downsample);
  }
  for (const auto& f : o.forecasts) {
    if (f.name == "model" || std::count(o.baselines.begin(), o.baselines.end(), f.name) ||
        std::any_of(out.begin(), out.end(), [&](const ExternalSource& x) { return x.name == f.name; }))
      throw UsageError("--forecast " + f.name + ": the name of another source; give it another");
    out.push_back(index_forecasts(f, g));
    // A forecast must start at a frame's valid time: one between frames matches nothing by mistake.
    const auto& times = meta.field.time;
    for (const auto& [analysis, entry] : out.back().by_analysis)
      if (!std::binary_search(times.begin(), times.end(), analysis))
        throw DataError(entry.path + ": analysis time " + std::to_string(analysis) +
                        " s is the valid time of no frame of " + o.data + " (frames from " +
                        std::to_string(times.front()) + " s every " + std::to_string(g.timestep) + " s)");
  }
  const std::int64_t t_in = model.t_in();
  std::vector<std::int64_t> kept;
  for (auto s : starts) {
    const auto analysis = meta.field.time[static_cast<std::size_t>(s + t_in - 1)];
    if (std::all_of(out.begin(), out.end(),
                    [&](const ExternalSource& x) { return x.by_analysis.count(analysis); }))
      kept.push_back(s);
  }
  if (kept.empty())
    throw DataError("--forecast " + o.forecasts[0].name +
                    ": no forecast has the analysis time of any of the " + std::to_string(starts.size()) +
                    " windows of " + o.data + " (the first's is " +
                    std::to_string(meta.field.time[static_cast<std::size_t>(starts[0] + t_in - 1)]) + " s)");
  log::info("evaluate: {} of {} windows have a forecast from every --forecast source", kept.size(),
            starts.size());
  starts = std::move(kept);
  return out;
}

}  // namespace

Evaluation evaluate(const EvaluateOptions& o) {
  for (const auto& b : o.baselines)
    if (std::find(known_baselines().begin(), known_baselines().end(), b) == known_baselines().end())
      throw UsageError("--baselines: unknown baseline '" + b + "' (known: " + one_of(known_baselines()) +
                       ")");
  for (const char* needs_flow : {"optical-flow", "sprog", "steps"})
    if (std::count(o.baselines.begin(), o.baselines.end(), needs_flow) && !motion::optical_flow_available())
      throw UsageError(std::string("--baselines ") + needs_flow +
                       ": this convlstm was built without OpenCV (apt-get install libopencv-video-dev, then "
                       "rebuild)");
  std::string reference = o.reference;
  if (!reference.empty() && std::find(o.baselines.begin(), o.baselines.end(), reference) == o.baselines.end())
    throw UsageError("--reference " + reference + ": not among the baselines scored (--baselines)");
  if (reference.empty() && !o.baselines.empty())
    reference = std::count(o.baselines.begin(), o.baselines.end(), "optical-flow") ? "optical-flow"
                                                                                   : o.baselines.front();
  if (o.members < 1) throw UsageError("--members: expected at least 1");
  // A stochastic model (model.noise) is scored as an ensemble of --members, like STEPS; a deterministic one
  // as its single field.
  const auto described = checkpoint::read_checkpoint_info(o.checkpoint).model;
  const bool stochastic = described && described->spec.stochastic();
  // The net runs batch x members rows: an ensemble takes fewer sequences per pass, so that the rows (and the
  // memory, which grows with them: 20 members of a 765x700 composite take about 1 GiB) stay about --batch.
  const std::int64_t members = stochastic ? o.members : 1;
  Forecaster model(o.checkpoint, std::max<std::int64_t>(1, o.batch / members), members, o.seed);
  const auto& trained = model.description();
  data::DatasetReader reader(o.data);
  const auto& meta = reader.meta();
  if (meta.field.quantity != model.quantity())
    throw DataError(o.data + ": quantity " + data::to_string(meta.field.quantity) +
                    ", but the model was trained on " + data::to_string(model.quantity()));
  data::WindowReader windows_reader(reader, trained.crop, trained.downsample, std::nullopt);
  if (windows_reader.channels() != model.channels())
    throw DataError(o.data + ": frames have " + std::to_string(windows_reader.channels()) +
                    " channels, the model takes " + std::to_string(model.channels()));
  model.set_grid(windows_reader.height(), windows_reader.width(), o.data);  // any grid (eval/forecaster.hpp)
  const std::int64_t t_in = model.t_in(), t_out = model.t_out();
  auto starts = data::all_windows(meta, t_in + t_out, o.stride);
  if (o.max_windows && static_cast<std::int64_t>(starts.size()) > *o.max_windows)
    starts.resize(*o.max_windows);
  if (starts.empty())
    throw DataError(o.data + ": no window of " + std::to_string(t_in + t_out) +
                    " consecutive frames to evaluate");
  EvaluationGrid eg;
  const auto external = match_forecasts(o, meta, trained, model, starts, eg);

  ScoreOptions so;
  if (o.thresholds) so.thresholds = *o.thresholds;
  so.quantity = meta.field.quantity;
  so.zr_a = trained.normalize.zr_a;
  so.zr_b = trained.normalize.zr_b;
  so.keep_windows = o.bootstrap > 0;
  if (o.bootstrap < 0) throw UsageError("--bootstrap: expected a number of replicates, 0 or more");
  if (o.block && *o.block < 1) throw UsageError("--block: expected at least 1 window");
  Evaluation e;
  e.quantity = meta.field.quantity;
  e.units = meta.field.units;
  e.reference = reference;
  {  // the evaluated frames' pixel: the data's, through the model's training domain
    const auto& g = meta.field.grid;
    if (g.known() && g.dx > 0) e.pixel_m = g.dx * static_cast<double>(trained.downsample);
  }
  {
    ScoreOptions mo = so;
    if (model.members() > 1) mo.members = model.members();
    e.sources.push_back({"model", Scores(t_out, mo)});
  }
  for (const auto& b : o.baselines) {
    ScoreOptions bo = so;
    if (b == "steps") bo.members = o.members;
    e.sources.push_back({b, Scores(t_out, bo)});
  }
  if (meta.field.timestep_s)
    for (std::int64_t t = 1; t <= t_out; ++t) e.lead_times_s.push_back(t * *meta.field.timestep_s);

  for (const auto& x : external) {
    ScoreOptions xo = so;
    if (x.members > 1) xo.members = x.members;
    e.sources.push_back({x.name, Scores(t_out, xo)});
  }
  WindowBaselines baselines(model, meta, o, external, eg);
  score_windows(model, windows_reader, starts, baselines, e);
  if (o.bootstrap > 0) {
    BootstrapOptions bo;
    bo.replicates = o.bootstrap;
    bo.block = o.block ? *o.block : default_block(t_in + t_out, o.stride);
    bo.seed = o.bootstrap_seed;
    std::vector<const Scores*> scores;
    for (const auto& s : e.sources) scores.push_back(&s.scores);
    e.bootstrap = bootstrap(scores, bo);
    log::info("evaluate: {} bootstrap replicates of {} windows in blocks of {}", bo.replicates, e.windows,
              bo.block);
  }
  return e;
}

namespace {

// The printed blocks: the figure's name, its title, and whether higher is better (+1), lower (-1) or neither.
struct Block {
  std::string figure, title;
  int better;
};

std::vector<Block> printed_blocks(const Evaluation& e) {
  const auto& opt = e.sources[0].scores.options();
  std::vector<Block> b;
  if (e.sources[0].scores.intensity()) {
    b.push_back({"bce_per_frame", "cross-entropy per frame (lower is better)", -1});
    b.push_back({"ssim", "SSIM (higher is better)", 1});
    b.push_back({"mse", "MSE (lower is better)", -1});
    return b;
  }
  const std::string u = e.units;
  const auto thr = [&](double t) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", t);
    return std::string(buf);
  };
  for (double t : opt.thresholds)
    b.push_back({"csi@" + thr(t), "CSI at " + thr(t) + " mm/h (higher is better)", 1});
  // FSS at one neighbourhood in print (9 pixels when scored; every scale is in the CSV and JSON).
  if (!opt.fss_scales.empty()) {
    const auto& sc = opt.fss_scales;
    const std::int64_t n = std::find(sc.begin(), sc.end(), 9) != sc.end() ? 9 : sc[sc.size() / 2];
    for (double t : opt.thresholds)
      b.push_back(
          {"fss@" + thr(t) + "/" + std::to_string(n) + "px",
           "FSS at " + thr(t) + " mm/h, " + std::to_string(n) + " px" +
               (e.pixel_m > 0 ? " (" + thr(static_cast<double>(n) * e.pixel_m / 1000.0) + " km)" : "") +
               " (higher is better)",
           1});
  }
  b.push_back({"mse", "MSE, (" + u + ")^2 (lower is better)", -1});
  b.push_back({"crps", "CRPS, " + u + " (lower is better; of a single field: its MAE)", -1});
  const bool ensemble = std::any_of(e.sources.begin(), e.sources.end(),
                                    [](const SourceScores& s) { return s.scores.ensemble(); });
  if (ensemble) {
    for (double t : opt.thresholds)
      b.push_back({"brier@" + thr(t), "Brier score at " + thr(t) + " mm/h (lower is better)", -1});
    b.push_back({"spread_skill", "spread/skill (1: as spread as wrong; a single field 0)", 0});
  }
  return b;
}

std::string fixed3(double v, bool sign = false) {
  if (std::isnan(v)) return "–";
  char buf[32];
  std::snprintf(buf, sizeof buf, sign ? "%+.3f" : "%.3f", v);
  return buf;
}

double figure_of(const std::vector<std::pair<std::string, double>>& f, const std::string& name) {
  for (const auto& [n, v] : f)
    if (n == name) return v;
  return std::nan("");
}

}  // namespace

std::string format_table(const Evaluation& e) {
  std::ostringstream os;
  os << "evaluated " << e.windows << " windows of " << data::to_string(e.quantity) << " (" << e.units << ")";
  // The reference's difference, with its interval when bootstrapped.
  std::size_t ref = 0;
  for (std::size_t k = 1; k < e.sources.size(); ++k)
    if (e.sources[k].name == e.reference) ref = k;
  if (ref) {
    os << "; model - " << e.reference;
    if (e.bootstrap) {
      const auto& bo = e.bootstrap->options;
      os << " with " << std::lround(100 * bo.level) << "% block-bootstrap intervals (" << bo.replicates
         << " replicates, blocks of " << bo.block
         << " windows): + the model is better over the whole interval, - worse";
    }
  }
  os << "\n";
  std::size_t width = 6;
  for (const auto& s : e.sources) width = std::max(width, s.name.size());
  const std::int64_t t_out = e.sources[0].scores.t_out();
  for (const auto& block : printed_blocks(e)) {
    os << "\n" << block.title << "\n";
    char cell[160];
    std::snprintf(cell, sizeof cell, "%-8s", "lead");
    os << cell;
    for (const auto& s : e.sources) {
      std::snprintf(cell, sizeof cell, "  %*s", static_cast<int>(width), s.name.c_str());
      os << cell;
    }
    if (ref) os << "   model - " << e.reference;
    os << "\n";
    for (std::int64_t t = 0; t <= t_out; ++t) {
      const std::int64_t lead = t < t_out ? t : -1;  // the mean last
      std::snprintf(cell, sizeof cell, "%-8s", lead_name(e, lead).c_str());
      os << cell;
      for (const auto& s : e.sources) {
        std::snprintf(cell, sizeof cell, "  %*s", static_cast<int>(width),
                      fixed3(figure_of(s.scores.figures(lead), block.figure)).c_str());
        os << cell;
      }
      if (ref) {
        const double diff = figure_of(e.sources[0].scores.figures(lead), block.figure) -
                            figure_of(e.sources[ref].scores.figures(lead), block.figure);
        os << "   " << fixed3(diff, true);
        if (e.bootstrap) {
          const auto& d = e.bootstrap->differences[ref - 1];
          const auto& row = lead < 0 ? d.mean() : d.leads[static_cast<std::size_t>(lead)];
          for (const auto& [name, iv] : row)
            if (name == block.figure && !std::isnan(iv.lo)) {
              const bool good = block.better > 0 ? iv.lo > 0 : iv.hi < 0;
              const bool bad = block.better > 0 ? iv.hi < 0 : iv.lo > 0;
              os << " [" << fixed3(iv.lo, true) << ", " << fixed3(iv.hi, true) << "]"
                 << (block.better == 0 ? ""
                     : good            ? " +"
                     : bad             ? " -"
                                       : "");
            }
        }
      }
      os << "\n";
    }
  }
  if (e.sources[0].scores.intensity()) {
    for (const auto& s : e.sources)
      for (const auto& [name, v] : s.scores.figures(-1))
        if (name == "bce_per_sequence")
          os << "\n" << s.name << ": cross-entropy per sequence " << number(v) << "\n";
  }
  return os.str();
}

void write_csv(const Evaluation& e, const std::string& path) {
  // One row per source (and, with the bootstrap, per difference "model-BASELINE") and lead; with the
  // bootstrap every figure has its interval in FIGURE_lo and FIGURE_hi columns.
  std::ostringstream os;
  os << "source,lead,lead_time_s";
  const auto columns = e.sources[0].scores.figures(0);
  for (const auto& [name, v] : columns) {
    os << "," << name;
    if (e.bootstrap) os << "," << name << "_lo," << name << "_hi";
  }
  os << "\n";
  const std::int64_t t_out = e.sources[0].scores.t_out();
  auto rows = [&](const std::string& source, const Scores& scores, const Scores* minus,
                  const FigureIntervals* iv) {
    for (std::int64_t t = 0; t <= t_out; ++t) {
      const bool mean = t == t_out;
      os << source << "," << (mean ? "mean" : std::to_string(t + 1)) << ","
         << (mean || e.lead_times_s.empty() ? "" : number(e.lead_times_s[t]));
      const auto f = scores.figures(mean ? -1 : t);
      const auto g = minus ? minus->figures(mean ? -1 : t) : f;
      for (std::size_t k = 0; k < columns.size(); ++k) {  // per-lead figures (no bce_per_sequence)
        os << "," << number(minus ? f[k].second - g[k].second : f[k].second);
        if (iv) {
          const auto& i = iv->leads[static_cast<std::size_t>(t)][k].second;
          os << "," << number(i.lo) << "," << number(i.hi);
        }
      }
      os << "\n";
    }
  };
  for (std::size_t k = 0; k < e.sources.size(); ++k)
    rows(e.sources[k].name, e.sources[k].scores, nullptr, e.bootstrap ? &e.bootstrap->sources[k] : nullptr);
  if (e.bootstrap)
    for (std::size_t k = 1; k < e.sources.size(); ++k)
      rows(e.sources[0].name + "-" + e.sources[k].name, e.sources[0].scores, &e.sources[k].scores,
           &e.bootstrap->differences[k - 1]);
  write_atomically(path, os.str());
}

namespace {

// Pooled over leads and windows: the reliability diagram's bins per threshold and the rank histogram, as
// the members of a source's JSON object.
std::string probabilistic_json(const Scores& scores, const std::vector<double>& thresholds) {
  auto list = [](const std::vector<double>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
      out += (i ? ", " : "") + (std::isnan(v[i]) ? "null" : number(v[i]));
    return out + "]";
  };
  std::ostringstream os;
  const auto rel = scores.reliability();
  os << ",\n      \"reliability\": [";
  for (std::size_t i = 0; i < rel.size(); ++i)
    os << (i ? ", " : "") << "{\"threshold\": " << number(thresholds[i])
       << ", \"count\": " << list(rel[i].count) << ", \"forecast\": " << list(rel[i].forecast)
       << ", \"observed\": " << list(rel[i].observed) << "}";
  os << "],\n      \"rank_histogram\": " << list(scores.rank_histogram());
  return os.str();
}

}  // namespace

void write_json(const Evaluation& e, const std::string& path) {
  auto obj = [](const std::vector<std::pair<std::string, double>>& f) {
    std::string s = "{";
    for (std::size_t i = 0; i < f.size(); ++i)
      s += (i ? ", " : "") + ("\"" + f[i].first + "\": ") +
           (std::isnan(f[i].second) ? "null" : number(f[i].second));
    return s + "}";
  };
  std::ostringstream os;
  os << "{\n  \"windows\": " << e.windows << ",\n  \"quantity\": \""
     << json_string(data::to_string(e.quantity)) << "\",\n  \"units\": \"" << json_string(e.units)
     << "\",\n  \"thresholds\": [";
  const auto& th = e.sources[0].scores.options().thresholds;
  for (std::size_t i = 0; i < th.size(); ++i) os << (i ? ", " : "") << number(th[i]);
  os << "],\n  \"lead_times_s\": [";
  for (std::size_t i = 0; i < e.lead_times_s.size(); ++i) os << (i ? ", " : "") << number(e.lead_times_s[i]);
  // The FSS neighbourhoods, in pixels and, when the grid is known, in km.
  const auto& scales = e.sources[0].scores.options().fss_scales;
  os << "],\n  \"fss_scales_px\": [";
  for (std::size_t i = 0; i < scales.size(); ++i) os << (i ? ", " : "") << scales[i];
  os << "],\n  \"fss_scales_km\": [";
  for (std::size_t i = 0; i < scales.size() && e.pixel_m > 0; ++i)
    os << (i ? ", " : "") << number(static_cast<double>(scales[i]) * e.pixel_m / 1000.0);
  os << "],\n  \"sources\": {";
  for (std::size_t k = 0; k < e.sources.size(); ++k) {
    const auto& s = e.sources[k];
    std::string defined = "{";
    for (const auto& [name, n] : s.scores.defined_leads())
      defined += (defined.size() > 1 ? ", \"" : "\"") + name + "\": " + std::to_string(n);
    defined += "}";
    os << (k ? "," : "") << "\n    \"" << s.name << "\": {\n      \"mean\": " << obj(s.scores.figures(-1))
       << ",\n      \"mean_defined_leads\": " << defined << ",\n      \"per_lead\": [";
    for (std::int64_t t = 0; t < s.scores.t_out(); ++t)
      os << (t ? ",\n        " : "\n        ") << obj(s.scores.figures(t));
    os << "]";
    if (!s.scores.intensity()) os << probabilistic_json(s.scores, th);
    os << "\n    }";
  }
  os << "\n  }";
  if (e.bootstrap) {
    // Intervals {"figure": [lo, hi]} per lead and of the mean, for each source and each difference.
    auto ivs = [](const std::vector<std::pair<std::string, Interval>>& f) {
      std::string s = "{";
      for (std::size_t i = 0; i < f.size(); ++i)
        s += (i ? ", " : "") + ("\"" + f[i].first + "\": [") +
             (std::isnan(f[i].second.lo) ? "null" : number(f[i].second.lo)) + ", " +
             (std::isnan(f[i].second.hi) ? "null" : number(f[i].second.hi)) + "]";
      return s + "}";
    };
    auto block = [&](const FigureIntervals& fi, const Scores& scores, const Scores* minus) {
      auto point = [&](std::int64_t t) {
        auto f = scores.figures(t);
        if (minus) {
          const auto g = minus->figures(t);
          for (std::size_t k = 0; k < f.size(); ++k) f[k].second -= g[k].second;
        }
        return obj(f);
      };
      std::ostringstream b;
      b << "{\n      \"mean\": " << point(-1) << ",\n      \"mean_interval\": " << ivs(fi.mean())
        << ",\n      \"per_lead\": [";
      for (std::int64_t t = 0; t < scores.t_out(); ++t) b << (t ? ", " : "") << point(t);
      b << "],\n      \"per_lead_interval\": [";
      for (std::int64_t t = 0; t < scores.t_out(); ++t)
        b << (t ? ", " : "") << ivs(fi.leads[static_cast<std::size_t>(t)]);
      b << "]\n    }";
      return b.str();
    };
    const auto& bo = e.bootstrap->options;
    os << ",\n  \"bootstrap\": {\"replicates\": " << bo.replicates << ", \"block\": " << bo.block
       << ", \"seed\": " << bo.seed << ", \"level\": " << number(bo.level) << "},\n  \"intervals\": {";
    for (std::size_t k = 0; k < e.sources.size(); ++k)
      os << (k ? "," : "") << "\n    \"" << e.sources[k].name
         << "\": " << block(e.bootstrap->sources[k], e.sources[k].scores, nullptr);
    os << "\n  },\n  \"differences\": {";
    for (std::size_t k = 1; k < e.sources.size(); ++k)
      os << (k > 1 ? "," : "") << "\n    \"" << e.sources[0].name << "-" << e.sources[k].name
         << "\": " << block(e.bootstrap->differences[k - 1], e.sources[0].scores, &e.sources[k].scores);
    os << "\n  }";
  }
  os << "\n}\n";
  write_atomically(path, os.str());
}

}  // namespace convlstm::eval
