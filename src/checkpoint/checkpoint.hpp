// Checkpoint files (docs/architecture.md "File formats"), a public contract:
//   root attributes  format = "convlstm-checkpoint", version = 1, config (the full effective YAML), step,
//                    epoch, best_val_loss, frame_channels / frame_height / frame_width (the model's input
//                    frames), data_* (the training data's record, data/field.hpp: quantity, units, grid, time
//                    step and provenance, for predict), model_* (the model's description: what a forecast
//                    needs, written out explicitly so that reading it does not depend on the config parser;
//                    absent in older checkpoints)
//   /model/<name>    every parameter by its table name (encoder/layer0/w_x, ..., head/b), float32, i f g o
//   /optimizer/<state>/<name>   the optimizer's moments; attributes kind and step
// Written atomically: a temporary file in the same directory, fsync, rename. The room includes nothing
// above data/ and nn/: training and forecasting both read it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "data/field.hpp"
#include "data/h5.hpp"
#include "data/normalize.hpp"
#include "data/windows.hpp"
#include "nn/model_spec.hpp"
#include "nn/parameters.hpp"

namespace convlstm::checkpoint {

// What a forecast needs to rebuild the network and its inputs.
struct ModelDescription {
  nn::ModelSpec spec;  // channels, height, width: the grid trained on (the random crop's, when cropping)
  std::int64_t t_in = 0, t_out = 0;
  data::Normalizer normalize;
  std::string flow_method = "dis";          // the optical flow behind the extrapolation the model reads
  std::string conv_algorithm = "winograd";  // direct | winograd (ops/precision.hpp)
  // The training domain: data.crop and data.downsample of the frames trained on (after the import's own).
  std::optional<data::Crop> crop;
  std::int64_t downsample = 1;
};

struct CheckpointInfo {
  std::string config_yaml;
  std::int64_t step = 0;
  std::int64_t epoch = 0;
  double best_val_loss = 0.0;               // +inf when never validated
  std::int64_t validations_since_best = 0;  // early-stopping counter
  std::int64_t frame_channels = 1, frame_height = 0, frame_width = 0;
  data::FieldInfo data;  // the training data's quantity, units, grid, time step and provenance (no times)
  std::string optimizer_kind;
  std::optional<ModelDescription> model;  // written always; absent when reading an older checkpoint
};

// The optimizer's side of a checkpoint: its kind, its step count and its moment tables by name.
struct OptimizerState {
  std::string kind;
  std::int64_t steps = 0;
  std::vector<std::pair<std::string, nn::ParameterTable*>> moments;
};

void write_checkpoint(const std::string& path, const CheckpointInfo& info, const nn::ParameterTable& params,
                      const OptimizerState* optimizer);
CheckpointInfo read_checkpoint_info(const std::string& path);
// Loads every parameter (and the optimizer's moments and step count when given: its kind must match); shapes
// must match the table's exactly.
void read_checkpoint_tensors(const std::string& path, nn::ParameterTable& params, OptimizerState* optimizer);

// Every tensor of a table as a float32 dataset `prefix + name` in an open file (the checkpoint's own writer;
// also used for the gradients `convlstm bench --dump` writes).
void write_tensors(const data::h5::File& f, const std::string& prefix, const nn::ParameterTable& table);

}  // namespace convlstm::checkpoint
