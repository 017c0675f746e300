// RUN/metrics.csv (docs/architecture.md "File formats"): one row per optimizer step (step, epoch, train loss,
// validation loss when validated, learning rate, gradient norm, seconds, sequences/s, persistence's
// validation loss), flushed after every row so that a killed run keeps what it logged.
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

namespace convlstm::train {

class MetricsCsv {
 public:
  static constexpr int kColumns = 9;

  // Keeps the rows of an earlier run up to `keep_through_step` (resume), drops the rest; a torn last row (a
  // run killed mid-write) is dropped too.
  MetricsCsv(const std::string& path, std::int64_t keep_through_step);
  // Throws DataError when the row cannot be written (disk full).
  void row(std::int64_t step, std::int64_t epoch, double train_loss, std::optional<double> val, double lr,
           double gn, double seconds, double sps, std::optional<double> persistence);

 private:
  std::string path_;
  std::ofstream out_;
};

}  // namespace convlstm::train
