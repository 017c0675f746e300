// The noise a stochastic model reads (nn::NoiseSpec), and the frames forecaster layer 0 reads per lead.
//
// A draw is a pure function of its key, and a key of (seed, step, sequence, member): training draws the
// members of sequence s of step n from (train.seed, n, s, m) whatever the ranks and whatever was resumed,
// validation and forecasts from their own fixed steps, so every run and every forecast is reproducible.
#pragma once

#include <cstdint>

#include "nn/model_spec.hpp"

namespace convlstm::nn {

// The step validation draws its noise for (the same members at every validation).
constexpr std::int64_t kValidationNoiseStep = -1;
// The step forecasts (predict, evaluate) draw theirs for, with the forecast's index as the sequence.
constexpr std::int64_t kForecastNoiseStep = -2;

// A well-mixed 64-bit key of the four numbers (splitmix64 of each in turn).
std::uint64_t noise_key(std::uint64_t seed, std::int64_t step, std::int64_t sequence, std::int64_t member);

// noise.channels planes (K, height, width): at the nodes of a grid `scale` pixels apart (node 0 at pixel
// 0, enough nodes to pass the last pixel) N(0, 1) draws, plane by plane, row by row, from Rng(key);
// between them bilinear interpolation divided by its standard deviation there, so every pixel is N(0, 1)
// and neighbours closer than `scale` are correlated.
void draw_noise(const NoiseSpec& noise, std::int64_t height, std::int64_t width, std::uint64_t key,
                float* out);

// One lead's frame of forecaster layer 0's input, (spec.forecaster_frame_channels(), H, W): the base
// nowcast's C planes, its gaps' C planes (when the spec reads them), the K noise planes (when stochastic).
// base, gaps: (C, H, W) of this lead; noise: (K, H, W) of this sequence.
void forecaster_frame(const ModelSpec& spec, const float* base, const float* gaps, const float* noise,
                      float* dst);

}  // namespace convlstm::nn
