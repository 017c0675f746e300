#include "train/metrics_csv.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include "core/error.hpp"

namespace convlstm::train {

namespace {

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(9);
  os << v;
  return os.str();
}

}  // namespace

MetricsCsv::MetricsCsv(const std::string& path, std::int64_t keep_through_step) : path_(path) {
  std::vector<std::string> kept;
  if (keep_through_step > 0) {
    std::ifstream in(path);
    std::string line;
    // Only complete rows (every column present, the step a whole number): the last line of a run killed
    // mid-write may be torn.
    while (std::getline(in, line)) {
      if (line.empty() || line.rfind("step", 0) == 0) continue;
      if (std::count(line.begin(), line.end(), ',') != kColumns - 1) continue;
      const std::string first = line.substr(0, line.find(','));
      if (first.empty() || first.size() > 18 ||
          !std::all_of(first.begin(), first.end(), [](char c) { return c >= '0' && c <= '9'; }))
        continue;
      if (std::stoll(first) <= keep_through_step) kept.push_back(line);
    }
  }
  out_.open(path, std::ios::trunc);
  if (!out_) throw DataError(path + ": cannot write metrics");
  out_ << "step,epoch,train_loss,val_loss,lr,grad_norm,seconds,seq_per_s,persistence_val_loss\n";
  for (const auto& l : kept) out_ << l << "\n";
  out_.flush();
}

void MetricsCsv::row(std::int64_t step, std::int64_t epoch, double train_loss, std::optional<double> val,
                     double lr, double gn, double seconds, double sps, std::optional<double> persistence) {
  out_ << step << "," << epoch << "," << fmt(train_loss) << "," << (val ? fmt(*val) : "") << "," << fmt(lr)
       << "," << fmt(gn) << "," << fmt(seconds) << "," << fmt(sps) << ","
       << (persistence ? fmt(*persistence) : "") << "\n";
  out_.flush();
  if (!out_) throw DataError(path_ + ": cannot write metrics (disk full?)");
}

}  // namespace convlstm::train
