#include "config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "core/error.hpp"

namespace convlstm::config {

namespace {

// A type or value problem found while setting one key; turned into a ConfigError with file, line and key.
struct Bad {
  std::string what;
};

// User text as it appears in an error: quoted, on one line, at most 60 characters.
std::string quoted(const std::string& text) {
  std::string s = text.size() > 60 ? text.substr(0, 57) + "..." : text;
  for (auto& ch : s)
    if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
  return "'" + s + "'";
}

std::string scalar_text(const YAML::Node& n) {
  if (n.IsScalar()) return quoted(n.Scalar());
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return "nothing";
}

std::int64_t as_int(const YAML::Node& n) {
  try {
    if (n.IsScalar()) return n.as<std::int64_t>();
  } catch (const YAML::Exception&) {
  }
  throw Bad{"expected an integer, got " + scalar_text(n)};
}

double as_double(const YAML::Node& n) {
  try {
    if (n.IsScalar()) return n.as<double>();
  } catch (const YAML::Exception&) {
  }
  throw Bad{"expected a number, got " + scalar_text(n)};
}

std::string as_string(const YAML::Node& n) {
  if (!n.IsScalar()) throw Bad{"expected a string, got " + scalar_text(n)};
  return n.Scalar();
}

std::string as_choice(const YAML::Node& n, const std::vector<std::string>& choices) {
  const std::string s = as_string(n);
  if (std::find(choices.begin(), choices.end(), s) == choices.end()) {
    std::string list;
    for (std::size_t i = 0; i < choices.size(); ++i) list += (i ? ", " : "") + choices[i];
    throw Bad{"expected one of " + list + ", got " + quoted(s)};
  }
  return s;
}

template <typename T, typename F>
std::optional<T> nullable(const YAML::Node& n, F f) {
  if (n.IsNull() || (n.IsScalar() && (n.Scalar() == "null" || n.Scalar() == "~"))) return std::nullopt;
  return f(n);
}

using Setter = std::function<void(Config&, const YAML::Node&)>;

const std::map<std::string, Setter>& leaves() {
  static const std::map<std::string, Setter> table = {
      {"data.train", [](Config& c, const YAML::Node& n) { c.data.train = as_string(n); }},
      {"data.val", [](Config& c, const YAML::Node& n) { c.data.val = nullable<std::string>(n, as_string); }},
      {"data.val_fraction", [](Config& c, const YAML::Node& n) { c.data.val_fraction = as_double(n); }},
      {"data.t_in", [](Config& c, const YAML::Node& n) { c.data.t_in = as_int(n); }},
      {"data.t_out", [](Config& c, const YAML::Node& n) { c.data.t_out = as_int(n); }},
      {"data.stride", [](Config& c, const YAML::Node& n) { c.data.stride = as_int(n); }},
      {"data.crop",
       [](Config& c, const YAML::Node& n) {
         c.data.crop = nullable<data::Crop>(n, [](const YAML::Node& v) {
           if (!v.IsSequence() || v.size() != 4) throw Bad{"expected null or [y0, x0, height, width]"};
           return data::Crop{as_int(v[0]), as_int(v[1]), as_int(v[2]), as_int(v[3])};
         });
       }},
      {"data.downsample", [](Config& c, const YAML::Node& n) { c.data.downsample = as_int(n); }},
      {"data.random_crop",
       [](Config& c, const YAML::Node& n) {
         c.data.random_crop = nullable<std::pair<std::int64_t, std::int64_t>>(n, [](const YAML::Node& v) {
           if (!v.IsSequence() || v.size() != 2) throw Bad{"expected null or [height, width]"};
           return std::pair<std::int64_t, std::int64_t>{as_int(v[0]), as_int(v[1])};
         });
       }},
      {"data.crop_min_wet", [](Config& c, const YAML::Node& n) { c.data.crop_min_wet = as_double(n); }},
      {"data.crop_wet_threshold",
       [](Config& c, const YAML::Node& n) { c.data.crop_wet_threshold = as_double(n); }},
      {"data.normalize.kind",
       [](Config& c, const YAML::Node& n) {
         c.data.normalize.kind = data::parse_normalize_kind(as_choice(n, {"linear", "log", "dbz"}));
       }},
      {"data.normalize.min", [](Config& c, const YAML::Node& n) { c.data.normalize.min = as_double(n); }},
      {"data.normalize.max", [](Config& c, const YAML::Node& n) { c.data.normalize.max = as_double(n); }},
      {"data.normalize.zr_a", [](Config& c, const YAML::Node& n) { c.data.normalize.zr_a = as_double(n); }},
      {"data.normalize.zr_b", [](Config& c, const YAML::Node& n) { c.data.normalize.zr_b = as_double(n); }},
      {"model.patch", [](Config& c, const YAML::Node& n) { c.model.patch = as_int(n); }},
      {"model.layers",
       [](Config& c, const YAML::Node& n) {
         if (!n.IsSequence()) throw Bad{"expected a list of {filters, k_x, k_h}"};
         c.model.layers.clear();
         for (std::size_t i = 0; i < n.size(); ++i) {
           const auto& l = n[i];
           if (!l.IsMap()) throw Bad{"layer " + std::to_string(i) + ": expected {filters, k_x, k_h}"};
           nn::LayerSpec spec{64, 3, 3};
           for (const auto& kv : l) {
             const std::string k = kv.first.Scalar();
             if (k == "filters")
               spec.filters = as_int(kv.second);
             else if (k == "k_x")
               spec.k_x = as_int(kv.second);
             else if (k == "k_h")
               spec.k_h = as_int(kv.second);
             else if (k == "k")
               spec.k_x = spec.k_h = as_int(kv.second);
             else
               throw Bad{"layer " + std::to_string(i) + ": unknown key " + quoted(k) +
                         " (expected filters, k_x, k_h or k)"};
           }
           c.model.layers.push_back(spec);
         }
       }},
      {"model.peephole",
       [](Config& c, const YAML::Node& n) {
         const auto s = as_choice(n, {"channel", "pixel", "none"});
         c.model.peephole = s == "channel" ? nn::Peephole::channel
                            : s == "pixel" ? nn::Peephole::pixel
                                           : nn::Peephole::none;
       }},
      {"model.forget_bias", [](Config& c, const YAML::Node& n) { c.model.forget_bias = as_double(n); }},
      {"model.output",
       [](Config& c, const YAML::Node& n) {
         const auto s = as_choice(n, {"sigmoid", "identity", "residual"});
         c.model.output = s == "sigmoid"    ? nn::OutputActivation::sigmoid
                          : s == "identity" ? nn::OutputActivation::identity
                                            : nn::OutputActivation::residual;
       }},
      {"model.forecaster_input",
       [](Config& c, const YAML::Node& n) {
         c.model.forecaster_input = as_choice(n, {"none", "extrapolation"}) == "none"
                                        ? nn::ForecasterInput::none
                                        : nn::ForecasterInput::extrapolation;
       }},
      {"model.output_filter",
       [](Config& c, const YAML::Node& n) {
         c.model.output_filter =
             as_choice(n, {"none", "tent"}) == "none" ? nn::OutputFilter::none : nn::OutputFilter::tent;
       }},
      {"model.flow_method", [](Config& c, const YAML::Node& n) { c.model.flow_method = as_choice(n, {"dis", "farneback"}); }},
      {"train.batch_size", [](Config& c, const YAML::Node& n) { c.train.batch_size = as_int(n); }},
      {"train.epochs", [](Config& c, const YAML::Node& n) { c.train.epochs = as_int(n); }},
      {"train.max_steps",
       [](Config& c, const YAML::Node& n) { c.train.max_steps = nullable<std::int64_t>(n, as_int); }},
      {"train.loss",
       [](Config& c, const YAML::Node& n) {
         c.train.loss = as_choice(n, {"mse", "mae", "bce", "bmse", "bmae", "bmse+bmae"});
       }},
      {"train.optimizer.kind",
       [](Config& c, const YAML::Node& n) {
         c.train.optimizer.kind = as_choice(n, {"sgd", "rmsprop", "adam"});
       }},
      {"train.optimizer.lr", [](Config& c, const YAML::Node& n) { c.train.optimizer.lr = as_double(n); }},
      {"train.optimizer.momentum",
       [](Config& c, const YAML::Node& n) { c.train.optimizer.momentum = as_double(n); }},
      {"train.optimizer.decay",
       [](Config& c, const YAML::Node& n) { c.train.optimizer.decay = as_double(n); }},
      {"train.optimizer.beta1",
       [](Config& c, const YAML::Node& n) { c.train.optimizer.beta1 = as_double(n); }},
      {"train.optimizer.beta2",
       [](Config& c, const YAML::Node& n) { c.train.optimizer.beta2 = as_double(n); }},
      {"train.optimizer.eps", [](Config& c, const YAML::Node& n) { c.train.optimizer.eps = as_double(n); }},
      {"train.optimizer.weight_decay",
       [](Config& c, const YAML::Node& n) { c.train.optimizer.weight_decay = as_double(n); }},
      {"train.clip_grad_norm",
       [](Config& c, const YAML::Node& n) { c.train.clip_grad_norm = nullable<double>(n, as_double); }},
      {"train.lr_schedule.kind",
       [](Config& c,
          const YAML::Node& n) { c.train.lr_schedule.kind = as_choice(n, {"constant", "step", "cosine"}); }},
      {"train.lr_schedule.step_size",
       [](Config& c, const YAML::Node& n) { c.train.lr_schedule.step_size = as_int(n); }},
      {"train.lr_schedule.gamma",
       [](Config& c, const YAML::Node& n) { c.train.lr_schedule.gamma = as_double(n); }},
      {"train.lr_schedule.min_lr",
       [](Config& c, const YAML::Node& n) { c.train.lr_schedule.min_lr = as_double(n); }},
      {"train.lr_schedule.warmup_steps",
       [](Config& c, const YAML::Node& n) { c.train.lr_schedule.warmup_steps = as_int(n); }},
      {"train.val_every", [](Config& c, const YAML::Node& n) { c.train.val_every = as_int(n); }},
      {"train.val_batches",
       [](Config& c, const YAML::Node& n) { c.train.val_batches = nullable<std::int64_t>(n, as_int); }},
      {"train.early_stopping.patience",
       [](Config& c, const YAML::Node& n) { c.train.patience = nullable<std::int64_t>(n, as_int); }},
      {"train.seed", [](Config& c, const YAML::Node& n) { c.train.seed = as_int(n); }},
      {"train.threads", [](Config& c, const YAML::Node& n) { c.train.threads = as_int(n); }},
      {"train.init_from",
       [](Config& c, const YAML::Node& n) { c.train.init_from = nullable<std::string>(n, as_string); }},
      {"train.precision",
       [](Config& c, const YAML::Node& n) { c.train.precision = as_choice(n, {"fp32", "bf16"}); }},
      {"train.conv_algorithm",
       [](Config& c, const YAML::Node& n) { c.train.conv_algorithm = as_choice(n, {"winograd", "direct"}); }},
      {"output.dir", [](Config& c, const YAML::Node& n) { c.output.dir = as_string(n); }},
      {"output.checkpoint_every",
       [](Config& c, const YAML::Node& n) { c.output.checkpoint_every = as_int(n); }},
      {"bench.frame",
       [](Config& c, const YAML::Node& n) {
         c.bench.frame = nullable<FrameShape>(n, [](const YAML::Node& v) {
           if (!v.IsSequence() || v.size() != 3) throw Bad{"expected null or [channels, height, width]"};
           return FrameShape{as_int(v[0]), as_int(v[1]), as_int(v[2])};
         });
       }},
  };
  return table;
}

const std::set<std::string>& sections() {
  static const std::set<std::string> s{"data",
                                       "data.normalize",
                                       "model",
                                       "train",
                                       "train.optimizer",
                                       "train.lr_schedule",
                                       "train.early_stopping",
                                       "output",
                                       "bench"};
  return s;
}

std::string closest_key(const std::string& path) {
  std::string best;
  std::size_t best_d = std::string::npos;
  auto consider = [&](const std::string& cand) {
    const std::size_t d = edit_distance(path, cand);
    if (d < best_d) {
      best_d = d;
      best = cand;
    }
  };
  for (const auto& [k, _] : leaves()) consider(k);
  for (const auto& k : sections()) consider(k);
  // Also match on the last component alone, so "train.max_step" and "max_step" both find train.max_steps.
  const std::string last = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
  for (const auto& [k, _] : leaves()) {
    const std::string k_last = k.substr(k.rfind('.') + 1);
    const std::size_t d = edit_distance(last, k_last) + (k.rfind('.') == std::string::npos ? 0 : 1);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best;
}

struct Parser {
  std::string source;
  Config config;
  std::map<std::string, int> lines;  // key -> 1-based line where it was set (0: --set)
  std::set<std::string> overridden;  // keys last set by --set: their range errors name --set, not the file

  [[noreturn]] void fail(int line, const std::string& key, const std::string& what) const {
    std::ostringstream os;
    os << source;
    if (line > 0) os << ":" << line;
    // A key is user text too when it is unknown: shortened like a value.
    os << ": " << (key.size() > 60 ? quoted(key) : key) << ": " << what;
    throw ConfigError(os.str());
  }

  void set(const std::string& path, const YAML::Node& value, int line) {
    const auto it = leaves().find(path);
    if (it == leaves().end()) {
      if (sections().count(path)) fail(line, path, "is a section: expected a mapping of its keys");
      fail(line, path, "unknown key (did you mean '" + closest_key(path) + "'?)");
    }
    try {
      it->second(config, value);
    } catch (const Bad& b) {
      fail(line, path, b.what);
    } catch (const ConfigError& e) {
      fail(line, path, e.what());
    }
    lines[path] = line;
  }

  void walk(const YAML::Node& map, const std::string& prefix) {
    for (const auto& kv : map) {
      const int line = kv.first.Mark().line + 1;
      if (!kv.first.IsScalar())
        fail(line, prefix.empty() ? "(top level)" : prefix, "keys must be plain names");
      const std::string path = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
      if (sections().count(path)) {
        if (kv.second.IsNull()) continue;
        if (!kv.second.IsMap()) fail(line, path, "expected a mapping, got " + scalar_text(kv.second));
        walk(kv.second, path);
      } else {
        set(path, kv.second, line);
      }
    }
  }

  void require(bool ok, const std::string& key, const std::string& what) const {
    if (!ok && overridden.count(key)) throw ConfigError("--set: " + key + ": " + what);
    if (!ok) {
      const auto it = lines.find(key);
      fail(it == lines.end() ? -1 : it->second, key, what);
    }
  }

  static constexpr std::int64_t kMaxFramesPerWindow = 10000;

  void validate() const {
    const auto& c = config;
    require(!c.data.train.empty(), "data.train", "must name a dataset file");
    require(c.data.val_fraction >= 0.0 && c.data.val_fraction < 1.0, "data.val_fraction",
            "must be in [0, 1)");
    // Upper bounds keep every window, step and frame count far from int64 overflow.
    require(c.data.t_in >= 1 && c.data.t_in <= kMaxFramesPerWindow, "data.t_in", "must be in [1, 10000]");
    require(c.data.t_out >= 1 && c.data.t_out <= kMaxFramesPerWindow, "data.t_out", "must be in [1, 10000]");
    require(c.data.stride >= 1, "data.stride", "must be at least 1");
    require(c.data.downsample >= 1, "data.downsample", "must be at least 1");
    if (c.data.crop)
      require(
          c.data.crop->y0 >= 0 && c.data.crop->x0 >= 0 && c.data.crop->height > 0 && c.data.crop->width > 0,
          "data.crop", "needs y0, x0 >= 0 and a positive height and width");
    if (c.data.random_crop)
      require(c.data.random_crop->first >= 1 && c.data.random_crop->second >= 1 &&
                  c.data.random_crop->first % c.model.patch == 0 &&
                  c.data.random_crop->second % c.model.patch == 0,
              "data.random_crop", "needs a positive height and width, each a multiple of model.patch");
    require(c.data.crop_min_wet >= 0.0 && c.data.crop_min_wet <= 1.0, "data.crop_min_wet",
            "must be in [0, 1]");
    require(std::isfinite(c.data.crop_wet_threshold), "data.crop_wet_threshold", "must be a finite number");
    require(c.data.normalize.max > c.data.normalize.min, "data.normalize.max", "must be greater than min");
    require(c.model.patch >= 1, "model.patch", "must be at least 1");
    require(!c.model.layers.empty(), "model.layers", "needs at least one layer");
    for (std::size_t i = 0; i < c.model.layers.size(); ++i) {
      const auto& l = c.model.layers[i];
      const std::string at = "layer " + std::to_string(i) + ": ";
      require(l.filters >= 1 && l.filters <= 4096, "model.layers", at + "filters must be in [1, 4096]");
      require(l.k_x >= 1 && l.k_x % 2 == 1 && l.k_x <= 15, "model.layers", at + "k_x must be odd, 1 to 15");
      require(l.k_h >= 1 && l.k_h % 2 == 1 && l.k_h <= 15, "model.layers", at + "k_h must be odd, 1 to 15");
    }
    require(c.train.batch_size >= 1, "train.batch_size", "must be at least 1");
    require(c.train.epochs >= 1 && c.train.epochs <= 1000000, "train.epochs", "must be in [1, 1000000]");
    require(!c.train.max_steps || *c.train.max_steps >= 1, "train.max_steps", "must be null or at least 1");
    require(c.train.optimizer.lr > 0.0, "train.optimizer.lr", "must be positive");
    require(c.train.optimizer.momentum >= 0.0 && c.train.optimizer.momentum < 1.0, "train.optimizer.momentum",
            "must be in [0, 1)");
    require(c.train.optimizer.decay > 0.0 && c.train.optimizer.decay < 1.0, "train.optimizer.decay",
            "must be in (0, 1)");
    require(c.train.optimizer.beta1 >= 0.0 && c.train.optimizer.beta1 < 1.0, "train.optimizer.beta1",
            "must be in [0, 1)");
    require(c.train.optimizer.beta2 > 0.0 && c.train.optimizer.beta2 < 1.0, "train.optimizer.beta2",
            "must be in (0, 1)");
    require(c.train.optimizer.eps > 0.0, "train.optimizer.eps", "must be positive");
    require(c.train.optimizer.weight_decay >= 0.0, "train.optimizer.weight_decay", "must not be negative");
    require(!c.train.clip_grad_norm || *c.train.clip_grad_norm > 0.0, "train.clip_grad_norm",
            "must be null or positive");
    require(c.train.lr_schedule.step_size >= 1, "train.lr_schedule.step_size", "must be at least 1");
    require(c.train.lr_schedule.gamma > 0.0, "train.lr_schedule.gamma", "must be positive");
    require(c.train.lr_schedule.min_lr >= 0.0, "train.lr_schedule.min_lr", "must not be negative");
    require(c.train.lr_schedule.warmup_steps >= 0, "train.lr_schedule.warmup_steps", "must not be negative");
    require(c.train.val_every >= 1, "train.val_every", "must be at least 1");
    require(!c.train.val_batches || *c.train.val_batches >= 1, "train.val_batches",
            "must be null or at least 1");
    require(!c.train.patience || *c.train.patience >= 1, "train.early_stopping.patience",
            "must be null or at least 1");
    require(c.train.seed >= 0, "train.seed", "must not be negative");
    require(c.train.threads >= 0, "train.threads", "must not be negative (0: all cores)");
    require(!c.output.dir.empty(), "output.dir", "must name a directory");
    require(c.output.checkpoint_every >= 1, "output.checkpoint_every", "must be at least 1");
    if (c.bench.frame)
      require(c.bench.frame->channels >= 1 && c.bench.frame->height >= 1 && c.bench.frame->width >= 1,
              "bench.frame", "needs a positive channel count, height and width");
  }
};

YAML::Node layer_node(const nn::LayerSpec& l) {
  YAML::Node n(YAML::NodeType::Map);
  n.SetStyle(YAML::EmitterStyle::Flow);
  n["filters"] = l.filters;
  n["k_x"] = l.k_x;
  n["k_h"] = l.k_h;
  return n;
}

}  // namespace

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

Config parse_config(const std::string& yaml, const std::string& source,
                    const std::vector<std::string>& overrides) {
  Parser p{source, {}, {}, {}};
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML (" + e.msg + ")");
  }
  if (!root.IsNull()) {
    if (!root.IsMap())
      throw ConfigError(source + ": expected a mapping with data, model, train and output sections");
    p.walk(root, "");
  }
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ConfigError("--set " + quoted(o) + ": expected key=value, for example --set train.max_steps=100");
    const std::string key = o.substr(0, eq), value = o.substr(eq + 1);
    YAML::Node v;
    try {
      v = YAML::Load(value);
    } catch (const YAML::ParserException& e) {
      throw ConfigError("--set " + quoted(key) + ": value is not valid YAML (" + e.msg + ")");
    }
    Parser sub{"--set", p.config, {}, {}};
    sub.set(key, v, 0);
    p.config = sub.config;
    p.lines.erase(key);
    p.overridden.insert(key);
  }
  p.validate();
  return p.config;
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot read the config file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path, overrides);
}

