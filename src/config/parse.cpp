#include "config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "config/detail.hpp"
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
         c.model.peephole = nn::parse_peephole(as_choice(n, nn::peephole_names()));
       }},
      {"model.forget_bias", [](Config& c, const YAML::Node& n) { c.model.forget_bias = as_double(n); }},
      {"model.output",
       [](Config& c, const YAML::Node& n) {
         c.model.output = nn::parse_output(as_choice(n, nn::output_names()));
       }},
      {"model.forecaster_input",
       [](Config& c, const YAML::Node& n) {
         c.model.forecaster_input = nn::parse_forecaster_input(as_choice(n, nn::forecaster_input_names()));
       }},
      {"model.output_filter",
       [](Config& c, const YAML::Node& n) {
         c.model.output_filter = nn::parse_output_filter(as_choice(n, nn::output_filter_names()));
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
      {"train.balance", [](Config& c, const YAML::Node& n) { c.train.balance = as_choice(n, {"observed", "max"}); }},
      {"train.lead_weights",
       [](Config& c, const YAML::Node& n) { c.train.lead_weights = as_choice(n, {"uniform", "inverse"}); }},
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
};

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
  detail::validate(
      p.config, [&p](bool ok, const std::string& key, const std::string& what) { p.require(ok, key, what); });
  return p.config;
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot read the config file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path, overrides);
}

}  // namespace convlstm::config
