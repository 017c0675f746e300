// The bad-input catalogue (issue 6): every case runs the convlstm binary on one broken input and requires the
// documented exit status (2 usage/config, 1 runtime/data), a message of at most three lines that names the
// file, key or dataset, and that the command's output file was not created.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "data/gzip.hpp"
#include "data/h5.hpp"
#include "data/netcdf.hpp"
#include "data/pgm.hpp"
#include "data/synth_radar.hpp"
#include "support/radar_files.hpp"
#include "support/raw_dataset.hpp"
#include "support/run_binary.hpp"
#include "support/temp_dir.hpp"

namespace convlstm {
namespace {

namespace fs = std::filesystem;

using test::count_lines;

struct Case {
  std::string name;
  std::string args;
  int status;
  std::string says;    // a fragment the message must contain (the file, key or dataset, and what is wrong)
  std::string output;  // a file the command must not have created ("" for none)
};

void expect(const test::TempDir& dir, const Case& c) {
  INFO(c.name << ": convlstm " << c.args);
  const auto o = test::run_convlstm(dir, c.args);
  INFO("stderr: " << o.err);
  CHECK(o.status == c.status);
  CHECK(count_lines(o.err) >= 1);
  CHECK(count_lines(o.err) <= 3);
  CHECK_THAT(o.err, Catch::Contains(c.says));
  CHECK_THAT(o.err, !Catch::Contains("HDF5-DIAG"));
  if (!c.output.empty()) {
    CHECK_FALSE(fs::exists(dir.file(c.output)));
    CHECK_FALSE(fs::exists(dir.file(c.output + ".partial")));
  }
}

void write_text(const test::TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.file(name)) << text;
}

// The broken dataset files, each next to a good one.
void make_datasets(const test::TempDir& dir) {
  data::SynthRadarOptions o;
  o.frames = 40;
  o.height = o.width = 16;
  data::write_synth_radar(dir.file("good.h5"), o);
  o.frames = 4;  // one window needs t_in + t_out = 5
  data::write_synth_radar(dir.file("short.h5"), o);
  write_text(dir, "text.h5", "not an HDF5 file\n");
  fs::copy_file(dir.file("good.h5"), dir.file("truncated.h5"));
  fs::resize_file(dir.file("truncated.h5"), fs::file_size(dir.file("truncated.h5")) / 3);
  { test::RawFile r(dir.file("no_frames.h5")); }
  {
    test::RawFile r(dir.file("rank2.h5"));
    r.frames(data::h5::Scalar::float32, {4, 5});
  }
  {
    test::RawFile r(dir.file("int32.h5"));
    r.frames(data::h5::Scalar::int32, {30, 16, 16});
  }
  {
    test::RawFile r(dir.file("gain0.h5"));
    r.frames(data::h5::Scalar::float32, {30, 16, 16}).attrs().set_attr("gain", 0.0);
  }
  {
    test::RawFile r(dir.file("nan.h5"));
    r.frames(data::h5::Scalar::float32, {30, 16, 16}, std::nanf(""));
  }
  {
    test::RawFile r(dir.file("inf.h5"));
    r.frames(data::h5::Scalar::float32, {30, 16, 16}, INFINITY);
  }
  {
    test::RawFile r(dir.file("segments.h5"));
    r.frames(data::h5::Scalar::float32, {30, 16, 16});
    auto s = r.f.create_dataset("/segments", data::h5::Scalar::int64, {1, 2});
    const std::int64_t seg[2] = {2, 50};
    s.write_all(seg);
  }
  {
    test::RawFile r(dir.file("times.h5"));
    r.frames(data::h5::Scalar::float32, {3, 16, 16});
    auto t = r.f.create_dataset("/time", data::h5::Scalar::int64, {3});
    const std::int64_t times[3] = {0, 300, 300};
    t.write_all(times);
  }
  { auto f = data::h5::File::create(dir.file("foreign.h5")); }
}

// Radar series with one defect each, in KNMI's layout.
void make_radar(const test::TempDir& dir) {
  const std::string formula = "GEO = 0.010000 * PV + 0.000000";
  std::vector<float> raw(8 * 8, 100.0f), wide(8 * 10, 100.0f);
  fs::create_directories(dir.file("knmi_grid"));
  test::write_knmi_file(dir.file("knmi_grid/a_0000.h5"), 0, formula, 8, 8, raw);
  test::write_knmi_file(dir.file("knmi_grid/a_0005.h5"), 5, formula, 8, 10, wide);
  fs::create_directories(dir.file("knmi_dup"));
  test::write_knmi_file(dir.file("knmi_dup/a_0000.h5"), 0, formula, 8, 8, raw);
  test::write_knmi_file(dir.file("knmi_dup/b_0000.h5"), 0, formula, 8, 8, raw);
  fs::create_directories(dir.file("knmi_empty"));
  { auto f = data::h5::File::create(dir.file("knmi_empty/a_0000.h5")); }
  fs::create_directories(dir.file("knmi_damaged"));
  test::write_knmi_file(dir.file("knmi_damaged/a_0000.h5"), 0, formula, 8, 8, raw);
  test::write_knmi_file(dir.file("knmi_damaged/a_0005.h5"), 5, formula, 8, 8, raw);
  fs::resize_file(dir.file("knmi_damaged/a_0005.h5"), 300);
  fs::create_directories(dir.file("knmi_formula"));
  test::write_knmi_file(dir.file("knmi_formula/a_0000.h5"), 0, "GEO = log(PV)", 8, 8, raw);
  test::write_knmi_file(dir.file("knmi_formula/b_0000.h5"), 0, "GEO = 1e999 * PV + 0.0", 8, 8, raw);
  // ODIM composites: a quantity the readers do not decode, a date stored as a number, a time in another form.
  fs::create_directories(dir.file("odim"));
  test::write_odim_file(dir.file("odim/vrad.h5"), {"VRAD", "010000", true, false});
  test::write_odim_file(dir.file("odim/date_number.h5"), {"DBZH", "010000", true, true});
  test::write_odim_file(dir.file("odim/time_colons.h5"), {"DBZH", "01:00:00", true, false});
  // An FMI PGM cut short, and a netCDF precipitation file without its valid_time.
  fs::create_directories(dir.file("fmi"));
  data::pgm::Image im;
  im.width = im.height = 8;
  im.maxval = 255;
  im.comments = {"obstime 201609281445"};
  im.pixels.assign(64, 0);
  data::pgm::write(dir.file("fmi/cut.pgm"), im, false);
  fs::resize_file(dir.file("fmi/cut.pgm"), fs::file_size(dir.file("fmi/cut.pgm")) - 10);
  // A RADOLAN RY file whose values stop after its header.
  data::gz::write(
      dir.file("fmi/raa01-ry_10000-1408102050-dwd---bin.gz"),
      {"RY102050100000814BY1620081VS 3SW   2.13.1PR E-02INT   5GP 900x 900MS 10<boo,ros>\x03", "12"}, true);
  fs::create_directories(dir.file("bom"));
  auto nc = data::nc::File::create(dir.file("bom/no_time.nc"));
  nc.define_dim("y", 4);
  nc.define_dim("x", 4);
  nc.define_var("precipitation", data::nc::File::Type::int16, {"y", "x"});
  nc.put_att("precipitation", "units", "kg m-2");
  nc.put_att("", "Conventions", "CF-1.7");
  nc.end_define();
  nc.put("precipitation", std::vector<std::int16_t>(16, 0));
  nc.close();
  // Files of the GDAL-read formats cut short after their magic bytes.
  fs::create_directories(dir.file("gdal"));
  std::ofstream(dir.file("gdal/AQC161932045V_00005.801.gif"), std::ios::binary) << "GIF89a\x10";
  std::ofstream(dir.file("gdal/PrecipRate.grib2"), std::ios::binary) << "GRIB\x01";
  std::ofstream(dir.file("gdal/rain.tif"), std::ios::binary) << std::string("II*\0\x08\0\0\0", 8);
}

TEST_CASE("the bad-input catalogue: exit status - a short message naming the culprit - no output", "[cli]") {
  test::TempDir dir;
  make_datasets(dir);
  make_radar(dir);
  const std::string tiny =
      " --set data.train=good.h5 --set data.t_in=3 --set data.t_out=2 --set model.patch=2"
      " --set 'model.layers=[{filters: 16, k: 3}]' --set train.batch_size=2"
      " --set train.max_steps=2 --set output.dir=run";
  write_text(dir, "ok.yaml", "train:\n  max_steps: 2\n");
  write_text(dir, "not_yaml.yaml", "train: [max_steps: 2\n");
  write_text(dir, "unknown.yaml", "train:\n  max_step: 2\n");
  write_text(dir, "type.yaml", "train:\n  batch_size: many\n");
  write_text(dir, "negative.yaml", "train:\n  batch_size: -4\n");
  write_text(dir, "zero_filters.yaml", "model:\n  layers: [{filters: 0, k: 3}]\n");
  write_text(dir, "t_in0.yaml", "data:\n  t_in: 0\n");
  write_text(dir, "no_layers.yaml", "model:\n  layers: []\n");
  write_text(dir, "even_kernel.yaml", "model:\n  layers: [{filters: 16, k_x: 4, k_h: 3}]\n");
  write_text(dir, "lr.yaml", "train:\n  optimizer: {kind: adam, lr: -1}\n");
  write_text(dir, "optimizer.yaml", "train:\n  optimizer: {kind: lbfgs}\n");
  write_text(dir, "precision.yaml", "train:\n  precision: fp8\n");
  write_text(dir, "list.yaml", "- 1\n- 2\n");

  const std::vector<Case> cases = {
      // Configs: exit 2, naming the file and key.
      {"config not YAML", "train --config not_yaml.yaml" + tiny, 2, "not_yaml.yaml", "run/latest.h5"},
      {"config not a mapping", "train --config list.yaml" + tiny, 2, "list.yaml", "run/latest.h5"},
      {"config missing", "train --config nowhere.yaml", 2, "nowhere.yaml", ""},
      {"unknown key", "train --config unknown.yaml" + tiny, 2, "did you mean 'train.max_steps'", "run"},
      {"wrong type", "train --config type.yaml" + tiny, 2, "type.yaml:2: train.batch_size", "run"},
      {"negative size", "train --config negative.yaml", 2, "train.batch_size", "run"},
      {"zero filters", "train --config zero_filters.yaml", 2, "filters", "run"},
      {"t_in 0", "train --config t_in0.yaml", 2, "data.t_in", "run"},
      {"no layers", "train --config no_layers.yaml", 2, "at least one layer", "run"},
      {"even kernel", "train --config even_kernel.yaml", 2, "k_x must be odd", "run"},
      {"negative learning rate", "train --config lr.yaml", 2, "train.optimizer.lr", "run"},
      {"unknown optimizer", "train --config optimizer.yaml", 2, "train.optimizer.kind", "run"},
      {"unknown precision", "train --config precision.yaml", 2, "train.precision", "run"},
      {"patch not dividing the grid", "train --config ok.yaml" + tiny + " --set model.patch=3", 2, "patch",
       "run/latest.h5"},
      {"random crop larger than the frames",
       "train --config ok.yaml" + tiny + " --set 'data.random_crop=[64, 8]'", 2, "data.random_crop [64, 8]",
       "run/latest.h5"},
      {"random crop not a multiple of the patch",
       "train --config ok.yaml" + tiny + " --set 'data.random_crop=[7, 8]'", 2, "multiple of model.patch",
       "run/latest.h5"},
      {"more memory than the machine", "train --config ok.yaml" + tiny + " --set train.batch_size=200000", 2,
       "MiB for training", "run/latest.h5"},
      {"--set without a value", "train --config ok.yaml --set train.batch_size", 2, "train.batch_size",
       "run"},
      {"--set of an unknown key", "train --config ok.yaml --set train.batchsize=3", 2, "train.batchsize",
       "run"},
      // Datasets: exit 1, naming the file (and the dataset).
      {"dataset missing", "train --config ok.yaml" + tiny + " --set data.train=missing.h5", 1, "missing.h5",
       "run/latest.h5"},
      {"dataset not HDF5", "info text.h5", 1, "text.h5: not an HDF5 file", ""},
      {"dataset truncated", "info truncated.h5", 1, "truncated.h5", ""},
      {"dataset without /frames", "info no_frames.h5", 1, "/frames", ""},
      {"frames of rank 2", "info rank2.h5", 1, "expected rank 3", ""},
      {"frames of int32", "info int32.h5", 1, "expected uint8, uint16 or float32", ""},
      {"gain 0", "info gain0.h5", 1, "gain", ""},
      {"NaN frames", "train --config ok.yaml" + tiny + " --set data.train=nan.h5", 1, "nan.h5",
       "run/latest.h5"},
      {"Inf frames", "train --config ok.yaml" + tiny + " --set data.train=inf.h5", 1, "inf.h5",
       "run/latest.h5"},
      {"segments out of range", "info segments.h5", 1, "out of range", ""},
      {"times not increasing", "info times.h5", 1, "not strictly increasing", ""},
      {"not a convlstm dataset", "info foreign.h5", 1, "foreign.h5", ""},
      {"fewer frames than one window", "train --config ok.yaml" + tiny + " --set data.train=short.h5", 1,
       "short.h5", "run/latest.h5"},
      // Checkpoints.
      {"checkpoint that is a dataset", "predict --checkpoint good.h5 --input good.h5 --output p.h5", 1,
       "good.h5", "p.h5"},
      {"checkpoint not HDF5", "predict --checkpoint text.h5 --input good.h5 --output p.h5", 1, "text.h5",
       "p.h5"},
      {"checkpoint truncated", "evaluate --checkpoint truncated.h5 --data good.h5", 1, "truncated.h5", ""},
      {"forecast format unknown", "predict --checkpoint good.h5 --input good.h5 --output p.nc --format shp",
       2, "--format", "p.nc"},
      {"no members", "predict --checkpoint good.h5 --input good.h5 --output p.h5 --members 0", 2, "--members",
       "p.h5"},
      {"probabilities that are not numbers",
       "predict --checkpoint good.h5 --input good.h5 --output p.h5 --members 2 --probabilities 1,lots", 2,
       "--probabilities", "p.h5"},
      {"nowcast with a checkpoint that is no HDF5",
       "nowcast --checkpoint text.h5 --watch . --output-dir fc --once", 1, "text.h5", "fc"},
      // Radar series.
      {"radar grids differ in one series",
       "import --format knmi --output r.h5 knmi_grid/a_0000.h5 knmi_grid/a_0005.h5", 1, "knmi_grid/a_0005.h5",
       "r.h5"},
      {"radar times duplicated", "import --format knmi --output r.h5 knmi_dup/a_0000.h5 knmi_dup/b_0000.h5",
       1, "knmi_dup", "r.h5"},
      {"radar file without the KNMI groups", "import --format knmi --output r.h5 knmi_empty/a_0000.h5", 1,
       "knmi_empty/a_0000.h5", "r.h5"},
      {"radar formula not understood", "import --format knmi --output r.h5 knmi_formula/a_0000.h5", 1,
       "knmi_formula/a_0000.h5", "r.h5"},
      {"radar file damaged with --strict", "import --strict --format knmi --output r.h5 'knmi_damaged/*.h5'",
       1, "knmi_damaged/a_0005.h5", "r.h5"},
      {"radar formula with an infinite gain", "import --format knmi --output r.h5 knmi_formula/b_0000.h5", 1,
       "not a finite number", "r.h5"},
      {"radar quantity not decoded", "import --format odim --output r.h5 odim/vrad.h5", 1,
       "odim/vrad.h5: no RATE, ACRR or DBZH data (quantities found: VRAD)", "r.h5"},
      {"radar date stored as a number", "import --format odim --output r.h5 odim/date_number.h5", 1,
       "odim/date_number.h5:/what: missing date or time", "r.h5"},
      {"radar time in another form", "import --format odim --output r.h5 odim/time_colons.h5", 1,
       "odim/time_colons.h5:/what: ODIM time", "r.h5"},
      {"FMI PGM cut short", "import --strict --output r.h5 fmi/cut.pgm", 1, "fmi/cut.pgm: truncated PGM",
       "r.h5"},
      {"RADOLAN cut short", "import --strict --output r.h5 fmi/raa01-ry_10000-1408102050-dwd---bin.gz", 1,
       "truncated RADOLAN values", "r.h5"},
      {"GIF cut short", "import --strict --output r.h5 gdal/AQC161932045V_00005.801.gif", 1,
       "gdal/AQC161932045V_00005.801.gif: GDAL cannot open it", "r.h5"},
      {"GRIB2 cut short", "import --strict --output r.h5 gdal/PrecipRate.grib2", 1,
       "gdal/PrecipRate.grib2: GDAL cannot open it", "r.h5"},
      {"GeoTIFF cut short", "import --strict --output r.h5 gdal/rain.tif", 1,
       "gdal/rain.tif: GDAL cannot open it", "r.h5"},
      {"netCDF without valid_time", "import --strict --output r.h5 bom/no_time.nc", 1,
       "bom/no_time.nc: no valid_time", "r.h5"},
      {"radar glob matching nothing", "import --format knmi --output r.h5 'none_*.h5'", 2, "none_*.h5",
       "r.h5"},
      {"radar input that is a dataset", "import --format knmi --output r.h5 good.h5", 1, "good.h5", "r.h5"},
      // The command line.
      {"missing required option", "train", 2, "--config", ""},
      {"unknown subcommand", "frobnicate", 2, "frobnicate", ""},
      {"unknown option", "info --frobnicate good.h5", 2, "--frobnicate", ""},
      {"option value of the wrong kind", "bench --config ok.yaml --steps many", 2, "--steps", ""},
      {"thresholds not numbers", "evaluate --checkpoint good.h5 --data good.h5 --thresholds 0.5,x", 2,
       "thresholds", ""},
      {"output directory cannot be created", "train --config ok.yaml" + tiny + " --set output.dir=/proc/run",
       1, "/proc/run", ""},
      {"output file in a missing directory", "synth radar --output nowhere/x.h5 --frames 10 --size 16 16", 1,
       "nowhere/x.h5", "nowhere/x.h5"},
      {"input that is a directory", "info knmi_grid", 1, "knmi_grid", ""},
      {"a time pattern without the hour", "import --output t.h5 --time-from-name %Y%m%d good.h5", 2,
       "--time-from-name", "t.h5"},
      {"weather regimes of the cells generator", "synth radar --output r.h5 --frames 10 --regimes", 2,
       "--regimes", "r.h5"},
      {"weights for a list of another length",
       "train --config ok.yaml" + tiny + " --set data.train=[good.h5,good.h5] --set data.weights=[1]", 2,
       "data.weights", ""},
  };
  for (const auto& c : cases) expect(dir, c);
  INFO(cases.size() << " bad inputs");
  CHECK(cases.size() >= 40);
}

}  // namespace
}  // namespace convlstm
