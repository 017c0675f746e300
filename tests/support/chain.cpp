#include "support/chain.hpp"

#include <catch2/catch.hpp>

#include "checkpoint/checkpoint.hpp"
#include "config/config.hpp"
#include "data/dataset.hpp"
#include "data/h5.hpp"
#include "eval/evaluate.hpp"
#include "eval/predict.hpp"
#include "train/trainer.hpp"

namespace convlstm::test {

ChainResult train_predict_evaluate(const TempDir& dir, const std::string& dataset,
                                   const std::vector<std::string>& raw_files) {
  const auto cfg = config::parse_config(
      "", "chain",
      {"data.train=" + dataset, "data.t_in=3", "data.t_out=2", "data.normalize.kind=log",
       "data.val_fraction=0", "model.patch=2", "model.layers=[{filters: 8, k: 3}]", "train.batch_size=2",
       "train.max_steps=20", "train.val_every=20", "output.dir=" + dir.file("run")});
  ChainResult r;
  r.steps = train::train_model(cfg, {}).steps;
  eval::PredictOptions p;
  p.checkpoint = dir.file("run/latest.h5");
  p.inputs = raw_files;
  p.output = dir.file("pred.h5");
  eval::predict(p);
  r.forecast_dims = data::h5::File::open_read(p.output).dataset("/pred").dims();
  // The record: dataset -> checkpoint whole (but the frames' times), dataset -> forecast its grid.
  auto record = data::DatasetReader(dataset).meta().field;
  CHECK(!record.provenance.empty());
  record.time.clear();
  CHECK(data::field_attributes(checkpoint::read_checkpoint_info(p.checkpoint).data) ==
        data::field_attributes(record));
  const auto pred = data::h5::File::open_read(p.output);
  for (const auto& [k, v] : data::grid_attributes(record.grid)) CHECK(pred.root().attr_string(k) == v);
  eval::EvaluateOptions e;
  e.checkpoint = p.checkpoint;
  e.data = dataset;
  e.baselines = {"persistence"};
  const auto ev = eval::evaluate(e);
  r.windows = ev.windows;
  r.lead_times_s = ev.lead_times_s;
  return r;
}

}  // namespace convlstm::test
