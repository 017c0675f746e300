// `convlstm predict`: forecasts from a dataset file (its last t_in frames, or every window) or from raw radar
// files of any format import reads, processed exactly as the training data was (or with crop and downsample
// given here), on any grid (eval/forecaster.hpp), and writes the predictions file (docs/architecture.md "File
// formats"):
//   /pred    [N, (M,) T_out, H, W] float32 in physical units (attributes quantity, units, members); NaN
//            outside the coverage (pixels unobserved in the last input frame); M: --members of a stochastic
//            model
//   /probability [N, P, T_out, H, W] the share of members at or above each --probabilities threshold
//   /time    [N, T_out] int64 valid times, when the inputs carry times
//   /target  [N, T_out, H, W] the observed frames when known (NaN where unobserved)
//   /input_last [N, H, W] the last input frame of each forecast (NaN where unobserved), for plots
//   root attributes format = "convlstm-predictions", version = 1, checkpoint, lead_times_s, and the grid_*
//            attributes of the forecast's georeference (data/grid.hpp) when its data gave one
// or, with PredictOptions::format, georeferenced ODIM_H5, netCDF-CF or COG files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/radar_import.hpp"
#include "data/windows.hpp"
#include "forecast/writer.hpp"

namespace convlstm::eval {

struct PredictOptions {
  std::string checkpoint;
  std::vector<std::string> inputs;  // one dataset file, or raw radar files
  std::string output;
  bool all_windows = false;  // dataset input: every window (with its target), not only the last t_in frames
  std::int64_t stride = 1;
  std::string png_dir;  // empty: no PNG
  std::string gif;      // empty: no GIF
  // Replace the processing recorded in the checkpoint, for a larger (or another) domain: a crop of the
  // input's pixels (the dataset's frames, or the raw files' grid) and the block-mean factor over them. The
  // forecast pixel must stay the size the model trained on (UsageError naming both otherwise).
  std::optional<data::Crop> crop;
  std::optional<std::int64_t> downsample;
  // The output's form, a name of the writers' table (forecast/writer.hpp): hdf5 (the file above), odim,
  // netcdf or geotiff; empty: from the output's suffix (.nc netcdf, .tif/.tiff geotiff, else hdf5). The
  // georeferenced forms take one forecast (not --all-windows) on a georeferenced grid with times; geotiff
  // and one_file_per_lead write one file per lead under the output's stem.
  std::string format;
  bool one_file_per_lead = false;  // odim
  // A stochastic model's ensemble (docs/architecture.md "Ensembles"): members per forecast and the seed of
  // their noise; exceedance probabilities of these thresholds (the data's units), from at least 2 members.
  std::int64_t members = 1;
  std::uint64_t seed = 0;
  std::vector<double> probabilities;
};

struct PredictReport {
  std::int64_t forecasts = 0;
  std::int64_t t_out = 0;
  bool with_target = false;
  std::vector<std::string> images;
  std::vector<std::string> files;  // the forecast files written
};

PredictReport predict(const PredictOptions& options);

class Forecaster;

// What predict and nowcast share. A forecast's members (M, T_out, frame) set to NaN outside the coverage (the
// pixels unobserved in the last input frame, last_mask (frame)), and into prob (P, T_out, frame) the share
// of members at or above each threshold (NaN outside the coverage).
void finish_forecast(const float* last_mask, std::int64_t members, std::int64_t t_out, std::int64_t fs,
                     const std::vector<double>& thresholds, float* pred, float* prob);
// What every forecast file of a run shares: the model's quantity and units, the grid, the lead times, what
// made it.
forecast::Header forecast_header(const Forecaster& model, const data::Grid& grid, std::int64_t analysis_time,
                                 std::int64_t count, std::int64_t timestep, bool with_target,
                                 const std::string& checkpoint);
// A raw radar file processed as the model's training data was: the import's processing recorded in the
// checkpoint, then the training config's crop and downsample.
data::ProcessedFrame process_like_training(const Forecaster& model, const std::string& path);

}  // namespace convlstm::eval
