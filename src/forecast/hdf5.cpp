// convlstm's predictions file (docs/architecture.md "File formats"), written forecast by forecast:
//   /pred [N, (M,) T_out, (C,) H, W] float32 in physical units (attributes quantity, units, members), NaN
//   outside the coverage; the member axis M only for an ensemble
//   /probability [N, P, T_out, (C,) H, W] float32 in [0, 1], the share of members at or above each threshold
//   (attribute thresholds, in the data's units), with --probabilities
//   /time [N, T_out] int64 valid times, when the forecasts have analysis times and lead times
//   /target the observed frames, when known (NaN where unobserved); /input_last [N, (C,) H, W]
//   root attributes format = "convlstm-predictions", version = 1, checkpoint, lead_times_s, grid_*
#include <optional>

#include "data/grid.hpp"
#include "data/h5.hpp"
#include "forecast/partial.hpp"
#include "forecast/writer.hpp"

namespace convlstm::forecast {

namespace {

class Hdf5Sink : public Sink {
 public:
  Hdf5Sink(const Header& h, const std::string& path)
      : h_(h), out_(path), path_(path), file_(data::h5::File::create(out_.tmp())) {
    const auto root = file_.root();
    root.set_attr("format", std::string("convlstm-predictions"));
    root.set_attr("version", std::int64_t{1});
    root.set_attr("checkpoint", h.checkpoint);
    if (!h.lead_s.empty())
      root.set_attr("lead_times_s", std::vector<double>(h.lead_s.begin(), h.lead_s.end()));
    for (const auto& [k, v] : data::grid_attributes(h.field.grid)) root.set_attr(k, v);
    dims_ = {h.count, h.t_out};
    if (h.channels != 1) dims_.push_back(h.channels);
    dims_.insert(dims_.end(), {h.height, h.width});
    std::vector<std::int64_t> chunk = dims_;
    chunk[0] = 1;
    auto with_axis = [](std::vector<std::int64_t> d, std::int64_t n) {  // [N, n, ...]
      d.insert(d.begin() + 1, n);
      return d;
    };
    pred_dims_ = h.members > 1 ? with_axis(dims_, h.members) : dims_;
    auto pred_chunk = pred_dims_;
    pred_chunk[0] = 1;
    if (h.members > 1) pred_chunk[1] = 1;
    pred_.emplace(file_.create_dataset("/pred", data::h5::Scalar::float32, pred_dims_, pred_chunk, false, 4));
    pred_->attrs().set_attr("quantity", data::to_string(h.field.quantity));
    pred_->attrs().set_attr("units", h.field.units);
    pred_->attrs().set_attr("members", h.members);
    if (!h.thresholds.empty()) {
      prob_dims_ = with_axis(dims_, static_cast<std::int64_t>(h.thresholds.size()));
      auto prob_chunk = prob_dims_;
      prob_chunk[0] = prob_chunk[1] = 1;
      prob_.emplace(
          file_.create_dataset("/probability", data::h5::Scalar::float32, prob_dims_, prob_chunk, false, 4));
      prob_->attrs().set_attr("thresholds", h.thresholds);
      prob_->attrs().set_attr("threshold_units", h.field.units);
      prob_->attrs().set_attr("units", std::string("1"));
    }
    if (h.with_target) {
      target_.emplace(file_.create_dataset("/target", data::h5::Scalar::float32, dims_, chunk, false, 4));
      target_->attrs().set_attr("quantity", data::to_string(h.field.quantity));
      target_->attrs().set_attr("units", h.field.units);
    }
    last_dims_ = {h.count};
    std::vector<std::int64_t> last_chunk{1};
    if (h.channels != 1) {
      last_dims_.push_back(h.channels);
      last_chunk.push_back(h.channels);
    }
    last_dims_.insert(last_dims_.end(), {h.height, h.width});
    last_chunk.insert(last_chunk.end(), {h.height, h.width});
    last_.emplace(
        file_.create_dataset("/input_last", data::h5::Scalar::float32, last_dims_, last_chunk, false, 4));
  }

  void add(const Case& c) override {
    auto one = [&](const std::vector<std::int64_t>& dims, data::h5::Dataset& ds, const float* v) {
      std::vector<std::int64_t> start(dims.size(), 0), count = dims;
      start[0] = written_;
      count[0] = 1;
      ds.write(start, count, v);
    };
    one(pred_dims_, *pred_, c.pred);
    if (target_) one(dims_, *target_, c.target);
    if (prob_) one(prob_dims_, *prob_, c.probability);
    std::vector<std::int64_t> ls(last_dims_.size(), 0), lc = last_dims_;
    ls[0] = written_;
    lc[0] = 1;
    last_->write(ls, lc, c.input_last);
    for (const auto lead : h_.lead_s) times_.push_back(c.analysis_time > 0 ? c.analysis_time + lead : 0);
    all_timed_ = all_timed_ && c.analysis_time > 0;
    ++written_;
  }

  std::vector<std::string> commit() override {
    if (!h_.lead_s.empty() && all_timed_) {
      auto t = file_.create_dataset("/time", data::h5::Scalar::int64, {written_, h_.t_out});
      t.write_all(times_.data());
    }
    pred_.reset();
    prob_.reset();
    target_.reset();
    last_.reset();
    file_.flush();
    file_.close();
    out_.commit();
    return {path_};
  }

 private:
  Header h_;
  Partial out_;
  std::string path_;
  data::h5::File file_;
  std::vector<std::int64_t> dims_, pred_dims_, prob_dims_, last_dims_;
  std::optional<data::h5::Dataset> pred_, prob_, target_, last_;
  std::vector<std::int64_t> times_;
  std::int64_t written_ = 0;
  bool all_timed_ = true;
};

}  // namespace

std::unique_ptr<Sink> open_hdf5(const Header& h, const std::string& path, const Options&) {
  return std::make_unique<Hdf5Sink>(h, path);
}

}  // namespace convlstm::forecast
