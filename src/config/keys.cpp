// The table of config keys: each key once, with its type or choices, its range rule, its help and whether a
// resume may change it. Parsing, RUN/config.yaml, validation, the resume check and `convlstm config
// --defaults` read it; the defaults themselves are the Config struct's (config.hpp).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

#include "config/detail.hpp"
#include "core/enum_names.hpp"
#include "motion/optical_flow.hpp"
#include "ops/precision.hpp"

namespace convlstm::config::detail {

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

namespace {

// --- reading one value -----------------------------------------------------------------------------------

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

bool is_null(const YAML::Node& n) {
  return n.IsNull() || (n.IsScalar() && (n.Scalar() == "null" || n.Scalar() == "~"));
}

std::vector<std::int64_t> as_ints(const YAML::Node& n, std::size_t count, const char* expected) {
  if (!n.IsSequence() || n.size() != count) throw Bad{std::string("expected null or ") + expected};
  std::vector<std::int64_t> v;
  for (std::size_t i = 0; i < count; ++i) v.push_back(as_int(n[i]));
  return v;
}

// --- writing one value -----------------------------------------------------------------------------------

// A number as a person writes it: the shortest text that reads back as the same double (0.05, not
// 0.050000000000000003), with a ".0" where it would otherwise look like an integer.
YAML::Node number(double v) {
  char buf[64];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  std::string s(buf, end);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return YAML::Node(s);
}

YAML::Node null_node() {
  return YAML::Node(YAML::NodeType::Null);
}

YAML::Node flow_list(const std::vector<std::int64_t>& v) {
  YAML::Node n(YAML::NodeType::Sequence);
  n.SetStyle(YAML::EmitterStyle::Flow);
  for (auto x : v) n.push_back(x);
  return n;
}

// --- range rules -----------------------------------------------------------------------------------------

std::string unless(bool ok, const std::string& what) {
  return ok ? std::string() : what;
}

constexpr std::int64_t kMaxFramesPerWindow =
    10000;  // keeps windows, steps and frame counts far from overflow

// --- rows ------------------------------------------------------------------------------------------------

template <typename T>
using Ref = T& (*)(Config&);
template <typename T>
const T& get(Ref<T> ref, const Config& c) {
  return ref(const_cast<Config&>(c));
}

// A row's options beyond its path, field and help.
struct Rule {
  std::function<std::string(const Config&)> check;
  bool resume = false;
};

// A plain field: `read` turns a YAML value into it, `write` back.
template <typename T, typename Read, typename Write>
Key field(const char* path, const char* type, Ref<T> ref, Read read, Write write, const char* help,
          Rule rule) {
  return {path,
          type,
          [ref, read](Config& c, const YAML::Node& n) { ref(c) = read(n); },
          [ref, write](const Config& c) { return write(get(ref, c)); },
          rule.check,
          rule.resume,
          help};
}

template <typename T>
YAML::Node as_node(const T& v) {
  return YAML::Node(v);
}

Key integer(const char* path, Ref<std::int64_t> ref, const char* help, Rule rule = {}) {
  return field(path, "integer", ref, as_int, as_node<std::int64_t>, help, rule);
}

Key real(const char* path, Ref<double> ref, const char* help, Rule rule = {}) {
  return field(path, "number", ref, as_double, number, help, rule);
}

Key text(const char* path, Ref<std::string> ref, const char* help, Rule rule = {}) {
  return field(path, "string", ref, as_string, as_node<std::string>, help, rule);
}

Key choice(const char* path, Ref<std::string> ref, std::vector<std::string> names, const char* help) {
  return {path,
          one_of(names),
          [ref, names](Config& c, const YAML::Node& n) { ref(c) = as_choice(n, names); },
          [ref](const Config& c) { return YAML::Node(get(ref, c)); },
          nullptr,
          false,
          help};
}

// An enum: its names and parser from the enum's own table.
template <typename E>
Key enum_choice(const char* path, Ref<E> ref, std::vector<std::string> (*names)(),
                E (*parse)(const std::string&), std::string (*name)(E), const char* help) {
  return {path,
          one_of(names()),
          [ref, names, parse](Config& c, const YAML::Node& n) { ref(c) = parse(as_choice(n, names())); },
          [ref, name](const Config& c) { return YAML::Node(name(get(ref, c))); },
          nullptr,
          false,
          help};
}

template <typename T, typename Read, typename Write>
Key nullable(const char* path, const char* type, Ref<std::optional<T>> ref, Read read, Write write,
             const char* help, Rule rule = {}) {
  return {path,
          type,
          [ref, read](Config& c, const YAML::Node& n) {
            ref(c) = is_null(n) ? std::nullopt : std::optional<T>(read(n));
          },
          [ref, write](const Config& c) {
            const auto& v = get(ref, c);
            return v ? write(*v) : null_node();
          },
          rule.check,
          rule.resume,
          help};
}

Key optional_integer(const char* path, Ref<std::optional<std::int64_t>> ref, const char* help,
                     Rule rule = {}) {
  return nullable<std::int64_t>(
      path, "null or integer", ref, as_int, [](std::int64_t v) { return YAML::Node(v); }, help, rule);
}

// The model's layers: a list of {filters, k_x, k_h} (or k for both).
nn::LayerSpec layer_of(const YAML::Node& l, std::size_t i) {
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
  return spec;
}

Key layers_key() {
  return {"model.layers",
          "a list of {filters, k_x, k_h}",
          [](Config& c, const YAML::Node& n) {
            if (!n.IsSequence()) throw Bad{"expected a list of {filters, k_x, k_h}"};
            c.model.layers.clear();
            for (std::size_t i = 0; i < n.size(); ++i) c.model.layers.push_back(layer_of(n[i], i));
          },
          [](const Config& c) {
            YAML::Node layers(YAML::NodeType::Sequence);
            for (const auto& l : c.model.layers) {
              YAML::Node n(YAML::NodeType::Map);
              n.SetStyle(YAML::EmitterStyle::Flow);
              n["filters"] = l.filters;
              n["k_x"] = l.k_x;
              n["k_h"] = l.k_h;
              layers.push_back(n);
            }
            return layers;
          },
          [](const Config& c) {
            if (c.model.layers.empty()) return std::string("needs at least one layer");
            for (std::size_t i = 0; i < c.model.layers.size(); ++i) {
              const auto& l = c.model.layers[i];
              const std::string at = "layer " + std::to_string(i) + ": ";
              if (l.filters < 1 || l.filters > 4096) return at + "filters must be in [1, 4096]";
              if (l.k_x < 1 || l.k_x % 2 != 1 || l.k_x > 15) return at + "k_x must be odd, 1 to 15";
              if (l.k_h < 1 || l.k_h % 2 != 1 || l.k_h > 15) return at + "k_h must be odd, 1 to 15";
            }
            return std::string();
          },
          false,
          "encoder layers bottom-up; the forecaster mirrors them"};
}

// data.train: one dataset file, or a list of them; written back as it came (one file as a plain string).
Key train_files_key() {
  return {"data.train",
          "a dataset file or a list of them",
          [](Config& c, const YAML::Node& n) {
            c.data.train.clear();
            if (n.IsSequence())
              for (std::size_t i = 0; i < n.size(); ++i) c.data.train.push_back(as_string(n[i]));
            else
              c.data.train.push_back(as_string(n));
          },
          [](const Config& c) {
            if (c.data.train.size() == 1) return YAML::Node(c.data.train[0]);
            YAML::Node files(YAML::NodeType::Sequence);
            files.SetStyle(YAML::EmitterStyle::Flow);
            for (const auto& f : c.data.train) files.push_back(f);
            return files;
          },
          [](const Config& c) {
            if (c.data.train.empty()) return std::string("must name a dataset file");
            for (const auto& f : c.data.train)
              if (f.empty()) return std::string("must name a dataset file (an empty name in the list)");
            return std::string();
          },
          false,
          "convlstm datasets; with several, windows are drawn from all (data.weights)"};
}

// data.weights: null, or one positive number per data.train file.
Key weights_key() {
  return {"data.weights",
          "null or a list of numbers, one per data.train file",
          [](Config& c, const YAML::Node& n) {
            c.data.weights.clear();
            if (is_null(n)) return;
            if (!n.IsSequence()) throw Bad{"expected null or a list of numbers"};
            for (std::size_t i = 0; i < n.size(); ++i) c.data.weights.push_back(as_double(n[i]));
          },
          [](const Config& c) {
            if (c.data.weights.empty()) return null_node();
            YAML::Node w(YAML::NodeType::Sequence);
            w.SetStyle(YAML::EmitterStyle::Flow);
            for (double v : c.data.weights) w.push_back(number(v));
            return w;
          },
          [](const Config& c) {
            const auto& w = c.data.weights;
            if (w.empty()) return std::string();
            if (w.size() != c.data.train.size())
              return "has " + std::to_string(w.size()) + " numbers for " +
                     std::to_string(c.data.train.size()) + " data.train files";
            for (double v : w)
              if (!(v > 0.0) || !std::isfinite(v)) return std::string("every weight must be positive");
            return std::string();
          },
          false,
          "each data.train file's share of the windows drawn per epoch; null: every window alike"};
}

// Rules
Rule at_least(std::int64_t lo, Ref<std::int64_t> ref, bool resume = false) {
  return {[lo, ref](const Config& c) {
            return unless(get(ref, c) >= lo, "must be at least " + std::to_string(lo));
          },
          resume};
}
Rule not_negative(Ref<double> ref) {
  return {[ref](const Config& c) { return unless(get(ref, c) >= 0.0, "must not be negative"); }};
}
Rule positive(Ref<double> ref) {
  return {[ref](const Config& c) { return unless(get(ref, c) > 0.0, "must be positive"); }};
}
// [0, 1) when closed_low, (0, 1) otherwise
Rule unit_interval(Ref<double> ref, bool closed_low) {
  return {[ref, closed_low](const Config& c) {
    const double v = get(ref, c);
    return closed_low ? unless(v >= 0.0 && v < 1.0, "must be in [0, 1)")
                      : unless(v > 0.0 && v < 1.0, "must be in (0, 1)");
  }};
}
Rule null_or_at_least_1(Ref<std::optional<std::int64_t>> ref, bool resume = false) {
  return {[ref](const Config& c) {
            const auto& v = get(ref, c);
            return unless(!v || *v >= 1, "must be null or at least 1");
          },
          resume};
}

std::vector<Key> make_keys() {
  // (captureless lambdas, so that each row names its field once)
#define CONVLSTM_FIELD(type, expr) static_cast<Ref<type>>([](Config& c) -> type& { return expr; })
  std::vector<Key> k;
  k.push_back(train_files_key());
  k.push_back(weights_key());
  k.push_back(nullable<std::string>(
      "data.val", "null or a dataset file", CONVLSTM_FIELD(std::optional<std::string>, c.data.val), as_string,
      [](const std::string& v) { return YAML::Node(v); },
      "separate validation dataset, or null: the last val_fraction of each segment"));
  k.push_back(real("data.val_fraction", CONVLSTM_FIELD(double, c.data.val_fraction),
                   "share of each segment's frames held out for validation (time-blocked)",
                   unit_interval(CONVLSTM_FIELD(double, c.data.val_fraction), true)));
  k.push_back(integer(
      "data.t_in", CONVLSTM_FIELD(std::int64_t, c.data.t_in), "frames the model sees", {[](const Config& c) {
        return unless(c.data.t_in >= 1 && c.data.t_in <= kMaxFramesPerWindow, "must be in [1, 10000]");
      }}));
  k.push_back(integer(
      "data.t_out", CONVLSTM_FIELD(std::int64_t, c.data.t_out), "frames it predicts", {[](const Config& c) {
        return unless(c.data.t_out >= 1 && c.data.t_out <= kMaxFramesPerWindow, "must be in [1, 10000]");
      }}));
  k.push_back(integer("data.stride", CONVLSTM_FIELD(std::int64_t, c.data.stride),
                      "frames between consecutive window starts",
                      at_least(1, CONVLSTM_FIELD(std::int64_t, c.data.stride))));
  k.push_back(nullable<data::Crop>(
      "data.crop", "null or [y0, x0, height, width]", CONVLSTM_FIELD(std::optional<data::Crop>, c.data.crop),
      [](const YAML::Node& n) {
        const auto v = as_ints(n, 4, "[y0, x0, height, width]");
        return data::Crop{v[0], v[1], v[2], v[3]};
      },
      [](const data::Crop& v) {
        return flow_list({v.y0, v.x0, v.height, v.width});
      },
      "[y0, x0, height, width] in pixels, before downsampling; null: the whole frame", {[](const Config& c) {
        const auto& v = c.data.crop;
        return unless(!v || (v->y0 >= 0 && v->x0 >= 0 && v->height > 0 && v->width > 0),
                      "needs y0, x0 >= 0 and a positive height and width");
      }}));
  k.push_back(integer("data.downsample", CONVLSTM_FIELD(std::int64_t, c.data.downsample),
                      "block-mean factor (ignores unobserved pixels)",
                      at_least(1, CONVLSTM_FIELD(std::int64_t, c.data.downsample))));
  using Pair = std::pair<std::int64_t, std::int64_t>;
  k.push_back(nullable<Pair>(
      "data.random_crop", "null or [height, width]", CONVLSTM_FIELD(std::optional<Pair>, c.data.random_crop),
      [](const YAML::Node& n) {
        const auto v = as_ints(n, 2, "[height, width]");
        return Pair{v[0], v[1]};
      },
      [](const Pair& v) {
        return flow_list({v.first, v.second});
      },
      "train on random crops of this size (after crop and downsample); null: whole frames",
      {[](const Config& c) {
        const auto& v = c.data.random_crop;
        return unless(!v || (v->first >= 1 && v->second >= 1 && v->first % c.model.patch == 0 &&
                             v->second % c.model.patch == 0),
                      "needs a positive height and width, each a multiple of model.patch");
      }}));
  k.push_back(real("data.crop_min_wet", CONVLSTM_FIELD(double, c.data.crop_min_wet),
                   "random crops: redraw until this share of observed pixels reaches crop_wet_threshold",
                   {[](const Config& c) {
                     return unless(c.data.crop_min_wet >= 0.0 && c.data.crop_min_wet <= 1.0,
                                   "must be in [0, 1]");
                   }}));
  k.push_back(real("data.crop_wet_threshold", CONVLSTM_FIELD(double, c.data.crop_wet_threshold),
                   "in the data's units (mm/h; dBZ for reflectivity)", {[](const Config& c) {
                     return unless(std::isfinite(c.data.crop_wet_threshold), "must be a finite number");
                   }}));
  k.push_back(enum_choice("data.normalize.kind", CONVLSTM_FIELD(data::NormalizeKind, c.data.normalize.kind),
                          data::normalize_kind_names, data::parse_normalize_kind, data::to_string,
                          "physical units -> [0, 1] (dbz: rain rate -> dBZ, then linear)"));
  k.push_back(
      real("data.normalize.min", CONVLSTM_FIELD(double, c.data.normalize.min), "the value mapped to 0"));
  k.push_back(real("data.normalize.max", CONVLSTM_FIELD(double, c.data.normalize.max),
                   "the value mapped to 1", {[](const Config& c) {
                     return unless(c.data.normalize.max > c.data.normalize.min, "must be greater than min");
                   }}));
  k.push_back(real("data.normalize.zr_a", CONVLSTM_FIELD(double, c.data.normalize.zr_a),
                   "a of Z = a R^b (kind dbz)"));
  k.push_back(real("data.normalize.zr_b", CONVLSTM_FIELD(double, c.data.normalize.zr_b),
                   "b of Z = a R^b (kind dbz)"));
  k.push_back(integer("model.patch", CONVLSTM_FIELD(std::int64_t, c.model.patch), "space-to-depth factor",
                      at_least(1, CONVLSTM_FIELD(std::int64_t, c.model.patch))));
  k.push_back(layers_key());
  k.push_back(enum_choice("model.peephole", CONVLSTM_FIELD(nn::Peephole, c.model.peephole),
                          nn::peephole_names, nn::parse_peephole, nn::to_string,
                          "peephole weights per channel, per pixel, or none"));
  k.push_back(
      real("model.forget_bias", CONVLSTM_FIELD(double, c.model.forget_bias), "initial forget-gate bias"));
  k.push_back(enum_choice(
      "model.output", CONVLSTM_FIELD(nn::OutputActivation, c.model.output), nn::output_names,
      nn::parse_output, nn::to_string,
      "the head's output function (residual: added to the base nowcast, extrapolation or S-PROG)"));
  k.push_back(enum_choice("model.forecaster_input",
                          CONVLSTM_FIELD(nn::ForecasterInput, c.model.forecaster_input),
                          nn::forecaster_input_names, nn::parse_forecaster_input, nn::to_string,
                          "what forecaster layer 0 reads (sprog: S-PROG, also the residual's base)"));
  k.push_back(enum_choice("model.output_filter", CONVLSTM_FIELD(nn::OutputFilter, c.model.output_filter),
                          nn::output_filter_names, nn::parse_output_filter, nn::to_string,
                          "what smooths a residual model's correction (tent: the patch tent)"));
  k.push_back(integer("model.noise.channels", CONVLSTM_FIELD(std::int64_t, c.model.noise.channels),
                      "noise planes forecaster layer 0 reads (0: a deterministic model)",
                      {[](const Config& c) {
                        return unless(c.model.noise.channels >= 0 && c.model.noise.channels <= 64,
                                      "must be in [0, 64] (0: a deterministic model)");
                      }}));
  k.push_back(integer("model.noise.scale", CONVLSTM_FIELD(std::int64_t, c.model.noise.scale),
                      "pixels between the nodes the noise is drawn on",
                      at_least(1, CONVLSTM_FIELD(std::int64_t, c.model.noise.scale))));
  k.push_back(choice("model.flow_method", CONVLSTM_FIELD(std::string, c.model.flow_method),
                     motion::flow_method_names(), "the optical flow behind the extrapolation (OpenCV)"));
  k.push_back(integer("train.batch_size", CONVLSTM_FIELD(std::int64_t, c.train.batch_size),
                      "sequences per step (the global batch under MPI)",
                      at_least(1, CONVLSTM_FIELD(std::int64_t, c.train.batch_size))));
  k.push_back(integer("train.epochs", CONVLSTM_FIELD(std::int64_t, c.train.epochs),
                      "passes over the training windows (when max_steps is null)", {[](const Config& c) {
                        return unless(c.train.epochs >= 1 && c.train.epochs <= 1000000,
                                      "must be in [1, 1000000]");
                      }}));
  k.push_back(optional_integer(
      "train.max_steps", CONVLSTM_FIELD(std::optional<std::int64_t>, c.train.max_steps),
      "stop after this many optimizer steps, or null",
      null_or_at_least_1(CONVLSTM_FIELD(std::optional<std::int64_t>, c.train.max_steps), true)));
  k.push_back(choice("train.loss", CONVLSTM_FIELD(std::string, c.train.loss),
                     {"mse", "mae", "bce", "bmse", "bmae", "bmse+bmae", "crps", "bcrps"},
                     "b*: HKO-7 rain-rate weights; crps: the fair ensemble CRPS of train.members"));
  k.push_back(integer("train.members", CONVLSTM_FIELD(std::int64_t, c.train.members),
                      "members run per sequence (crps, bcrps: at least 2)", {[](const Config& c) {
                        const bool crps = c.train.loss == "crps" || c.train.loss == "bcrps";
                        if (c.train.members < 1 || c.train.members > 64)
                          return std::string("must be in [1, 64]");
                        if (crps && c.train.members < 2)
                          return "train.loss " + c.train.loss + " needs at least 2 members";
                        if (crps && c.model.noise.channels == 0)
                          return "train.loss " + c.train.loss +
                                 " needs a stochastic model: set model.noise.channels (members without noise "
                                 "are all alike)";
                        if (!crps && c.train.members > 1)
                          return std::string("more than one member needs train.loss crps or bcrps");
                        return std::string();
                      }}));
  auto balance = choice("train.balance", CONVLSTM_FIELD(std::string, c.train.balance), {"observed", "max"},
                        "b* losses: weights of the observed rate, or of the larger of observed and forecast");
  balance.check = [](const Config& c) {
    return unless(
        c.train.balance == "observed" ||
            (c.train.loss.front() == 'b' && c.train.loss != "bce" && c.train.loss != "bcrps"),
        "max applies to the balanced losses (bmse, bmae, bmse+bmae) only; train.loss is " + c.train.loss);
  };
  k.push_back(balance);
  k.push_back(choice("train.lead_weights", CONVLSTM_FIELD(std::string, c.train.lead_weights),
                     {"uniform", "inverse"}, "inverse: lead t of T weighs T / (t H_T)"));
  k.push_back(choice("train.optimizer.kind", CONVLSTM_FIELD(std::string, c.train.optimizer.kind),
                     {"sgd", "rmsprop", "adam"}, "the optimizer"));
  k.push_back(real("train.optimizer.lr", CONVLSTM_FIELD(double, c.train.optimizer.lr), "learning rate",
                   positive(CONVLSTM_FIELD(double, c.train.optimizer.lr))));
  k.push_back(real("train.optimizer.momentum", CONVLSTM_FIELD(double, c.train.optimizer.momentum), "sgd",
                   unit_interval(CONVLSTM_FIELD(double, c.train.optimizer.momentum), true)));
  k.push_back(real("train.optimizer.decay", CONVLSTM_FIELD(double, c.train.optimizer.decay),
                   "rmsprop: moving average of squared gradients",
                   unit_interval(CONVLSTM_FIELD(double, c.train.optimizer.decay), false)));
  k.push_back(real("train.optimizer.beta1", CONVLSTM_FIELD(double, c.train.optimizer.beta1), "adam",
                   unit_interval(CONVLSTM_FIELD(double, c.train.optimizer.beta1), true)));
  k.push_back(real("train.optimizer.beta2", CONVLSTM_FIELD(double, c.train.optimizer.beta2), "adam",
                   unit_interval(CONVLSTM_FIELD(double, c.train.optimizer.beta2), false)));
  k.push_back(real("train.optimizer.eps", CONVLSTM_FIELD(double, c.train.optimizer.eps), "rmsprop, adam",
                   positive(CONVLSTM_FIELD(double, c.train.optimizer.eps))));
  k.push_back(real("train.optimizer.weight_decay", CONVLSTM_FIELD(double, c.train.optimizer.weight_decay),
                   "L2 penalty added to the gradient",
                   not_negative(CONVLSTM_FIELD(double, c.train.optimizer.weight_decay))));
  k.push_back(nullable<double>(
      "train.clip_grad_norm", "null or number", CONVLSTM_FIELD(std::optional<double>, c.train.clip_grad_norm),
      as_double, number, "global-norm gradient clipping, or null", {[](const Config& c) {
        return unless(!c.train.clip_grad_norm || *c.train.clip_grad_norm > 0.0, "must be null or positive");
      }}));
  k.push_back(choice("train.lr_schedule.kind", CONVLSTM_FIELD(std::string, c.train.lr_schedule.kind),
                     {"constant", "step", "cosine"}, "the learning-rate schedule"));
  k.push_back(integer("train.lr_schedule.step_size",
                      CONVLSTM_FIELD(std::int64_t, c.train.lr_schedule.step_size),
                      "step: multiply lr by gamma every step_size steps",
                      at_least(1, CONVLSTM_FIELD(std::int64_t, c.train.lr_schedule.step_size))));
  k.push_back(real("train.lr_schedule.gamma", CONVLSTM_FIELD(double, c.train.lr_schedule.gamma),
                   "step: the factor", positive(CONVLSTM_FIELD(double, c.train.lr_schedule.gamma))));
  k.push_back(real("train.lr_schedule.min_lr", CONVLSTM_FIELD(double, c.train.lr_schedule.min_lr),
                   "cosine: the final learning rate",
                   not_negative(CONVLSTM_FIELD(double, c.train.lr_schedule.min_lr))));
  k.push_back(integer("train.lr_schedule.warmup_steps",
                      CONVLSTM_FIELD(std::int64_t, c.train.lr_schedule.warmup_steps), "linear warm-up steps",
                      {[](const Config& c) {
                        return unless(c.train.lr_schedule.warmup_steps >= 0, "must not be negative");
                      }}));
  k.push_back(integer("train.val_every", CONVLSTM_FIELD(std::int64_t, c.train.val_every),
                      "steps between validations (and at the end)",
                      at_least(1, CONVLSTM_FIELD(std::int64_t, c.train.val_every), true)));
  k.push_back(optional_integer(
      "train.val_batches", CONVLSTM_FIELD(std::optional<std::int64_t>, c.train.val_batches),
      "cap on validation batches per validation, or null: all",
      null_or_at_least_1(CONVLSTM_FIELD(std::optional<std::int64_t>, c.train.val_batches), true)));
  k.push_back(optional_integer(
      "train.early_stopping.patience", CONVLSTM_FIELD(std::optional<std::int64_t>, c.train.patience),
      "stop after this many validations without improvement, or null",
      null_or_at_least_1(CONVLSTM_FIELD(std::optional<std::int64_t>, c.train.patience), true)));
  k.push_back(integer("train.seed", CONVLSTM_FIELD(std::int64_t, c.train.seed),
                      "initialisation and data order",
                      {[](const Config& c) { return unless(c.train.seed >= 0, "must not be negative"); }}));
  auto init_from = nullable<std::string>(
      "train.init_from", "null or a checkpoint",
      CONVLSTM_FIELD(std::optional<std::string>, c.train.init_from), as_string,
      [](const std::string& v) { return YAML::Node(v); },
      "a checkpoint to start from (pre-training); fresh optimizer, step 0");
  init_from.resume_may_change = true;
  k.push_back(init_from);
  k.push_back(integer(
      "train.threads", CONVLSTM_FIELD(std::int64_t, c.train.threads), "0: all cores",
      {[](const Config& c) { return unless(c.train.threads >= 0, "must not be negative (0: all cores)"); },
       true}));
  k.push_back(choice("train.precision", CONVLSTM_FIELD(std::string, c.train.precision),
                     ops::precision_names(), "the convolutions' arithmetic (bf16 needs AVX512-BF16)"));
  k.push_back(choice("train.conv_algorithm", CONVLSTM_FIELD(std::string, c.train.conv_algorithm),
                     ops::conv_algorithm_names(),
                     "Winograd F(4x4,3x3) for 3x3 fp32 convolutions, or direct"));
  k.push_back(
      text("output.dir", CONVLSTM_FIELD(std::string, c.output.dir),
           "latest.h5, best.h5, metrics.csv, config.yaml, train.log",
           {[](const Config& c) { return unless(!c.output.dir.empty(), "must name a directory"); }, true}));
  k.push_back(integer("output.checkpoint_every", CONVLSTM_FIELD(std::int64_t, c.output.checkpoint_every),
                      "steps between latest.h5 writes (and at the end)",
                      at_least(1, CONVLSTM_FIELD(std::int64_t, c.output.checkpoint_every), true)));
  auto frame = nullable<FrameShape>(
      "bench.frame", "null or [channels, height, width]",
      CONVLSTM_FIELD(std::optional<FrameShape>, c.bench.frame),
      [](const YAML::Node& n) {
        const auto v = as_ints(n, 3, "[channels, height, width]");
        return FrameShape{v[0], v[1], v[2]};
      },
      [](const FrameShape& v) {
        return flow_list({v.channels, v.height, v.width});
      },
      "convlstm bench only: its frames, or null: data.train's",
      {[](const Config& c) {
         const auto& v = c.bench.frame;
         return unless(!v || (v->channels >= 1 && v->height >= 1 && v->width >= 1),
                       "needs a positive channel count, height and width");
       },
       true});
  k.push_back(frame);
#undef CONVLSTM_FIELD
  return k;
}

}  // namespace

const std::vector<Key>& keys() {
  static const std::vector<Key> table = make_keys();
  return table;
}

const Key* find_key(const std::string& path) {
  for (const auto& k : keys())
    if (k.path == path) return &k;
  return nullptr;
}

const std::set<std::string>& sections() {
  static const std::set<std::string> s = [] {
    std::set<std::string> out;
    for (const auto& k : keys())
      for (auto dot = k.path.find('.'); dot != std::string::npos; dot = k.path.find('.', dot + 1))
        out.insert(k.path.substr(0, dot));
    return out;
  }();
  return s;
}

}  // namespace convlstm::config::detail
