#include "eval/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/log.hpp"
#include "data/dataset.hpp"
#include "data/radar.hpp"
#include "data/windows.hpp"
#include "eval/baselines.hpp"
#include "eval/forecaster.hpp"

namespace convlstm::eval {

namespace {

std::string number(double v) {
  if (std::isnan(v)) return "nan";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
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

}  // namespace

const std::vector<std::string>& known_baselines() {
  static const std::vector<std::string> b{"persistence", "optical-flow"};
  return b;
}

Evaluation evaluate(const EvaluateOptions& o) {
  for (const auto& b : o.baselines)
    if (std::find(known_baselines().begin(), known_baselines().end(), b) == known_baselines().end())
      throw UsageError("--baselines: unknown baseline '" + b + "' (known: persistence, optical-flow)");
  if (std::count(o.baselines.begin(), o.baselines.end(), "optical-flow") && !optical_flow_available())
    throw UsageError(
        "--baselines optical-flow: this convlstm was built without OpenCV (apt-get install "
        "libopencv-video-dev, "
        "then rebuild)");
  Forecaster model(o.checkpoint, o.batch);
  const auto& cfg = model.config();
  data::DatasetReader reader(o.data);
  const auto& meta = reader.meta();
  if (meta.quantity != model.quantity())
    throw DataError(o.data + ": quantity " + meta.quantity + ", but the model was trained on " +
                    model.quantity());
  data::WindowReader windows_reader(reader, cfg.data.crop, cfg.data.downsample, std::nullopt);
  const auto& spec = model.spec();
  if (windows_reader.height() != spec.height || windows_reader.width() != spec.width ||
      windows_reader.channels() != spec.channels)
    throw DataError(o.data + ": frames are " + std::to_string(windows_reader.height()) + "x" +
                    std::to_string(windows_reader.width()) +
                    " after the config's crop and downsample, the model takes " +
                    std::to_string(spec.height) + "x" + std::to_string(spec.width));
  const std::int64_t t_in = model.t_in(), t_out = model.t_out(), fs = model.frame_size(), B = model.batch();
  auto starts = data::all_windows(meta, t_in + t_out, o.stride);
  if (o.max_windows && static_cast<std::int64_t>(starts.size()) > *o.max_windows)
    starts.resize(*o.max_windows);
  if (starts.empty())
    throw DataError(o.data + ": no window of " + std::to_string(t_in + t_out) +
                    " consecutive frames to evaluate");

  ScoreOptions so;
  if (o.thresholds) so.thresholds = *o.thresholds;
  so.quantity = meta.quantity;
  so.zr_a = cfg.data.normalize.zr_a;
  so.zr_b = cfg.data.normalize.zr_b;
  Evaluation e;
  e.quantity = meta.quantity;
  e.units = meta.units;
  e.sources.push_back({"model", Scores(t_out, so)});
  for (const auto& b : o.baselines) e.sources.push_back({b, Scores(t_out, so)});
  if (meta.timestep_s)
    for (std::int64_t t = 1; t <= t_out; ++t) e.lead_times_s.push_back(t * *meta.timestep_s);

  std::vector<float> window(static_cast<std::size_t>((t_in + t_out) * fs)), wmask(window.size());
  std::vector<float> inputs(static_cast<std::size_t>(B * t_in * fs)), imask(inputs.size());
  std::vector<float> targets(static_cast<std::size_t>(B * t_out * fs)), tmask(targets.size());
  std::vector<float> pred(targets.size()), base(static_cast<std::size_t>(t_out * fs));
  const std::int64_t h = spec.height, w = spec.width;
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
      e.sources[0].scores.add(pred.data() + b * t_out * fs, obs, m, h, w);
      const float* in = inputs.data() + b * t_in * fs;
      const float* in_mask = imask.data() + b * t_in * fs;
      const float fill = meta.quantity == "reflectivity" ? data::kDbzFloor : 0.0f;
      for (std::size_t k = 1; k < e.sources.size(); ++k) {
        if (e.sources[k].name == "optical-flow")
          optical_flow_forecast(in, in_mask, {t_in, spec.channels, h, w}, t_out, meta.quantity, o.flow_method,
                                fill, base.data());
        else
          persistence_forecast(in, in_mask, t_in, t_out, fs, fill, base.data());
        e.sources[k].scores.add(base.data(), obs, m, h, w);
      }
    }
    e.windows += n;
    log::debug("evaluate: {} of {} windows", e.windows, starts.size());
  }
  return e;
}

