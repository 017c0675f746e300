#include "nn/parameters.hpp"

#include <catch2/catch.hpp>

#include "core/error.hpp"

namespace convlstm {
namespace {

using nn::LayerSpec;
using nn::ModelSpec;

// Shi et al. 2015, Table 1: 16x16x16 patched Moving MNIST (64x64x1 frames, patch 4), channel peepholes.
ModelSpec paper_model(std::vector<LayerSpec> layers) {
  ModelSpec s;
  s.channels = 1;
  s.height = s.width = 64;
  s.patch = 4;
  s.layers = std::move(layers);
  s.peephole = ops::Peephole::channel;
  return s;
}

TEST_CASE("parameter counts match Shi et al. 2015 Table 1", "[nn]") {
  CHECK(nn::ParameterTable(paper_model({{256, 5, 5}})).size() == 13'524'496);
  CHECK(nn::ParameterTable(paper_model({{128, 5, 5}, {128, 5, 5}})).size() == 10'042'896);
  CHECK(nn::ParameterTable(paper_model({{128, 5, 5}, {64, 5, 5}, {64, 5, 5}})).size() == 7'585'296);
  CHECK(nn::ParameterTable(paper_model({{128, 9, 1}, {128, 9, 1}})).size() == 11'550'224);
}

TEST_CASE("the patch tent is refused on a model that has no residual to smooth", "[nn]") {
  ModelSpec s = paper_model({{8, 3, 3}});
  s.output_filter = nn::OutputFilter::tent;
  for (const auto output : {nn::OutputActivation::sigmoid, nn::OutputActivation::identity}) {
    s.output = output;
    CHECK_THROWS_WITH(s.validate(), Catch::Contains("model.output_filter") && Catch::Contains("residual"));
  }
  s.forecaster_input = nn::ForecasterInput::extrapolation;
  s.output = nn::OutputActivation::residual;
  CHECK_NOTHROW(s.validate());
}

TEST_CASE("parameter table names - shapes and arena layout follow the checkpoint format", "[nn]") {
  ModelSpec s = paper_model({{8, 3, 5}, {4, 3, 3}});
  s.height = s.width = 8;
  s.patch = 2;
  s.peephole = ops::Peephole::pixel;
  nn::ParameterTable p(s);
  CHECK(p.find("encoder/layer0/w_x").shape == Shape{32, 4, 3, 3});
  CHECK(p.find("encoder/layer0/w_h").shape == Shape{32, 8, 5, 5});
  CHECK(p.find("encoder/layer1/w_x").shape == Shape{16, 8, 3, 3});
  CHECK(p.find("encoder/layer1/w_c").shape == Shape{3, 4, 4, 4});
  CHECK(p.find("forecaster/layer1/b").shape == Shape{16});
  CHECK(p.find("head/w").shape == Shape{4, 12, 1, 1});
  CHECK_THROWS_AS(p.find("forecaster/layer0/w_x"), Error);  // forecaster layer 0 has no input
  CHECK(p.model.forecaster[0].w_x.empty());
  // Views tile the arena in order, with no gap and no overlap.
  std::int64_t offset = 0;
  for (const auto& t : p.tensors) {
    CHECK(t.view.data == p.flat().data + offset);
    offset += t.view.numel();
  }
  CHECK(offset == p.size());
}

TEST_CASE("initialisation is reproducible and sets the forget bias", "[nn]") {
  ModelSpec s = paper_model({{4, 3, 3}});
  s.height = s.width = 8;
  s.patch = 2;
  s.forget_bias = 1.5f;
  nn::ParameterTable a(s), b(s);
  Rng r1(5), r2(5);
  nn::init_parameters(s, a, r1);
  nn::init_parameters(s, b, r2);
  CHECK(std::equal(a.flat().begin(), a.flat().end(), b.flat().begin()));
  const auto bias = a.model.encoder[0].b;
  CHECK(bias[0] == 0.0f);  // i
  CHECK(bias[4] == 1.5f);  // f
  CHECK(bias[8] == 0.0f);  // g
  const float bound = 1.0f / std::sqrt(4.0f * 9 + 4.0f * 9);
  for (float v : a.model.encoder[0].w_h) CHECK(std::abs(v) <= bound);
}

TEST_CASE("model spec validation names the key", "[nn]") {
  ModelSpec s = paper_model({{4, 3, 3}});
  s.patch = 3;
  CHECK_THROWS_WITH(s.validate(), Catch::Contains("model.patch"));
  s = paper_model({});
  CHECK_THROWS_WITH(s.validate(), Catch::Contains("model.layers"));
  s = paper_model({{4, 2, 3}});
  CHECK_THROWS_WITH(s.validate(), Catch::Contains("k_x"));
}

}  // namespace
}  // namespace convlstm
