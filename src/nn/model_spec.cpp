#include "nn/model_spec.hpp"

#include <sstream>

#include "core/enum_names.hpp"
#include "core/error.hpp"
#include "ops/layout.hpp"

namespace convlstm::nn {

std::vector<std::int64_t> ModelSpec::filters() const {
  std::vector<std::int64_t> f;
  for (const auto& l : layers) f.push_back(l.filters);
  return f;
}

std::int64_t ModelSpec::hidden_sum() const {
  std::int64_t s = 0;
  for (const auto& l : layers) s += l.filters;
  return s;
}

bool ModelSpec::blocked_layout() const {
  for (const auto& l : layers)
    if (l.filters % ops::kChannelBlock != 0) return false;
  return true;
}

void ModelSpec::validate() const {
  auto fail = [](const std::string& key, const std::string& what) {
    throw ConfigError("model." + key + ": " + what);
  };
  if (channels < 1) fail("channels", "must be at least 1");
  if (patch < 1) fail("patch", "must be at least 1");
  if (height < 1 || width < 1) fail("height/width", "frame size must be positive");
  if (height % patch != 0 || width % patch != 0) {
    std::ostringstream os;
    os << "patch " << patch << " does not divide the frame size " << height << "x" << width;
    fail("patch", os.str());
  }
  if (layers.empty()) fail("layers", "needs at least one layer");
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const auto& l = layers[k];
    const std::string key = "layers[" + std::to_string(k) + "]";
    if (l.filters < 1) fail(key + ".filters", "must be at least 1");
    if (l.k_x < 1 || l.k_x % 2 == 0) fail(key + ".k_x", "must be a positive odd number");
    if (l.k_h < 1 || l.k_h % 2 == 0) fail(key + ".k_h", "must be a positive odd number");
  }
  if (base() == BaseNowcast::sprog && channels != 1)
    fail("forecaster_input", "S-PROG forecasts one channel, the data has " + std::to_string(channels));
  if (output_filter != OutputFilter::none && output != OutputActivation::residual)
    fail("output_filter", "smooths a residual model's correction: needs model.output residual");
  if (noise.channels < 0) fail("noise.channels", "must not be negative (0: a deterministic model)");
  if (noise.scale < 1) fail("noise.scale", "must be at least 1 pixel");
}

std::string ModelSpec::str() const {
  std::ostringstream os;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const auto& l = layers[k];
    if (k == 0) os << "(" << l.k_x << "x" << l.k_x << ")-";
    os << l.k_h << "x" << l.k_h << "-" << l.filters << (k + 1 < layers.size() ? "-" : "");
  }
  os << ", patch " << patch << ", " << height << "x" << width << "x" << channels << ", peephole "
     << to_string(peephole);
  if (forecaster_input != ForecasterInput::none) os << ", forecaster input " << to_string(forecaster_input);
  if (output == OutputActivation::residual) os << ", residual output";
  if (output_filter != OutputFilter::none) os << " through the patch " << to_string(output_filter);
  if (stochastic()) os << ", " << noise.channels << " noise planes of scale " << noise.scale;
  return os.str();
}

namespace {

constexpr EnumName<Peephole> kPeepholes[] = {
    {Peephole::channel, "channel"}, {Peephole::pixel, "pixel"}, {Peephole::none, "none"}};
constexpr EnumName<OutputActivation> kOutputs[] = {{OutputActivation::sigmoid, "sigmoid"},
                                                   {OutputActivation::identity, "identity"},
                                                   {OutputActivation::residual, "residual"}};
constexpr EnumName<ForecasterInput> kForecasterInputs[] = {
    {ForecasterInput::none, "none"},
    {ForecasterInput::extrapolation, "extrapolation"},
    {ForecasterInput::extrapolation_gaps, "extrapolation+gaps"},
    {ForecasterInput::sprog, "sprog"},
    {ForecasterInput::sprog_gaps, "sprog+gaps"}};
constexpr EnumName<OutputFilter> kOutputFilters[] = {{OutputFilter::none, "none"},
                                                     {OutputFilter::tent, "tent"}};

template <typename E, std::size_t N>
E parsed(const EnumName<E> (&table)[N], const std::string& name, const char* what) {
  if (const auto v = value_of(table, name)) return *v;
  throw ConfigError(std::string(what) + " '" + name + "': expected " + one_of(names_of(table)));
}

}  // namespace

std::string to_string(Peephole p) {
  return name_of(kPeepholes, p);
}
std::string to_string(OutputActivation a) {
  return name_of(kOutputs, a);
}
std::string to_string(ForecasterInput f) {
  return name_of(kForecasterInputs, f);
}
std::string to_string(OutputFilter f) {
  return name_of(kOutputFilters, f);
}

Peephole parse_peephole(const std::string& s) {
  return parsed(kPeepholes, s, "peephole");
}
OutputActivation parse_output(const std::string& s) {
  return parsed(kOutputs, s, "output");
}
ForecasterInput parse_forecaster_input(const std::string& s) {
  return parsed(kForecasterInputs, s, "forecaster input");
}
OutputFilter parse_output_filter(const std::string& s) {
  return parsed(kOutputFilters, s, "output filter");
}

std::vector<std::string> peephole_names() {
  return names_of(kPeepholes);
}
std::vector<std::string> output_names() {
  return names_of(kOutputs);
}
std::vector<std::string> forecaster_input_names() {
  return names_of(kForecasterInputs);
}
std::vector<std::string> output_filter_names() {
  return names_of(kOutputFilters);
}

}  // namespace convlstm::nn
