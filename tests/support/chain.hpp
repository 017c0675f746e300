// The whole chain on an imported dataset, for the end-to-end test of each radar format: train a tiny model 20
// steps, forecast from the raw files, score every window against persistence. On the way it checks that the
// data's record (data/field.hpp) travels whole: the checkpoint holds the dataset's, and the forecast its
// grid.
#pragma once

#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace convlstm::test {

struct ChainResult {
  std::int64_t steps = 0;
  std::vector<std::int64_t> forecast_dims;  // of /pred
  std::int64_t windows = 0;
  std::vector<double> lead_times_s;
};

// dataset: imported from raw_files; a model of 3 frames in, 2 out, one 8-filter layer; everything in dir.
ChainResult train_predict_evaluate(const TempDir& dir, const std::string& dataset,
                                   const std::vector<std::string>& raw_files);

}  // namespace convlstm::test
