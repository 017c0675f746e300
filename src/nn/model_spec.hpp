// The shape of an encoder-forecaster (docs/architecture.md): plain data, filled from the config's `model:`
// section.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/gates.hpp"

namespace convlstm::nn {

using ops::Peephole;

struct LayerSpec {
  std::int64_t filters = 64;  // F
  std::int64_t k_x = 3;       // input-to-state kernel
  std::int64_t k_h = 3;       // state-to-state kernel
};

// The head's output function. residual: y = E + (W_head * H + b_head), identity on top of the extrapolation
// nowcast E of the same lead (in the normalised space; see ForecasterInput), so a head that outputs zero
// forecasts exactly the extrapolation. A residual model also holds the g-gate biases and the head's bias at
// zero (they stay out of the forward pass and get no gradient): then a dry input (all zeros) gives zero
// states and a dry forecast at every lead, and no constant veil of drizzle can be learned.
enum class OutputActivation { sigmoid, identity, residual };

// What forecaster layer 0 reads at lead t. none: nothing (Shi et al. 2015). extrapolation: the optical-flow
// extrapolation of the last observed frame to lead t (motion/extrapolation.hpp), normalised and patched like
// the inputs, through its own W_x.
// extrapolation+gaps: besides it, a second plane per channel, 1 where the extrapolation has no source and
// reads "no echo" only for want of one (the trajectory left the grid, or started at unobserved pixels), 0
// elsewhere: without it, rain about to flow in across the edge looks the same as dry air. A dry input has no
// motion and no gaps, so a residual model still forecasts it dry.
// sprog, sprog+gaps: the same with S-PROG's forecast (cascade/sprog.hpp, on the same motion) in place of the
// plain extrapolation, and the residual output added to it; the gaps are the extrapolation's, as S-PROG
// advects along the same trajectories. The base nowcast E below is then S-PROG's.
enum class ForecasterInput { none, extrapolation, extrapolation_gaps, sprog, sprog_gaps };

// The nowcast a model reads and a residual model corrects (E): the optical-flow extrapolation, or S-PROG.
enum class BaseNowcast { extrapolation, sprog };

// What smooths a residual model's correction before it is added to the extrapolation. none: nothing, so the
// head's p² sub-pixel outputs of one cell may differ and repeat with the patch. tent: the correction passes
// through nn::patch_tent (nn/patch.hpp), which maps any pattern repeating with the patch to a constant, so
// the forecast of a smooth field carries no patch-periodic component.
enum class OutputFilter { none, tent };

// Noise a stochastic model reads (model.noise; docs/architecture.md "Ensembles"): K planes per sequence, each
// drawn N(0, 1) on a coarse grid of nodes `scale` pixels apart and interpolated bilinearly to the frame, the
// same for every lead (one draw per member, as CRPS-LAM draws one latent per member). They enter forecaster
// layer 0 beside the base nowcast, patched like frames, through the same W_x. channels 0: a deterministic
// model, bit-identical to one without the block.
struct NoiseSpec {
  std::int64_t channels = 0;  // K
  std::int64_t scale = 16;    // pixels between the coarse grid's nodes
};

struct ModelSpec {
  std::int64_t channels = 1;                              // C of a frame
  std::int64_t height = 64;                               // H of a frame, before patching
  std::int64_t width = 64;                                // W of a frame, before patching
  std::int64_t patch = 2;                                 // p: space-to-depth factor
  std::vector<LayerSpec> layers{{64, 3, 3}, {64, 3, 3}};  // encoder bottom-up; the forecaster mirrors it
  Peephole peephole = Peephole::channel;
  float forget_bias = 1.0f;
  OutputActivation output = OutputActivation::sigmoid;
  ForecasterInput forecaster_input = ForecasterInput::none;
  OutputFilter output_filter = OutputFilter::none;  // residual output only
  NoiseSpec noise;

  bool stochastic() const { return noise.channels > 0; }

  // The forward pass needs the extrapolation nowcast of every lead (forecaster input or residual output).
  bool needs_extrapolation() const {
    return forecaster_input != ForecasterInput::none || output == OutputActivation::residual;
  }
  // ... and the extrapolation's gaps.
  bool needs_gaps() const {
    return forecaster_input == ForecasterInput::extrapolation_gaps ||
           forecaster_input == ForecasterInput::sprog_gaps;
  }
  BaseNowcast base() const {
    return forecaster_input == ForecasterInput::sprog || forecaster_input == ForecasterInput::sprog_gaps
               ? BaseNowcast::sprog
               : BaseNowcast::extrapolation;
  }
  // Frame channels forecaster layer 0 reads per lead, before patching: the base nowcast (C), its gaps (C),
  // the noise planes (K), in that order.
  std::int64_t forecaster_frame_channels() const {
    return (forecaster_input == ForecasterInput::none ? 0 : channels * (needs_gaps() ? 2 : 1)) +
           noise.channels;
  }
  // Input channels of forecaster layer 0's W_x (0: it has none): those frame channels, patched.
  std::int64_t forecaster_input_channels() const { return forecaster_frame_channels() * patch * patch; }
  std::int64_t patched_channels() const { return channels * patch * patch; }  // C p²
  std::int64_t grid_h() const { return height / patch; }                      // H' = H / p
  std::int64_t grid_w() const { return width / patch; }                       // W' = W / p
  std::int64_t hidden_sum() const;            // ΣF over layers: the head's input channels
  std::vector<std::int64_t> filters() const;  // F of each layer, bottom-up
  // Activations run in nChw16c when every layer's F is a multiple of 16 (see ops/layout.hpp).
  bool blocked_layout() const;
  // Throws ConfigError naming the offending `model.*` key.
  void validate() const;
  std::string str() const;  // "(5x5)-5x5-128-5x5-64, patch 4, 64x64x1"
};

// Each enum's names (one table per enum, model_spec.cpp): to_string, parse (ConfigError listing the names)
// and the list of choices.
std::string to_string(Peephole p);
std::string to_string(OutputActivation a);
std::string to_string(ForecasterInput f);
std::string to_string(OutputFilter f);
Peephole parse_peephole(const std::string& s);
OutputActivation parse_output(const std::string& s);
ForecasterInput parse_forecaster_input(const std::string& s);
OutputFilter parse_output_filter(const std::string& s);
std::vector<std::string> peephole_names();
std::vector<std::string> output_names();
std::vector<std::string> forecaster_input_names();
std::vector<std::string> output_filter_names();

}  // namespace convlstm::nn
