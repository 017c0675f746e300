#include "eval/predict.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "core/error.hpp"
#include "core/log.hpp"
#include "data/dataset.hpp"
#include "data/grid.hpp"
#include "data/h5.hpp"
#include "data/radar_import.hpp"
#include "data/windows.hpp"
#include "eval/forecaster.hpp"
#include "eval/render.hpp"
#include "forecast/writer.hpp"

namespace convlstm::eval {

namespace {

// One forecast to make: inputs (T_in, frame) with mask, optionally the truth (T_out, frame), and the time of
// the last input frame (0 when unknown).
struct Case {
  std::vector<float> inputs, input_mask, target, target_mask;
  std::int64_t last_time = 0;
  data::Grid grid;  // of the forecast frames; unknown when the data gave none
};

// Raw radar files need not be HDF5 (netCDF classic, gzipped PGM): only an HDF5 file can be a dataset.
bool is_dataset(const std::string& path) {
  if (!data::h5::is_hdf5(path)) return false;
  auto f = data::h5::File::open_read(path);
  return f.root().attr_string_opt("format").value_or("") == "convlstm-dataset";
}

// The forecast pixel must be the one the model trained on: a convolution kernel spans a fixed distance.
void check_resolution(const data::PixelScale& input, const Forecaster& model) {
  const auto trained = data::pixel_scale(model.data_info(), model.description().downsample);
  if (!data::same_resolution(input, trained))
    throw UsageError("predict --crop/--downsample: forecast pixels would be " + input.str() +
                     ", the model was trained on " + trained.str() +
                     " (import_downsample x data.downsample); change --downsample");
}

std::string crop_str(const data::Crop& c) {
  return std::to_string(c.y0) + "," + std::to_string(c.x0) + "," + std::to_string(c.height) + "," +
         std::to_string(c.width);
}

std::vector<Case> cases_from_dataset(const PredictOptions& o, Forecaster& model, std::int64_t& timestep) {
  const std::string& path = o.inputs[0];
  data::DatasetReader reader(path);
  const auto& meta = reader.meta();
  if (meta.field.quantity != model.quantity())
    throw DataError(path + ": quantity " + data::to_string(meta.field.quantity) +
                    ", but the model was trained on " + data::to_string(model.quantity()));
  const auto& trained = model.description();
  const auto crop = o.crop ? o.crop : trained.crop;
  const std::int64_t k = o.downsample.value_or(trained.downsample);
  if (o.crop || o.downsample) {
    check_resolution(data::pixel_scale(meta.field, k), model);
    const data::Crop c = crop.value_or(data::Crop{0, 0, meta.height, meta.width});
    if (c.y0 < 0 || c.x0 < 0 || c.height < 1 || c.width < 1 || c.y0 + c.height > meta.height ||
        c.x0 + c.width > meta.width || c.height % k != 0 || c.width % k != 0)
      throw UsageError("predict --crop " + crop_str(c) + " --downsample " + std::to_string(k) +
                       ": does not fit the " + std::to_string(meta.height) + "x" +
                       std::to_string(meta.width) + " frames of " + path +
                       " (the crop inside them, its size a multiple of the downsample)");
  }
  data::WindowReader wr(reader, crop, k, std::nullopt);
  // The forecast's georeference: the dataset's, through the same crop and downsample.
  data::Grid grid;
  if (const auto& g = meta.field.grid; g.known() && g.rows == meta.height && g.cols == meta.width) {
    const data::Crop c = crop.value_or(data::Crop{0, 0, meta.height, meta.width});
    grid = g.cropped(c.y0, c.x0, c.height, c.width).downsampled(k);
  }
  model.set_grid(wr.height(), wr.width(), path);
  const std::int64_t t_in = model.t_in(), t_out = model.t_out(), fs = model.frame_size();
  timestep = meta.field.timestep_s ? static_cast<std::int64_t>(*meta.field.timestep_s) : 0;
  std::vector<std::int64_t> starts;
  if (o.all_windows) {
    starts = data::all_windows(meta, t_in + t_out, o.stride);
    if (starts.empty())
      throw DataError(path + ": no window of " + std::to_string(t_in + t_out) +
                      " consecutive frames (t_in + t_out)");
  } else {
    const auto runs = data::contiguous_runs(meta);
    const auto& last = runs.back();
    if (last.length < t_in)
      throw DataError(path + ": the last " + std::to_string(last.length) +
                      " consecutive frames are fewer than the " + std::to_string(t_in) +
                      " the model needs (a gap in time or too few frames)");
    starts.push_back(last.start + last.length - t_in);
  }
  std::vector<Case> cases;
  const std::int64_t n = o.all_windows ? t_in + t_out : t_in;
  std::vector<float> v(static_cast<std::size_t>(n * fs)), m(v.size());
  for (auto s : starts) {
    wr.read(s, n, v.data(), m.data());
    Case c;
    c.inputs.assign(v.begin(), v.begin() + t_in * fs);
    c.input_mask.assign(m.begin(), m.begin() + t_in * fs);
    if (o.all_windows) {
      c.target.assign(v.begin() + t_in * fs, v.end());
      c.target_mask.assign(m.begin() + t_in * fs, m.end());
    }
    c.last_time = meta.field.time.empty() ? 0 : meta.field.time[s + t_in - 1];
    c.grid = grid;
    cases.push_back(std::move(c));
  }
  return cases;
}

std::vector<Case> cases_from_radar(const PredictOptions& o, Forecaster& model, std::int64_t& timestep) {
  auto options = data::options_from_provenance(model.data_info());
  const auto& trained = model.description();
  const std::int64_t t_in = model.t_in();
  // The config's crop and downsample, after the import's, unless predict gives its own (then in the raw
  // grid's pixels, in one step).
  std::optional<data::Crop> second_crop = trained.crop;
  std::int64_t second_k = trained.downsample;
  if (o.crop || o.downsample) {
    if (o.crop) {
      options.crop = o.crop;
    } else if (trained.crop) {  // the training domain in raw pixels
      const std::int64_t ki = options.downsample;
      const data::Crop ic = options.crop.value_or(data::Crop{0, 0, 0, 0});
      options.crop = data::Crop{ic.y0 + trained.crop->y0 * ki, ic.x0 + trained.crop->x0 * ki,
                                trained.crop->height * ki, trained.crop->width * ki};
    }
    options.downsample = o.downsample.value_or(options.downsample * trained.downsample);
    second_crop.reset();
    second_k = 1;
  }
  if (static_cast<std::int64_t>(o.inputs.size()) < t_in)
    throw DataError("predict: " + std::to_string(o.inputs.size()) +
                    " radar files given, the model needs the last " + std::to_string(t_in));
  // Order by stored time; only the last t_in are needed, but every header is read to order them.
  std::vector<std::pair<std::int64_t, std::string>> files;
  for (const auto& f : o.inputs)
    files.push_back(
        {data::read_radar_header(f, options.format, options.source_quantity, options.time_from_name).time,
         f});
  std::sort(files.begin(), files.end());
  files.erase(files.begin(), files.end() - t_in);
  const auto& step = model.data_info().timestep_s;
  timestep = step ? static_cast<std::int64_t>(std::llround(*step)) : 0;
  for (std::size_t i = 1; i < files.size(); ++i) {
    const std::int64_t dt = files[i].first - files[i - 1].first;
    if (dt == 0) throw DataError(files[i].second + ": same time as " + files[i - 1].second);
    if (timestep > 0 && dt != timestep)
      throw DataError(files[i].second + ": " + std::to_string(dt) + " s after " + files[i - 1].second +
                      ", the model " + "was trained on frames " + std::to_string(timestep) +
                      " s apart (a gap in the series?)");
  }
  if (o.crop || o.downsample) {
    const auto hdr = data::read_radar_header(files.back().second, options.format, options.source_quantity,
                                             options.time_from_name);
    data::PixelScale input;
    input.factor = options.downsample;
    if (hdr.pixel_x != 0 && hdr.pixel_y != 0) {
      input.x = std::abs(hdr.pixel_x) * static_cast<double>(options.downsample);
      input.y = std::abs(hdr.pixel_y) * static_cast<double>(options.downsample);
    }
    check_resolution(input, model);
    const data::Crop c = options.crop.value_or(data::Crop{0, 0, hdr.grid_rows, hdr.grid_cols});
    if (c.y0 < 0 || c.x0 < 0 || c.height < 1 || c.width < 1 || c.y0 + c.height > hdr.grid_rows ||
        c.x0 + c.width > hdr.grid_cols)
      throw UsageError("predict --crop " + crop_str(c) + ": does not fit the " +
                       std::to_string(hdr.grid_rows) + "x" + std::to_string(hdr.grid_cols) + " grid of " +
                       files.back().second);
  }
  Case c;
  for (const auto& [time, path] : files) {
    // Then the training config's own crop and downsample, as WindowReader applies them to datasets.
    const auto p =
        data::crop_and_downsample(data::process_radar_file(path, options), second_crop, second_k, path);
    model.set_grid(p.height, p.width, path);
    c.inputs.insert(c.inputs.end(), p.values.begin(), p.values.end());
    c.input_mask.insert(c.input_mask.end(), p.mask.begin(), p.mask.end());
    c.grid = p.grid;
    c.last_time = time;
  }
  return {c};
}

// What every forecast file of these cases shares.
forecast::Header header_of(const std::vector<Case>& cases, const Forecaster& model, std::int64_t timestep,
                           const std::string& checkpoint) {
  return forecast_header(model, cases[0].grid, cases[0].last_time, static_cast<std::int64_t>(cases.size()),
                         timestep, !cases[0].target.empty(), checkpoint);
}

// Forecasts every case, the forecaster's batch at a time, handing each to the sink (and to the images).
void forecast_cases(const std::vector<Case>& cases, Forecaster& model, std::int64_t timestep,
                    const std::vector<double>& sink_thresholds, forecast::Sink& sink, ImageWriter& images) {
  const std::int64_t batch = model.batch(), t_in = model.t_in(), t_out = model.t_out(),
                     fs = model.frame_size();
  const std::int64_t n = static_cast<std::int64_t>(cases.size()), M = model.members();
  const auto& thresholds = sink_thresholds;
  std::vector<float> in(static_cast<std::size_t>(batch * t_in * fs)), im(in.size());
  std::vector<float> out(static_cast<std::size_t>(batch * M * t_out * fs)),
      target(static_cast<std::size_t>(t_out * fs)), last(static_cast<std::size_t>(fs)),
      prob(thresholds.size() * static_cast<std::size_t>(t_out * fs));
  for (std::int64_t first = 0; first < n; first += batch) {
    const std::int64_t m = std::min(batch, n - first);
    for (std::int64_t b = 0; b < batch; ++b) {  // (a short last batch repeats its last case)
      const auto& c = cases[first + std::min(b, m - 1)];
      std::copy(c.inputs.begin(), c.inputs.end(), in.begin() + b * t_in * fs);
      std::copy(c.input_mask.begin(), c.input_mask.end(), im.begin() + b * t_in * fs);
    }
    model.forecast(in.data(), im.data(), out.data());
    for (std::int64_t b = 0; b < m; ++b) {
      const auto& c = cases[first + b];
      float* pred = out.data() + b * M * t_out * fs;  // its members
      finish_forecast(c.input_mask.data() + (t_in - 1) * fs, M, t_out, fs, thresholds, pred, prob.data());
      for (std::size_t i = 0; i < c.target.size(); ++i)
        target[i] = c.target_mask[i] != 0.0f ? c.target[i] : std::nanf("");
      for (std::int64_t i = 0; i < fs; ++i) {
        const std::int64_t k = (t_in - 1) * fs + i;
        last[i] = c.input_mask[k] != 0.0f ? c.inputs[k] : std::nanf("");
      }
      sink.add({c.last_time, pred, thresholds.empty() ? nullptr : prob.data(),
                c.target.empty() ? nullptr : target.data(), last.data()});
      if (images.enabled()) {
        auto rc = make_render_case(c.inputs, c.input_mask, std::vector<float>(pred, pred + M * t_out * fs),
                                   c.target, c.target_mask, t_in, t_out, model.height(), model.width(),
                                   c.last_time, timestep);
        rc.members = M;
        rc.thresholds = thresholds;
        rc.prob = prob;
        images.add(std::move(rc));
      }
    }
  }
}

}  // namespace

void finish_forecast(const float* last_mask, std::int64_t members, std::int64_t t_out, std::int64_t fs,
                     const std::vector<double>& thresholds, float* pred, float* prob) {
  for (std::int64_t k = 0; k < members * t_out; ++k)
    for (std::int64_t i = 0; i < fs; ++i)
      if (last_mask[i] == 0.0f) pred[k * fs + i] = std::nanf("");
  const std::int64_t n = t_out * fs;
  for (std::size_t p = 0; p < thresholds.size(); ++p) {
    const float tau = static_cast<float>(thresholds[p]);
    float* o = prob + static_cast<std::int64_t>(p) * n;
    for (std::int64_t i = 0; i < n; ++i) {
      if (std::isnan(pred[i])) {
        o[i] = std::nanf("");
        continue;
      }
      std::int64_t above = 0;
      for (std::int64_t k = 0; k < members; ++k) above += pred[k * n + i] >= tau ? 1 : 0;
      o[i] = static_cast<float>(above) / static_cast<float>(members);
    }
  }
}

forecast::Header forecast_header(const Forecaster& model, const data::Grid& grid, std::int64_t analysis_time,
                                 std::int64_t count, std::int64_t timestep, bool with_target,
                                 const std::string& checkpoint) {
  forecast::Header h;
  h.members = model.members();
  h.field = model.data_info();
  h.field.grid = grid;
  h.count = count;
  h.analysis_time = analysis_time;
  h.t_out = model.t_out();
  h.channels = model.channels();
  h.height = model.height();
  h.width = model.width();
  if (timestep > 0)
    for (std::int64_t t = 1; t <= h.t_out; ++t) h.lead_s.push_back(t * timestep);
  h.with_target = with_target;
  h.checkpoint = checkpoint;
  h.software_version = CONVLSTM_VERSION;
  const auto& prov = h.field.provenance;
  const auto zr = prov.find("import_zr"), source_units = prov.find("import_source_units");
  if (zr != prov.end() && source_units != prov.end() &&
      source_units->second != data::units_of(h.field.quantity))
    std::sscanf(zr->second.c_str(), "%lf,%lf", &h.zr_a, &h.zr_b);
  return h;
}

data::ProcessedFrame process_like_training(const Forecaster& model, const std::string& path) {
  const auto& trained = model.description();
  return data::crop_and_downsample(
      data::process_radar_file(path, data::options_from_provenance(model.data_info())), trained.crop,
      trained.downsample, path);
}

// Phases: check the options, gather the cases (from a dataset or raw files), open the writer (which checks
// what it needs before any forecast is made), forecast case by case into it, commit.
PredictReport predict(const PredictOptions& o) {
  if (o.inputs.empty()) throw UsageError("predict: no input files");
  const auto& format = forecast::format_for(o.format, o.output);
  if (format.georeferenced && o.all_windows)
    throw UsageError(std::string("predict --format ") + format.name +
                     ": writes one forecast (from the last frames), not --all-windows; use the HDF5 output");
  if (o.one_file_per_lead && std::string(format.name) != "odim")
    throw UsageError("predict --one-file-per-lead: only with --format odim");
  if (!o.probabilities.empty() && o.members < 2)
    throw UsageError(
        "predict --probabilities: needs an ensemble (--members 2 or more, of a stochastic model)");
  for (const double t : o.probabilities)
    if (!std::isfinite(t)) throw UsageError("predict --probabilities: thresholds must be finite numbers");
  Forecaster model(o.checkpoint, o.all_windows ? std::max<std::int64_t>(1, 8 / o.members) : 1, o.members,
                   o.seed);
  std::int64_t timestep = 0;
  const bool dataset_input = o.inputs.size() == 1 && is_dataset(o.inputs[0]);
  if (o.inputs.size() > 1 && is_dataset(o.inputs[0]))
    throw UsageError("predict: give one dataset file, or raw radar files, not several datasets");
  const auto cases =
      dataset_input ? cases_from_dataset(o, model, timestep) : cases_from_radar(o, model, timestep);

  auto header = header_of(cases, model, timestep, o.checkpoint);
  header.thresholds = o.probabilities;
  forecast::Options options;
  options.one_file_per_lead = o.one_file_per_lead;
  auto sink = format.open(header, o.output, options);
  ImageWriter images(header.field.quantity, o.png_dir, o.gif);
  forecast_cases(cases, model, timestep, header.thresholds, *sink, images);
  PredictReport report;
  report.forecasts = header.count;
  report.t_out = header.t_out;
  report.with_target = header.with_target;
  report.files = sink->commit();
  images.finish();
  report.images = images.written();
  return report;
}

}  // namespace convlstm::eval
