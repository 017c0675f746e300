#include "checkpoint/checkpoint.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/h5.hpp"

namespace convlstm::checkpoint {

namespace {

constexpr const char* kFormat = "convlstm-checkpoint";
constexpr std::int64_t kVersion = 1;

void read_table(const data::h5::File& f, const std::string& prefix, nn::ParameterTable& table) {
  for (const auto& t : table.tensors) {
    auto ds = f.dataset(prefix + t.name);
    if (ds.dims() != t.view.shape.dims)
      throw DataError(ds.where() + ": shape " + Shape(ds.dims()).str() + " does not match the model's " +
                      t.view.shape.str() + " (checkpoint from another model shape?)");
    ds.read_all(t.view.data);
    for (const float v : t.view)
      if (!std::isfinite(v)) throw DataError(ds.where() + ": contains NaN or Inf");
  }
}

// The model's description as root attributes model_*, and back.
void write_description(const data::h5::Group& root, const ModelDescription& m) {
  std::string layers;
  for (const auto& l : m.spec.layers)
    layers += (layers.empty() ? "" : ",") + std::to_string(l.filters) + ":" + std::to_string(l.k_x) + ":" +
              std::to_string(l.k_h);
  root.set_attr("model_patch", m.spec.patch);
  root.set_attr("model_layers", layers);
  root.set_attr("model_peephole", nn::to_string(m.spec.peephole));
  root.set_attr("model_forget_bias", static_cast<double>(m.spec.forget_bias));
  root.set_attr("model_output", nn::to_string(m.spec.output));
  root.set_attr("model_forecaster_input", nn::to_string(m.spec.forecaster_input));
  root.set_attr("model_output_filter", nn::to_string(m.spec.output_filter));
  root.set_attr("model_noise_channels", m.spec.noise.channels);
  root.set_attr("model_noise_scale", m.spec.noise.scale);
  root.set_attr("model_t_in", m.t_in);
  root.set_attr("model_t_out", m.t_out);
  root.set_attr("model_normalize", data::to_string(m.normalize.kind));
  root.set_attr("model_normalize_min", m.normalize.min);
  root.set_attr("model_normalize_max", m.normalize.max);
  root.set_attr("model_normalize_zr_a", m.normalize.zr_a);
  root.set_attr("model_normalize_zr_b", m.normalize.zr_b);
  root.set_attr("model_flow_method", m.flow_method);
  root.set_attr("model_conv_algorithm", m.conv_algorithm);
  root.set_attr("model_crop", m.crop
                                  ? std::to_string(m.crop->y0) + "," + std::to_string(m.crop->x0) + "," +
                                        std::to_string(m.crop->height) + "," + std::to_string(m.crop->width)
                                  : std::string());
  root.set_attr("model_downsample", m.downsample);
}

std::optional<ModelDescription> read_description(const std::string& path, const data::h5::Group& root,
                                                 const CheckpointInfo& info) {
  if (!root.has_attr("model_layers")) return std::nullopt;
  ModelDescription m;
  try {
    m.spec.channels = info.frame_channels;
    m.spec.height = info.frame_height;
    m.spec.width = info.frame_width;
    m.spec.patch = root.attr_int("model_patch");
    m.spec.layers.clear();
    std::istringstream in(root.attr_string("model_layers"));
    for (std::string layer; std::getline(in, layer, ',');) {
      nn::LayerSpec l;
      char colon1 = 0, colon2 = 0;
      std::istringstream ls(layer);
      if (!(ls >> l.filters >> colon1 >> l.k_x >> colon2 >> l.k_h) || colon1 != ':' || colon2 != ':')
        throw DataError("model_layers: '" + layer + "' is not filters:k_x:k_h");
      m.spec.layers.push_back(l);
    }
    m.spec.peephole = nn::parse_peephole(root.attr_string("model_peephole"));
    m.spec.forget_bias = static_cast<float>(root.attr_double("model_forget_bias"));
    m.spec.output = nn::parse_output(root.attr_string("model_output"));
    m.spec.forecaster_input = nn::parse_forecaster_input(root.attr_string("model_forecaster_input"));
    m.spec.output_filter = nn::parse_output_filter(root.attr_string("model_output_filter"));
    if (root.has_attr("model_noise_channels")) {  // older checkpoints: deterministic
      m.spec.noise.channels = root.attr_int("model_noise_channels");
      m.spec.noise.scale = root.attr_int("model_noise_scale");
    }
    m.t_in = root.attr_int("model_t_in");
    m.t_out = root.attr_int("model_t_out");
    m.normalize.kind = data::parse_normalize_kind(root.attr_string("model_normalize"));
    m.normalize.min = root.attr_double("model_normalize_min");
    m.normalize.max = root.attr_double("model_normalize_max");
    m.normalize.zr_a = root.attr_double("model_normalize_zr_a");
    m.normalize.zr_b = root.attr_double("model_normalize_zr_b");
    m.flow_method = root.attr_string("model_flow_method");
    m.conv_algorithm = root.attr_string("model_conv_algorithm");
    const std::string crop = root.attr_string("model_crop");
    if (!crop.empty()) {
      data::Crop c;
      char tail = 0;
      if (std::sscanf(crop.c_str(), "%ld,%ld,%ld,%ld%c", &c.y0, &c.x0, &c.height, &c.width, &tail) != 4)
        throw DataError("model_crop: '" + crop + "' is not y0,x0,height,width");
      m.crop = c;
    }
    m.downsample = root.attr_int("model_downsample");
    m.spec.validate();
  } catch (const ConfigError& e) {
    throw DataError(path + ": the model's description: " + e.what());
  } catch (const DataError& e) {
    throw DataError(path + ": the model's description: " + e.what());
  }
  return m;
}

}  // namespace

void write_tensors(const data::h5::File& f, const std::string& prefix, const nn::ParameterTable& table) {
  for (const auto& t : table.tensors) {
    auto ds = f.create_dataset(prefix + t.name, data::h5::Scalar::float32, t.view.shape.dims);
    std::vector<std::int64_t> start(t.view.shape.rank(), 0);
    ds.write(start, t.view.shape.dims, t.view.data);
  }
}

void write_checkpoint(const std::string& path, const CheckpointInfo& info, const nn::ParameterTable& params,
                      const OptimizerState* optimizer) {
  const std::string tmp = path + ".tmp";
  try {
    auto f = data::h5::File::create(tmp);
    const auto root = f.root();
    root.set_attr("format", std::string(kFormat));
    root.set_attr("version", kVersion);
    root.set_attr("config", info.config_yaml);
    root.set_attr("step", info.step);
    root.set_attr("epoch", info.epoch);
    root.set_attr("best_val_loss", info.best_val_loss);
    root.set_attr("validations_since_best", info.validations_since_best);
    root.set_attr("frame_channels", info.frame_channels);
    root.set_attr("frame_height", info.frame_height);
    root.set_attr("frame_width", info.frame_width);
    for (const auto& [k, v] : data::field_attributes(info.data)) root.set_attr("data_" + k, v);
    if (info.model) write_description(root, *info.model);
    write_tensors(f, "/model/", params);
    if (optimizer) {
      auto og = root.create_group("optimizer");
      og.set_attr("kind", optimizer->kind);
      og.set_attr("step", optimizer->steps);
      for (const auto& [name, table] : optimizer->moments)
        write_tensors(f, "/optimizer/" + name + "/", *table);
    }
    f.flush();
    f.close();
    data::commit_file(tmp, path);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
}

CheckpointInfo read_checkpoint_info(const std::string& path) {
  auto f = data::h5::File::open_read(path);
  const auto root = f.root();
  const auto format = root.attr_string_opt("format");
  if (!format || *format != kFormat)
    throw DataError(path + ": not a convlstm checkpoint (format attribute missing)");
  const std::int64_t version = root.attr_int("version");
  if (version != kVersion)
    throw DataError(path + ": checkpoint format version " + std::to_string(version) +
                    ", this build reads version 1");
  CheckpointInfo info;
  info.config_yaml = root.attr_string("config");
  info.step = root.attr_int("step");
  info.epoch = root.attr_int("epoch");
  info.best_val_loss = root.attr_double("best_val_loss");
  info.validations_since_best =
      root.has_attr("validations_since_best") ? root.attr_int("validations_since_best") : 0;
  info.frame_channels = root.attr_int("frame_channels");
  info.frame_height = root.attr_int("frame_height");
  info.frame_width = root.attr_int("frame_width");
  std::map<std::string, std::string> data;
  for (const auto& name : root.attr_names())
    if (name.rfind("data_", 0) == 0) data[name.substr(5)] = root.attr_string(name);
  info.data = data::field_from_attributes(data, path + ": data_* attributes");
  if (root.has("optimizer")) info.optimizer_kind = root.group("optimizer").attr_string("kind");
  info.model = read_description(path, root, info);
  return info;
}

void read_checkpoint_tensors(const std::string& path, nn::ParameterTable& params, OptimizerState* optimizer) {
  auto f = data::h5::File::open_read(path);
  read_table(f, "/model/", params);
  if (optimizer) {
    const auto root = f.root();
    if (!root.has("optimizer")) throw DataError(path + ": no optimizer state to resume from");
    const auto og = root.group("optimizer");
    if (og.attr_string("kind") != optimizer->kind)
      throw DataError(path + ": optimizer '" + og.attr_string("kind") +
                      "' in the checkpoint, the config asks for '" + optimizer->kind + "'");
    optimizer->steps = og.attr_int("step");
    for (auto& [name, table] : optimizer->moments) read_table(f, "/optimizer/" + name + "/", *table);
  }
}

}  // namespace convlstm::checkpoint
