// Forecast images: per forecast, a strip of the last input frames and the predicted frames (an ensemble's
// first three members, a row each; below them the observed frames, when known) on a standard radar colour
// scale (mm/h or dBZ; grey levels for intensity), with lead-time labels and a legend; with exceedance
// probabilities a second image, forecast_NNNN_prob.png, a row per threshold (and below each, where the
// observation reached it). PNG through libpng, an animated GIF (of member 0) through giflib.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/field.hpp"

namespace convlstm::eval {

struct RenderCase {
  std::int64_t h = 0, w = 0, t_in = 0, t_out = 0;
  std::vector<float> inputs, input_mask;  // (T_in, H, W)
  std::int64_t members = 1;
  std::vector<float> pred;                 // (members, T_out, H, W)
  std::vector<double> thresholds;          // of prob, in the data's units
  std::vector<float> prob;                 // (thresholds, T_out, H, W) or empty
  std::vector<float> target, target_mask;  // (T_out, H, W) or empty
  std::int64_t last_time = 0, timestep = 0;
};

RenderCase make_render_case(const std::vector<float>& inputs, const std::vector<float>& input_mask,
                            std::vector<float> pred, const std::vector<float>& target,
                            const std::vector<float>& target_mask, std::int64_t t_in, std::int64_t t_out,
                            std::int64_t h, std::int64_t w, std::int64_t last_time, std::int64_t timestep);

// Writes png_dir/forecast_NNNN.png for every case as it comes (when png_dir is set) and, on finish(), an
// animation of the last case to `gif` (when set). Holds one case at a time.
class ImageWriter {
 public:
  ImageWriter(data::Quantity quantity, std::string png_dir, std::string gif);
  bool enabled() const { return !png_dir_.empty() || !gif_.empty(); }
  void add(RenderCase c);
  void finish();
  const std::vector<std::string>& written() const { return written_; }

 private:
  data::Quantity quantity_;
  std::string png_dir_, gif_;
  std::size_t count_ = 0;
  RenderCase last_;
  std::vector<std::string> written_;
};

}  // namespace convlstm::eval
