// Checkpoint files (docs/architecture.md "File formats"), a public contract:
//   root attributes  format = "convlstm-checkpoint", version = 1, config (the full effective YAML), step,
//   epoch,
//                    best_val_loss, frame_channels / frame_height / frame_width (the model's input frames),
//                    data_* (the training data's quantity, units and provenance, for predict)
//   /model/<name>    every parameter by its table name (encoder/layer0/w_x, ..., head/b), float32, i f g o
//   /optimizer/<state>/<name>   the optimizer's moments; attributes kind and step
// Written atomically: a temporary file in the same directory, fsync, rename.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "data/h5.hpp"
#include "nn/parameters.hpp"
#include "train/optimizer.hpp"

namespace convlstm::train {

struct CheckpointInfo {
  std::string config_yaml;
  std::int64_t step = 0;
  std::int64_t epoch = 0;
  double best_val_loss = 0.0;               // +inf when never validated
  std::int64_t validations_since_best = 0;  // early-stopping counter
  std::int64_t frame_channels = 1, frame_height = 0, frame_width = 0;
  std::map<std::string, std::string> data;  // quantity, units, provenance of the training data
  std::string optimizer_kind;
};

void write_checkpoint(const std::string& path, const CheckpointInfo& info, nn::ParameterTable& params,
                      Optimizer* optimizer);
CheckpointInfo read_checkpoint_info(const std::string& path);
// Loads every parameter (and the optimizer's moments when given); shapes must match the table's exactly.
void read_checkpoint_tensors(const std::string& path, nn::ParameterTable& params, Optimizer* optimizer);

// Every tensor of a table as a float32 dataset `prefix + name` in an open file (the checkpoint's own writer;
// also used for the gradients `convlstm bench --dump` writes).
void write_tensors(const data::h5::File& f, const std::string& prefix, const nn::ParameterTable& table);

}  // namespace convlstm::train
