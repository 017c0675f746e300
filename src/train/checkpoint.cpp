#include "train/checkpoint.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/h5.hpp"

namespace convlstm::train {

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

}  // namespace

void write_tensors(const data::h5::File& f, const std::string& prefix, const nn::ParameterTable& table) {
  for (const auto& t : table.tensors) {
    auto ds = f.create_dataset(prefix + t.name, data::h5::Scalar::float32, t.view.shape.dims);
    std::vector<std::int64_t> start(t.view.shape.rank(), 0);
    ds.write(start, t.view.shape.dims, t.view.data);
  }
}

void write_checkpoint(const std::string& path, const CheckpointInfo& info, nn::ParameterTable& params,
                      Optimizer* optimizer) {
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
    for (const auto& [k, v] : info.data) root.set_attr("data_" + k, v);
    write_tensors(f, "/model/", params);
    if (optimizer) {
      auto og = root.create_group("optimizer");
      og.set_attr("kind", optimizer->kind());
      og.set_attr("step", optimizer->steps());
      for (auto& [name, table] : optimizer->state()) write_tensors(f, "/optimizer/" + name + "/", *table);
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
  for (const auto& name : root.attr_names())
    if (name.rfind("data_", 0) == 0) info.data[name.substr(5)] = root.attr_string(name);
  if (root.has("optimizer")) info.optimizer_kind = root.group("optimizer").attr_string("kind");
  return info;
}

void read_checkpoint_tensors(const std::string& path, nn::ParameterTable& params, Optimizer* optimizer) {
  auto f = data::h5::File::open_read(path);
  read_table(f, "/model/", params);
  if (optimizer) {
    const auto root = f.root();
    if (!root.has("optimizer")) throw DataError(path + ": no optimizer state to resume from");
    const auto og = root.group("optimizer");
    if (og.attr_string("kind") != optimizer->kind())
      throw DataError(path + ": optimizer '" + og.attr_string("kind") +
                      "' in the checkpoint, the config asks for '" + optimizer->kind() + "'");
    optimizer->set_steps(og.attr_int("step"));
    for (auto& [name, table] : optimizer->state()) read_table(f, "/optimizer/" + name + "/", *table);
  }
}

}  // namespace convlstm::train