std::string format_table(const Evaluation& e) {
  std::ostringstream os;
  const auto& opt = e.sources[0].scores.options();
  os << "evaluated " << e.windows << " windows (" << e.quantity << ", " << e.units << ")\n";
  const bool intensity = e.sources[0].scores.intensity();
  // Columns: lead, then per source CSI at each threshold (or BCE/SSIM for intensity) and MSE.
  os << "lead      ";
  for (const auto& s : e.sources) {
    if (intensity) {
      os << " " << s.name << ":bce  " << s.name << ":ssim ";
    } else {
      for (double t : opt.thresholds) os << " " << s.name.substr(0, 5) << ":csi@" << t;
    }
    os << " " << s.name.substr(0, 5) << ":mse";
  }
  os << "\n";
  for (std::int64_t t = -1; t < e.sources[0].scores.t_out(); ++t) {
    std::string lead = t < 0
                           ? "mean"
                           : (e.lead_times_s.empty()
                                  ? "+" + std::to_string(t + 1)
                                  : std::to_string(static_cast<long long>(e.lead_times_s[t] / 60)) + " min");
    char head[16];
    std::snprintf(head, sizeof head, "%-10s", lead.c_str());
    os << head;
    for (const auto& s : e.sources) {
      for (const auto& [name, v] : s.scores.figures(t)) {
        const bool show = intensity ? (name == "bce_per_frame" || name == "ssim" || name == "mse")
                                    : (name.rfind("csi@", 0) == 0 || name == "mse");
        if (show) {
          char cell[32];
          std::snprintf(cell, sizeof cell, " %12s", number(v).c_str());
          os << cell;
        }
      }
    }
    os << "\n";
  }
  if (intensity) {
    for (const auto& s : e.sources)
      for (const auto& [name, v] : s.scores.figures(-1))
        if (name == "bce_per_sequence") os << s.name << ": cross-entropy per sequence " << number(v) << "\n";
  }
  return os.str();
}

void write_csv(const Evaluation& e, const std::string& path) {
  std::ostringstream os;
  os << "source,lead,lead_time_s";
  for (const auto& [name, v] : e.sources[0].scores.figures(0)) os << "," << name;
  os << "\n";
  for (const auto& s : e.sources) {
    for (std::int64_t t = 0; t <= s.scores.t_out(); ++t) {
      const bool mean = t == s.scores.t_out();
      os << s.name << "," << (mean ? "mean" : std::to_string(t + 1)) << ","
         << (mean || e.lead_times_s.empty() ? "" : number(e.lead_times_s[t]));
      for (const auto& [name, v] : s.scores.figures(mean ? -1 : t))
        if (name != "bce_per_sequence") os << "," << number(v);
      os << "\n";
    }
  }
  write_atomically(path, os.str());
}

void write_json(const Evaluation& e, const std::string& path) {
  auto obj = [](const std::vector<std::pair<std::string, double>>& f) {
    std::string s = "{";
    for (std::size_t i = 0; i < f.size(); ++i)
      s += (i ? ", " : "") + ("\"" + f[i].first + "\": ") +
           (std::isnan(f[i].second) ? "null" : number(f[i].second));
    return s + "}";
  };
  std::ostringstream os;
  os << "{\n  \"windows\": " << e.windows << ",\n  \"quantity\": \"" << e.quantity << "\",\n  \"units\": \""
     << e.units << "\",\n  \"thresholds\": [";
  const auto& th = e.sources[0].scores.options().thresholds;
  for (std::size_t i = 0; i < th.size(); ++i) os << (i ? ", " : "") << number(th[i]);
  os << "],\n  \"lead_times_s\": [";
  for (std::size_t i = 0; i < e.lead_times_s.size(); ++i) os << (i ? ", " : "") << number(e.lead_times_s[i]);
  os << "],\n  \"sources\": {";
  for (std::size_t k = 0; k < e.sources.size(); ++k) {
    const auto& s = e.sources[k];
    os << (k ? "," : "") << "\n    \"" << s.name << "\": {\n      \"mean\": " << obj(s.scores.figures(-1))
       << ",\n      \"per_lead\": [";
    for (std::int64_t t = 0; t < s.scores.t_out(); ++t)
      os << (t ? ",\n        " : "\n        ") << obj(s.scores.figures(t));
    os << "]\n    }";
  }
  os << "\n  }\n}\n";
  write_atomically(path, os.str());
}

}  // namespace convlstm::eval