std::string to_yaml(const Config& c) {
  YAML::Node root;
  auto opt_str = [](const std::optional<std::string>& v) {
    return v ? YAML::Node(*v) : YAML::Node(YAML::NodeType::Null);
  };
  auto d = root["data"];
  d["train"] = c.data.train;
  d["val"] = opt_str(c.data.val);
  d["val_fraction"] = c.data.val_fraction;
  d["t_in"] = c.data.t_in;
  d["t_out"] = c.data.t_out;
  d["stride"] = c.data.stride;
  if (c.data.crop) {
    YAML::Node crop(YAML::NodeType::Sequence);
    crop.SetStyle(YAML::EmitterStyle::Flow);
    for (auto v : {c.data.crop->y0, c.data.crop->x0, c.data.crop->height, c.data.crop->width})
      crop.push_back(v);
    d["crop"] = crop;
  } else {
    d["crop"] = YAML::Node(YAML::NodeType::Null);
  }
  d["downsample"] = c.data.downsample;
  if (c.data.random_crop) {
    YAML::Node rc(YAML::NodeType::Sequence);
    rc.SetStyle(YAML::EmitterStyle::Flow);
    rc.push_back(c.data.random_crop->first);
    rc.push_back(c.data.random_crop->second);
    d["random_crop"] = rc;
  } else {
    d["random_crop"] = YAML::Node(YAML::NodeType::Null);
  }
  d["crop_min_wet"] = c.data.crop_min_wet;
  d["crop_wet_threshold"] = c.data.crop_wet_threshold;
  d["normalize"]["kind"] = data::to_string(c.data.normalize.kind);
  d["normalize"]["min"] = c.data.normalize.min;
  d["normalize"]["max"] = c.data.normalize.max;
  d["normalize"]["zr_a"] = c.data.normalize.zr_a;
  d["normalize"]["zr_b"] = c.data.normalize.zr_b;
  auto m = root["model"];
  m["patch"] = c.model.patch;
  YAML::Node layers(YAML::NodeType::Sequence);
  for (const auto& l : c.model.layers) layers.push_back(layer_node(l));
  m["layers"] = layers;
  m["peephole"] = nn::to_string(c.model.peephole);
  m["forget_bias"] = c.model.forget_bias;
  m["output"] = nn::to_string(c.model.output);
  m["forecaster_input"] = nn::to_string(c.model.forecaster_input);
  m["output_filter"] = nn::to_string(c.model.output_filter);
  m["flow_method"] = c.model.flow_method;
  auto t = root["train"];
  t["batch_size"] = c.train.batch_size;
  t["epochs"] = c.train.epochs;
  t["max_steps"] = c.train.max_steps ? YAML::Node(*c.train.max_steps) : YAML::Node(YAML::NodeType::Null);
  t["loss"] = c.train.loss;
  const auto& o = c.train.optimizer;
  t["optimizer"]["kind"] = o.kind;
  t["optimizer"]["lr"] = o.lr;
  t["optimizer"]["momentum"] = o.momentum;
  t["optimizer"]["decay"] = o.decay;
  t["optimizer"]["beta1"] = o.beta1;
  t["optimizer"]["beta2"] = o.beta2;
  t["optimizer"]["eps"] = o.eps;
  t["optimizer"]["weight_decay"] = o.weight_decay;
  t["clip_grad_norm"] =
      c.train.clip_grad_norm ? YAML::Node(*c.train.clip_grad_norm) : YAML::Node(YAML::NodeType::Null);
  const auto& s = c.train.lr_schedule;
  t["lr_schedule"]["kind"] = s.kind;
  t["lr_schedule"]["step_size"] = s.step_size;
  t["lr_schedule"]["gamma"] = s.gamma;
  t["lr_schedule"]["min_lr"] = s.min_lr;
  t["lr_schedule"]["warmup_steps"] = s.warmup_steps;
  t["val_every"] = c.train.val_every;
  t["val_batches"] =
      c.train.val_batches ? YAML::Node(*c.train.val_batches) : YAML::Node(YAML::NodeType::Null);
  t["early_stopping"]["patience"] =
      c.train.patience ? YAML::Node(*c.train.patience) : YAML::Node(YAML::NodeType::Null);
  t["seed"] = c.train.seed;
  t["init_from"] = opt_str(c.train.init_from);
  t["threads"] = c.train.threads;
  t["precision"] = c.train.precision;
  t["conv_algorithm"] = c.train.conv_algorithm;
  root["output"]["dir"] = c.output.dir;
  root["output"]["checkpoint_every"] = c.output.checkpoint_every;
  if (c.bench.frame) {
    YAML::Node frame(YAML::NodeType::Sequence);
    frame.SetStyle(YAML::EmitterStyle::Flow);
    for (auto v : {c.bench.frame->channels, c.bench.frame->height, c.bench.frame->width}) frame.push_back(v);
    root["bench"]["frame"] = frame;
  } else {
    root["bench"]["frame"] = YAML::Node(YAML::NodeType::Null);
  }
  YAML::Emitter e;
  e.SetDoublePrecision(15);
  e << root;
  return std::string(e.c_str()) + "\n";
}

