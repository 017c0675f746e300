// Data-parallel training under mpirun (issue 7): two ranks give the losses and checkpoints of one process
// with the same global batch; a checkpoint resumes on another number of ranks; a rank that fails stops the
// job with its name. Compiled when CONVLSTM_MPI is on; runs mpirun --oversubscribe (2 ranks on any machine).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "checkpoint/checkpoint.hpp"
#include "config/config.hpp"
#include "data/synth_radar.hpp"
#include "nn/parameters.hpp"
#include "support/run_binary.hpp"
#include "support/temp_dir.hpp"

namespace convlstm {
namespace {

namespace fs = std::filesystem;

std::string mpirun(int ranks) {
  return std::string("'") + CONVLSTM_MPIEXEC + "' --oversubscribe --allow-run-as-root -np " +
         std::to_string(ranks) + " '" + CONVLSTM_BINARY + "' --log-level warn";
}

// A small run: batch 5, so that two ranks hold 2 and 3 sequences; validation every 4 steps.
void prepare(const test::TempDir& dir) {
  data::SynthRadarOptions o;
  o.frames = 48;
  o.height = o.width = 16;
  data::write_synth_radar(dir.file("d.h5"), o);
  std::ofstream(dir.file("c.yaml"))
      << "data: {train: d.h5, t_in: 3, t_out: 3}\n"
         "model: {patch: 2, layers: [{filters: 8, k: 3}, {filters: 8, k: 3}]}\n"
         "train: {batch_size: 5, max_steps: 8, val_every: 4, seed: 5, threads: 1,\n"
         "        optimizer: {kind: adam, lr: 0.003}}\n"
         "output: {checkpoint_every: 4}\n";
}

struct Row {
  long step = 0;
  double train_loss = 0.0;
  std::string val_loss;
};

std::vector<Row> metrics(const std::string& path) {
  std::vector<Row> rows;
  std::istringstream in(test::slurp(path));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
    rows.push_back({std::stol(f.at(0)), std::stod(f.at(2)), f.at(3)});
  }
  return rows;
}

void same_losses(const std::vector<Row>& a, const std::vector<Row>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("step " << a[i].step);
    CHECK(a[i].step == b[i].step);
    CHECK(a[i].train_loss == Approx(b[i].train_loss).epsilon(1e-5));
    REQUIRE(a[i].val_loss.empty() == b[i].val_loss.empty());
    if (!a[i].val_loss.empty())
      CHECK(std::stod(a[i].val_loss) == Approx(std::stod(b[i].val_loss)).epsilon(1e-5));
  }
}

// Every parameter of a checkpoint, flat.
std::vector<float> load_params(const std::string& path) {
  const auto info = checkpoint::read_checkpoint_info(path);
  const auto cfg = config::parse_config(info.config_yaml, path);
  nn::ParameterTable p(config::model_spec(cfg, info.frame_channels, info.frame_height, info.frame_width));
  checkpoint::read_checkpoint_tensors(path, p, nullptr);
  return {p.flat().begin(), p.flat().end()};
}

// Largest difference of two checkpoints' parameters relative to the largest parameter.
double checkpoint_difference(const std::string& a, const std::string& b) {
  const auto pa = load_params(a), pb = load_params(b);
  REQUIRE(pa.size() == pb.size());
  double diff = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < pa.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(pa[i] - pb[i])));
    scale = std::max(scale, static_cast<double>(std::abs(pa[i])));
  }
  return diff / scale;
}

TEST_CASE("mpirun -np 2 gives the losses and checkpoints of one process with the same global batch",
          "[mpi][cli]") {
  test::TempDir dir;
  prepare(dir);
  auto one = test::run_convlstm(dir, "train --config c.yaml --set output.dir=one");
  INFO(one.err);
  REQUIRE(one.status == 0);
  auto two = test::run_in(dir, mpirun(2) + " train --config c.yaml --set output.dir=two");
  INFO(two.err);
  REQUIRE(two.status == 0);
  same_losses(metrics(dir.file("one/metrics.csv")), metrics(dir.file("two/metrics.csv")));
  CHECK(checkpoint_difference(dir.file("one/latest.h5"), dir.file("two/latest.h5")) < 1e-5);
  CHECK(checkpoint_difference(dir.file("one/best.h5"), dir.file("two/best.h5")) < 1e-5);
  CHECK(checkpoint::read_checkpoint_info(dir.file("two/latest.h5")).step == 8);

  SECTION("a checkpoint of two ranks resumes on one, and one of one rank on two") {
    REQUIRE(test::run_in(dir, mpirun(2) + " train --config c.yaml --set output.dir=a --set train.max_steps=4")
                .status == 0);
    REQUIRE(test::run_convlstm(dir, "train --config c.yaml --set output.dir=a --resume a/latest.h5").status ==
            0);
    same_losses(metrics(dir.file("one/metrics.csv")), metrics(dir.file("a/metrics.csv")));
    REQUIRE(
        test::run_convlstm(dir, "train --config c.yaml --set output.dir=b --set train.max_steps=4").status ==
        0);
    REQUIRE(test::run_in(dir, mpirun(2) + " train --config c.yaml --set output.dir=b --resume b/latest.h5")
                .status == 0);
    same_losses(metrics(dir.file("one/metrics.csv")), metrics(dir.file("b/metrics.csv")));
    CHECK(checkpoint_difference(dir.file("one/latest.h5"), dir.file("b/latest.h5")) < 1e-5);
  }
}

