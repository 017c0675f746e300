#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace convlstm::config {

namespace {

// A number as a person writes it: the shortest text that reads back as the same double (0.05, not
// 0.050000000000000003), with a ".0" where it would otherwise look like an integer.
YAML::Node number(double v) {
  char buf[64];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  std::string s(buf, end);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return YAML::Node(s);
}

YAML::Node layer_node(const nn::LayerSpec& l) {
  YAML::Node n(YAML::NodeType::Map);
  n.SetStyle(YAML::EmitterStyle::Flow);
  n["filters"] = l.filters;
  n["k_x"] = l.k_x;
  n["k_h"] = l.k_h;
  return n;
}

}  // namespace

std::string to_yaml(const Config& c) {
  YAML::Node root;
  auto opt_str = [](const std::optional<std::string>& v) {
    return v ? YAML::Node(*v) : YAML::Node(YAML::NodeType::Null);
  };
  auto d = root["data"];
  d["train"] = c.data.train;
  d["val"] = opt_str(c.data.val);
  d["val_fraction"] = number(c.data.val_fraction);
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
  d["crop_min_wet"] = number(c.data.crop_min_wet);
  d["crop_wet_threshold"] = number(c.data.crop_wet_threshold);
  d["normalize"]["kind"] = data::to_string(c.data.normalize.kind);
  d["normalize"]["min"] = number(c.data.normalize.min);
  d["normalize"]["max"] = number(c.data.normalize.max);
  d["normalize"]["zr_a"] = number(c.data.normalize.zr_a);
  d["normalize"]["zr_b"] = number(c.data.normalize.zr_b);
  auto m = root["model"];
  m["patch"] = c.model.patch;
  YAML::Node layers(YAML::NodeType::Sequence);
  for (const auto& l : c.model.layers) layers.push_back(layer_node(l));
  m["layers"] = layers;
  m["peephole"] = nn::to_string(c.model.peephole);
  m["forget_bias"] = number(c.model.forget_bias);
  m["output"] = nn::to_string(c.model.output);
  m["forecaster_input"] = nn::to_string(c.model.forecaster_input);
  m["output_filter"] = nn::to_string(c.model.output_filter);
  m["flow_method"] = c.model.flow_method;
  auto t = root["train"];
  t["batch_size"] = c.train.batch_size;
  t["epochs"] = c.train.epochs;
  t["max_steps"] = c.train.max_steps ? YAML::Node(*c.train.max_steps) : YAML::Node(YAML::NodeType::Null);
  t["loss"] = c.train.loss;
  t["balance"] = c.train.balance;
  t["lead_weights"] = c.train.lead_weights;
  const auto& o = c.train.optimizer;
  t["optimizer"]["kind"] = o.kind;
  t["optimizer"]["lr"] = number(o.lr);
  t["optimizer"]["momentum"] = number(o.momentum);
  t["optimizer"]["decay"] = number(o.decay);
  t["optimizer"]["beta1"] = number(o.beta1);
  t["optimizer"]["beta2"] = number(o.beta2);
  t["optimizer"]["eps"] = number(o.eps);
  t["optimizer"]["weight_decay"] = number(o.weight_decay);
  t["clip_grad_norm"] =
      c.train.clip_grad_norm ? number(*c.train.clip_grad_norm) : YAML::Node(YAML::NodeType::Null);
  const auto& s = c.train.lr_schedule;
  t["lr_schedule"]["kind"] = s.kind;
  t["lr_schedule"]["step_size"] = s.step_size;
  t["lr_schedule"]["gamma"] = number(s.gamma);
  t["lr_schedule"]["min_lr"] = number(s.min_lr);
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

std::string defaults_listing() {
  return "# The code's defaults (src/config/config.hpp), key by key: what a config that leaves a key out "
         "gets.\n"
         "# Printed by `convlstm config --defaults`; configs/default.yaml is the demo's preset, with every "
         "key\n"
         "# explained.\n" +
         to_yaml(Config{});
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

}  // namespace convlstm::config