namespace {

// Leaves of a YAML mapping as dotted keys with their emitted values (sequences whole).
void flatten(const YAML::Node& n, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (n.IsMap()) {
    for (const auto& kv : n)
      flatten(kv.second, prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar(), out);
    return;
  }
  YAML::Emitter e;
  e.SetDoublePrecision(15);
  e << YAML::Flow << n;
  out.push_back({prefix, e.c_str()});
}

}  // namespace

std::vector<std::string> changed_keys(const Config& a, const Config& b) {
  std::vector<std::pair<std::string, std::string>> fa, fb;
  flatten(YAML::Load(to_yaml(a)), "", fa);
  flatten(YAML::Load(to_yaml(b)), "", fb);
  // (No structured bindings captured by the lambdas: C++17 does not allow it, and clang refuses.)
  auto find = [](const std::vector<std::pair<std::string, std::string>>& in, const std::string& key) {
    return std::find_if(in.begin(), in.end(), [&key](const auto& p) { return p.first == key; });
  };
  std::vector<std::string> out;
  for (const auto& entry : fa) {
    const auto it = find(fb, entry.first);
    if (it == fb.end() || it->second != entry.second) out.push_back(entry.first);
  }
  for (const auto& entry : fb)
    if (find(fa, entry.first) == fa.end()) out.push_back(entry.first);
  return out;
}

FrameShape training_frame(const Config& c, const FrameShape& data) {
  if (!c.data.random_crop) return data;
  const auto [h, w] = *c.data.random_crop;
  if (h > data.height || w > data.width)
    throw ConfigError("data.random_crop [" + std::to_string(h) + ", " + std::to_string(w) +
                      "] is larger than the " + std::to_string(data.height) + "x" +
                      std::to_string(data.width) + " frames (after data.crop and data.downsample)");
  return {data.channels, h, w};
}

nn::ModelSpec model_spec(const Config& c, std::int64_t channels, std::int64_t height, std::int64_t width) {
  nn::ModelSpec s;
  s.channels = channels;
  s.height = height;
  s.width = width;
  s.patch = c.model.patch;
  s.layers = c.model.layers;
  s.peephole = c.model.peephole;
  s.forget_bias = static_cast<float>(c.model.forget_bias);
  s.output = c.model.output;
  s.forecaster_input = c.model.forecaster_input;
  s.output_filter = c.model.output_filter;
  return s;
}

}  // namespace convlstm::config
