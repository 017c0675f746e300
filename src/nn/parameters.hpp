// The parameter table: every tensor of an encoder-forecaster in one arena, with named and structured views.
// The same table type holds parameters, their gradients and optimizer moments, so "the gradient of X" sits at
// the same offset in its own arena. Names and shapes are the checkpoint's (docs/architecture.md "File
// formats"); gate order i, f, g, o.
#pragma once

#include <string>
#include <vector>

#include "core/rng.hpp"
#include "nn/model_spec.hpp"
#include "tensor/tensor.hpp"

namespace convlstm::nn {

struct CellParams {
  TensorView w_x;  // (4F, C, k_x, k_x); empty for forecaster layer 0 unless it reads the extrapolation
  TensorView w_h;  // (4F, F, k_h, k_h)
  TensorView b;    // (4F)
  TensorView w_c;  // (3, F) channel or (3, F, H', W') pixel peepholes for i, f, o; empty with peephole none
};

struct ModelParams {
  std::vector<CellParams> encoder;     // L layers, bottom-up
  std::vector<CellParams> forecaster;  // L layers, bottom-up
  TensorView head_w;                   // (C p², ΣF, 1, 1)
  TensorView head_b;                   // (C p²)
};

struct NamedTensor {
  std::string name;  // "encoder/layer0/w_x", "head/b", ...
  TensorView view;
};

class ParameterTable {
 public:
  explicit ParameterTable(const ModelSpec& spec);
  ParameterTable(const ParameterTable&) = delete;
  ParameterTable& operator=(const ParameterTable&) = delete;

  ModelParams model;                 // structured views into the arena
  std::vector<NamedTensor> tensors;  // the same views by name, in arena order

  TensorView flat() { return arena_.view(); }  // every parameter, contiguous
  std::int64_t size() const { return arena_.numel(); }
  void zero() { arena_.zero(); }
  // The view of `name`; throws Error when there is none.
  TensorView find(const std::string& name) const;

 private:
  Tensor arena_;
};

// Documented initialisation, reproducible from the seed:
//   W_x, W_h ~ U(-s, s) with s = 1/sqrt(C k_x² + F k_h²), the fan-in of the gates' pre-activation;
//   b = 0 except the forget gate's, = forget_bias; peepholes = 0;
//   head W ~ U(-1/sqrt(ΣF), 1/sqrt(ΣF)), head b = 0; a residual model's head W = 0 (it starts as the
//   extrapolation nowcast, and the first step's gradient reaches the head alone).
void init_parameters(const ModelSpec& spec, ParameterTable& params, Rng& rng);

}  // namespace convlstm::nn
