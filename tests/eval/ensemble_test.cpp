// A stochastic model's ensemble end to end: trained on the fair CRPS, forecast as members with exceedance
// probabilities (predict --members, --probabilities), scored as an ensemble (evaluate --members).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "core/error.hpp"
#include "data/h5.hpp"
#include "data/synth_radar.hpp"
#include "eval/evaluate.hpp"
#include "eval/predict.hpp"
#include "support/figures.hpp"
#include "support/temp_dir.hpp"
#include "train/trainer.hpp"

namespace convlstm {
namespace {

// Tiny models on 16x16 synthetic radar: a stochastic one (two noise planes, CRPS of 2 members) and the same
// network without noise.
struct Models {
  test::TempDir dir;
  std::string data, stochastic, deterministic;
  Models() {
    data = dir.file("synth.h5");
    data::SynthRadarOptions o;
    o.frames = 60;
    o.height = o.width = 16;
    data::write_synth_radar(data, o);
    const std::vector<std::string> common{"data.train=" + data, "data.t_in=3",
                                          "data.t_out=4",       "data.normalize.kind=log",
                                          "model.patch=2",      "model.layers=[{filters: 16, k: 3}]",
                                          "train.batch_size=2", "train.max_steps=6",
                                          "train.val_every=6",  "train.val_batches=1"};
    auto noisy = common;
    noisy.insert(noisy.end(), {"model.noise.channels=2", "model.noise.scale=4", "train.loss=crps",
                               "train.members=2", "output.dir=" + dir.file("ens")});
    train::train_model(config::parse_config("", "tiny", noisy), {});
    stochastic = dir.file("ens/latest.h5");
    auto plain = common;
    plain.push_back("output.dir=" + dir.file("det"));
    train::train_model(config::parse_config("", "tiny", plain), {});
    deterministic = dir.file("det/latest.h5");
  }
};

Models& models() {
  static Models m;
  return m;
}

std::vector<float> read_all(const std::string& path, const std::string& name,
                            std::vector<std::int64_t>& dims) {
  auto f = data::h5::File::open_read(path);
  auto ds = f.dataset(name);
  dims = ds.dims();
  std::int64_t n = 1;
  for (auto d : dims) n *= d;
  std::vector<float> v(static_cast<std::size_t>(n));
  ds.read_all(v.data());
  return v;
}

TEST_CASE("predict --members writes a member axis and --probabilities the members' exceedance shares",
          "[eval]") {
  auto& m = models();
  test::TempDir out;
  eval::PredictOptions p;
  p.checkpoint = m.stochastic;
  p.inputs = {m.data};
  p.output = out.file("ens.h5");
  p.all_windows = true;
  p.stride = 20;
  p.members = 3;
  p.seed = 5;
  p.probabilities = {0.5, 2.0};
  p.png_dir = out.file("png");
  const auto r = eval::predict(p);
  // Images: the members and the truth, and the probabilities beside where the truth reached each threshold.
  CHECK(std::filesystem::exists(out.file("png/forecast_0000.png")));
  CHECK(std::filesystem::exists(out.file("png/forecast_0000_prob.png")));
  CHECK(r.images.size() == static_cast<std::size_t>(2 * r.forecasts));
  p.png_dir.clear();
  std::vector<std::int64_t> dims, pdims;
  const auto pred = read_all(out.file("ens.h5"), "/pred", dims);
  const auto prob = read_all(out.file("ens.h5"), "/probability", pdims);
  const std::int64_t n = r.forecasts, frame = 16 * 16, lead = 4 * frame;
  REQUIRE(dims == std::vector<std::int64_t>{n, 3, 4, 16, 16});
  REQUIRE(pdims == std::vector<std::int64_t>{n, 2, 4, 16, 16});
  // The members differ (their noise does), and each probability is the share of members at or above.
  double differ = 0;
  for (std::int64_t i = 0; i < lead; ++i) differ += std::abs(pred[i] - pred[lead + i]);
  CHECK(differ > 0.0);
  for (std::int64_t c = 0; c < n; ++c)
    for (std::int64_t k = 0; k < 2; ++k)
      for (std::int64_t i = 0; i < lead; ++i) {
        const float* members = pred.data() + c * 3 * lead;
        const float got = prob[(c * 2 + k) * lead + i];
        if (std::isnan(members[i])) {
          CHECK(std::isnan(got));
          continue;
        }
        int above = 0;
        for (int q = 0; q < 3; ++q) above += members[q * lead + i] >= p.probabilities[k] ? 1 : 0;
        REQUIRE(got == Approx(above / 3.0));
      }
  // The same seed draws the same members; another seed others.
  p.output = out.file("again.h5");
  eval::predict(p);
  CHECK(read_all(out.file("again.h5"), "/pred", dims) == pred);
  p.seed = 6;
  p.output = out.file("other.h5");
  eval::predict(p);
  CHECK(read_all(out.file("other.h5"), "/pred", dims) != pred);
}

TEST_CASE("members and probabilities are refused where they mean nothing, naming the option", "[eval]") {
  auto& m = models();
  test::TempDir out;
  eval::PredictOptions p;
  p.checkpoint = m.deterministic;
  p.inputs = {m.data};
  p.output = out.file("x.h5");
  p.members = 2;
  CHECK_THROWS_WITH(eval::predict(p), Catch::Contains("--members") && Catch::Contains("deterministic"));
  p.checkpoint = m.stochastic;
  p.members = 1;
  p.probabilities = {1.0};
  CHECK_THROWS_WITH(eval::predict(p), Catch::Contains("--probabilities"));
  p.members = 2;
  p.format = "odim";
  CHECK_THROWS_AS(eval::predict(p), UsageError);
  CHECK(std::filesystem::is_empty(out.path()));
}

TEST_CASE("evaluate scores a stochastic model as an ensemble of --members, a deterministic one as its field",
          "[eval]") {
  auto& m = models();
  eval::EvaluateOptions o;
  o.data = m.data;
  o.stride = 5;
  o.baselines = {"persistence"};
  o.members = 4;
  o.seed = 2;
  o.checkpoint = m.stochastic;
  const auto e = eval::evaluate(o);
  const auto& model = e.sources[0].scores;
  REQUIRE(model.ensemble());
  const auto f = model.figures(-1);
  CHECK(test::figure(f, "crps_fair") < test::figure(f, "crps"));
  CHECK(test::figure(f, "spread_skill") > 0.0);
  CHECK(model.rank_histogram().size() == 5);
  // Reproducible from the seed.
  CHECK(test::figure(eval::evaluate(o).sources[0].scores.figures(-1), "crps") == test::figure(f, "crps"));
  o.checkpoint = m.deterministic;
  const auto d = eval::evaluate(o);
  CHECK_FALSE(d.sources[0].scores.ensemble());
  CHECK(test::figure(d.sources[0].scores.figures(-1), "crps") ==
        Approx(test::figure(d.sources[0].scores.figures(-1), "mae")));
}

}  // namespace
}  // namespace convlstm
