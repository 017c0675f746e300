#include "nn/parameters.hpp"

#include <cmath>

#include "core/error.hpp"

namespace convlstm::nn {

namespace {

// The tensors of one model in arena order, with their shapes (views filled once the arena exists).
struct Entry {
  std::string name;
  Shape shape;
  TensorView* slot;
};

Shape peephole_shape(const ModelSpec& spec, std::int64_t f) {
  if (spec.peephole == Peephole::channel) return Shape{3, f};
  return Shape{3, f, spec.grid_h(), spec.grid_w()};
}

}  // namespace

ParameterTable::ParameterTable(const ModelSpec& spec) {
  spec.validate();
  const std::size_t L = spec.layers.size();
  model.encoder.resize(L);
  model.forecaster.resize(L);
  std::vector<Entry> entries;
  for (int part = 0; part < 2; ++part) {
    const bool encoder = part == 0;
    auto& cells = encoder ? model.encoder : model.forecaster;
    for (std::size_t k = 0; k < L; ++k) {
      const auto& l = spec.layers[k];
      const std::int64_t c_in = k > 0     ? spec.layers[k - 1].filters
                                : encoder ? spec.patched_channels()
                                          : spec.forecaster_input_channels();
      const std::string prefix =
          std::string(encoder ? "encoder" : "forecaster") + "/layer" + std::to_string(k) + "/";
      if (c_in > 0)
        entries.push_back({prefix + "w_x", Shape{4 * l.filters, c_in, l.k_x, l.k_x}, &cells[k].w_x});
      entries.push_back({prefix + "w_h", Shape{4 * l.filters, l.filters, l.k_h, l.k_h}, &cells[k].w_h});
      entries.push_back({prefix + "b", Shape{4 * l.filters}, &cells[k].b});
      if (spec.peephole != Peephole::none)
        entries.push_back({prefix + "w_c", peephole_shape(spec, l.filters), &cells[k].w_c});
    }
  }
  entries.push_back({"head/w", Shape{spec.patched_channels(), spec.hidden_sum(), 1, 1}, &model.head_w});
  entries.push_back({"head/b", Shape{spec.patched_channels()}, &model.head_b});

  std::int64_t total = 0;
  for (const auto& e : entries) total += e.shape.numel();
  arena_ = Tensor(Shape{total});
  std::int64_t offset = 0;
  for (auto& e : entries) {
    *e.slot = arena_.view(offset, e.shape);
    offset += e.shape.numel();
    tensors.push_back({e.name, *e.slot});
  }
}

TensorView ParameterTable::find(const std::string& name) const {
  for (const auto& t : tensors)
    if (t.name == name) return t.view;
  throw Error("no parameter named '" + name + "'");
}

void init_parameters(const ModelSpec& spec, ParameterTable& params, Rng& rng) {
  auto uniform = [&rng](const TensorView& v, float scale) {
    for (auto& x : v) x = rng.uniform(-scale, scale);
  };
  auto init_cell = [&](CellParams& cell, std::int64_t c_in, const LayerSpec& l) {
    const float fan_in = static_cast<float>(c_in * l.k_x * l.k_x + l.filters * l.k_h * l.k_h);
    const float s = 1.0f / std::sqrt(fan_in);
    if (!cell.w_x.empty()) uniform(cell.w_x, s);
    uniform(cell.w_h, s);
    cell.b.zero();
    for (std::int64_t j = 0; j < l.filters; ++j)
      cell.b[l.filters + j] = spec.forget_bias;  // gate order i, f, g, o
    if (!cell.w_c.empty()) cell.w_c.zero();
  };
  for (std::size_t k = 0; k < spec.layers.size(); ++k) {
    const std::int64_t c_in = k == 0 ? spec.patched_channels() : spec.layers[k - 1].filters;
    init_cell(params.model.encoder[k], c_in, spec.layers[k]);
    // Forecaster layer 0 reads the extrapolation or nothing; without input its fan-in is the recurrent part.
    init_cell(params.model.forecaster[k], k == 0 ? spec.forecaster_input_channels() : c_in, spec.layers[k]);
  }
  // A residual model starts as the extrapolation nowcast itself: its head (the correction) starts at zero.
  if (spec.output == OutputActivation::residual)
    params.model.head_w.zero();
  else
    uniform(params.model.head_w, 1.0f / std::sqrt(static_cast<float>(spec.hidden_sum())));
  params.model.head_b.zero();
}

}  // namespace convlstm::nn