TEST_CASE("under mpirun a rank that fails stops every rank with its name - no hang", "[mpi][cli]") {
  test::TempDir dir;
  prepare(dir);
  // Two programs in one job: rank 1 cannot read its data, as on a node without the file.
  const std::string rank0 =
      std::string("-np 1 '") + CONVLSTM_BINARY + "' train --config c.yaml --set output.dir=r";
  const auto o = test::run_in(dir, std::string("timeout 120 '") + CONVLSTM_MPIEXEC +
                                       "' --oversubscribe --allow-run-as-root " + rank0 + " : " + rank0 +
                                       " --set data.train=elsewhere.h5");
  INFO(o.err);
  CHECK(o.status == 1);  // not 124: timeout did not have to end a hang
  CHECK_THAT(o.err, Catch::Contains("rank 1 of 2: elsewhere.h5"));
  CHECK_FALSE(fs::exists(dir.file("r/latest.h5")));

  SECTION("a global batch smaller than the ranks is a config error on every rank") {
    const auto b =
        test::run_in(dir, "timeout 120 " + mpirun(2) + " train --config c.yaml --set train.batch_size=1");
    INFO(b.err);
    CHECK(b.status == 2);
    CHECK_THAT(b.err, Catch::Contains("train.batch_size 1 is smaller than the 2 ranks"));
  }
  SECTION("only train and bench run under mpirun") {
    const auto i = test::run_in(dir, "timeout 120 " + mpirun(2) + " info d.h5");
    CHECK(i.status == 2);
    CHECK_THAT(i.err, Catch::Contains("only train and bench run under mpirun"));
  }
}

TEST_CASE("SIGINT to mpirun stops every rank after the same step with a checkpoint of it", "[mpi][cli]") {
  test::TempDir dir;
  prepare(dir);
  // Started in the background; interrupted once metrics.csv has a few rows.
  const auto o = test::run_in(
      dir, mpirun(2) +
               " train --config c.yaml --set output.dir=s --set train.max_steps=1000000"
               " --set output.checkpoint_every=1000000 & pid=$!; for i in $(seq 600); do"
               " [ \"$(cat s/metrics.csv 2>/dev/null | wc -l)\" -gt 4 ] && break; sleep 0.1; done;"
               " kill -INT $pid; wait $pid; echo $? > status");
  INFO(o.err);
  CHECK(std::stoi(test::slurp(dir.file("status"))) != 0);
  CHECK_THAT(o.err, Catch::Contains("interrupted at step"));
  const auto rows = metrics(dir.file("s/metrics.csv"));
  REQUIRE(rows.size() >= 4);
  CHECK(checkpoint::read_checkpoint_info(dir.file("s/latest.h5")).step == rows.back().step);
}

TEST_CASE("convlstm bench under mpirun reports the allreduce per step", "[mpi][cli]") {
  test::TempDir dir;
  prepare(dir);
  const auto o =
      test::run_in(dir, mpirun(2) + " bench --config c.yaml --steps 2 --warmup 1 --json > bench.json");
  INFO(o.err);
  REQUIRE(o.status == 0);
  const auto json = test::slurp(dir.file("bench.json"));
  CHECK(test::count_lines(json) == 1);  // rank 0 alone prints
  CHECK_THAT(json, Catch::Contains("\"ranks\": 2"));
  CHECK_THAT(json, Catch::Contains("\"allreduce_s\": "));
  CHECK_THAT(json, !Catch::Contains("\"allreduce_s\": 0,"));
}

}  // namespace
}  // namespace convlstm
