#include "eval/predict.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "core/error.hpp"
#include "core/log.hpp"
#include "data/dataset.hpp"
#include "data/forecast_out.hpp"
#include "data/grid.hpp"
#include "data/h5.hpp"
#include "data/radar_import.hpp"
#include "data/windows.hpp"
#include "eval/forecaster.hpp"
#include "eval/render.hpp"
#include "geo/geotiff.hpp"

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
  if (meta.quantity != model.quantity())
    throw DataError(path + ": quantity " + meta.quantity + ", but the model was trained on " +
                    model.quantity());
  const auto& trained = model.description();
  const auto crop = o.crop ? o.crop : trained.crop;
  const std::int64_t k = o.downsample.value_or(trained.downsample);
  if (o.crop || o.downsample) {
    check_resolution(data::pixel_scale(meta.provenance, k), model);
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
  if (const auto g = data::grid_from_attributes(meta.provenance, path)) {
    const data::Crop c = crop.value_or(data::Crop{0, 0, meta.height, meta.width});
    if (g->rows == meta.height && g->cols == meta.width)
      grid = g->cropped(c.y0, c.x0, c.height, c.width).downsampled(k);
  }
  model.set_grid(wr.height(), wr.width(), path);
  const std::int64_t t_in = model.t_in(), t_out = model.t_out(), fs = model.frame_size();
  timestep = meta.timestep_s ? static_cast<std::int64_t>(*meta.timestep_s) : 0;
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
    c.last_time = meta.time.empty() ? 0 : meta.time[s + t_in - 1];
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
    files.push_back({data::read_radar_header(f, options.format, options.source_quantity).time, f});
  std::sort(files.begin(), files.end());
  files.erase(files.begin(), files.end() - t_in);
  const auto it = model.data_info().find("timestep_s");
  timestep =
      it != model.data_info().end() ? static_cast<std::int64_t>(std::llround(std::stod(it->second))) : 0;
  for (std::size_t i = 1; i < files.size(); ++i) {
    const std::int64_t dt = files[i].first - files[i - 1].first;
    if (dt == 0) throw DataError(files[i].second + ": same time as " + files[i - 1].second);
    if (timestep > 0 && dt != timestep)
      throw DataError(files[i].second + ": " + std::to_string(dt) + " s after " + files[i - 1].second +
                      ", the model " + "was trained on frames " + std::to_string(timestep) +
                      " s apart (a gap in the series?)");
  }
  if (o.crop || o.downsample) {
    const auto hdr = data::read_radar_header(files.back().second, options.format, options.source_quantity);
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

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string stem(const std::string& path) {
  for (const char* suffix : {".tiff", ".tif", ".h5", ".nc"})
    if (ends_with(path, suffix)) return path.substr(0, path.size() - std::string(suffix).size());
  return path;
}

// Outside the radar coverage (unobserved in the last input frame) a forecast means nothing: NaN there, in
// the case's pred (T_out, frame).
void mask_uncovered(const Case& c, std::int64_t t_in, std::int64_t t_out, std::int64_t fs, float* pred) {
  for (std::int64_t t = 0; t < t_out; ++t)
    for (std::int64_t i = 0; i < fs; ++i)
      if (c.input_mask[(t_in - 1) * fs + i] == 0.0f) pred[t * fs + i] = std::nanf("");
}

// The forecast of one case on its grid, for the georeferenced writers.
data::GeoForecast geo_forecast(const Case& c, const std::vector<float>& pred, std::int64_t t_out,
                               std::int64_t timestep, const Forecaster& model,
                               const std::string& checkpoint) {
  data::GeoForecast f;
  f.grid = c.grid;
  f.quantity = model.quantity();
  f.analysis_time = c.last_time;
  if (timestep > 0)
    for (std::int64_t t = 1; t <= t_out; ++t) f.lead_s.push_back(t * timestep);
  f.values = pred;
  f.source = "convlstm predict, checkpoint " + checkpoint;
  f.software_version = CONVLSTM_VERSION;
  const auto zr = model.data_info().find("import_zr");
  if (zr != model.data_info().end() && model.data_info().count("import_source_units") &&
      model.data_info().at("import_source_units") != (f.quantity == "reflectivity" ? "dBZ" : "mm/h"))
    std::sscanf(zr->second.c_str(), "%lf,%lf", &f.zr_a, &f.zr_b);
  return f;
}

}  // namespace

std::string output_format(const PredictOptions& o) {
  if (!o.format.empty()) {
    if (o.format != "hdf5" && o.format != "odim" && o.format != "netcdf" && o.format != "geotiff")
      throw UsageError("predict --format '" + o.format + "': expected hdf5, odim, netcdf or geotiff");
    return o.format;
  }
  if (ends_with(o.output, ".nc")) return "netcdf";
  if (ends_with(o.output, ".tif") || ends_with(o.output, ".tiff")) return "geotiff";
  return "hdf5";
}

PredictReport predict(const PredictOptions& o) {
  if (o.inputs.empty()) throw UsageError("predict: no input files");
  const std::string format = output_format(o);
  if (format != "hdf5" && o.all_windows)
    throw UsageError("predict --format " + format +
                     ": writes one forecast (from the last frames), not --all-windows; use the HDF5 output");
  if (o.one_file_per_lead && format != "odim")
    throw UsageError("predict --one-file-per-lead: only with --format odim");
  const std::int64_t batch = o.all_windows ? 8 : 1;
  Forecaster model(o.checkpoint, batch);
  std::int64_t timestep = 0;
  const bool dataset_input = o.inputs.size() == 1 && is_dataset(o.inputs[0]);
  if (o.inputs.size() > 1 && is_dataset(o.inputs[0]))
    throw UsageError("predict: give one dataset file, or raw radar files, not several datasets");
  const auto cases =
      dataset_input ? cases_from_dataset(o, model, timestep) : cases_from_radar(o, model, timestep);

  const std::int64_t t_in = model.t_in(), t_out = model.t_out(), fs = model.frame_size();
  const std::int64_t n = static_cast<std::int64_t>(cases.size());
  const std::int64_t channels = model.channels(), height = model.height(), width = model.width();
  const bool with_target = !cases[0].target.empty();
  const std::string quantity = model.quantity();
  const auto units_it = model.data_info().find("units");
  const std::string units = units_it == model.data_info().end() ? "1" : units_it->second;

  PredictReport report;
  report.forecasts = n;
  report.t_out = t_out;
  report.with_target = with_target;
  if (format != "hdf5") {
    const auto& c = cases[0];
    std::vector<float> in(static_cast<std::size_t>(batch * t_in * fs)), im(in.size()),
        out(static_cast<std::size_t>(batch * t_out * fs));
    std::copy(c.inputs.begin(), c.inputs.end(), in.begin());
    std::copy(c.input_mask.begin(), c.input_mask.end(), im.begin());
    // Check before the forecast: a grid without georeference fails fast.
    data::GeoForecast f = geo_forecast(c, {}, t_out, timestep, model, o.checkpoint);
    data::check_georeferenced(f, o.output);
    model.forecast(in.data(), im.data(), out.data());
    mask_uncovered(c, t_in, t_out, fs, out.data());
    f.values.assign(out.begin(), out.begin() + t_out * fs);
    if (format == "odim") {
      report.files =
          data::write_odim_forecast(f, o.one_file_per_lead ? stem(o.output) : o.output, o.one_file_per_lead);
    } else if (format == "netcdf") {
      data::write_cf_forecast(f, o.output);
      report.files.push_back(o.output);
    } else {
      report.files = geo::write_cog_forecast(f, stem(o.output));
    }
    ImageWriter images(quantity, o.png_dir, o.gif);
    if (images.enabled()) {
      images.add(make_render_case(c.inputs, c.input_mask, f.values, c.target, c.target_mask, t_in, t_out,
                                  height, width, c.last_time, timestep));
      images.finish();
      report.images = images.written();
    }
    return report;
  }

  const std::string partial = o.output + ".partial";
  try {
    auto f = data::h5::File::create(partial);
    const auto root = f.root();
    root.set_attr("format", std::string("convlstm-predictions"));
    root.set_attr("version", std::int64_t{1});
    root.set_attr("checkpoint", o.checkpoint);
    std::vector<double> leads;
    for (std::int64_t t = 1; t <= t_out; ++t) leads.push_back(static_cast<double>(t * timestep));
    if (timestep > 0) root.set_attr("lead_times_s", leads);
    for (const auto& [k, v] : data::grid_attributes(cases[0].grid)) root.set_attr(k, v);
    std::vector<std::int64_t> dims{n, t_out};
    if (channels != 1) dims.push_back(channels);
    dims.insert(dims.end(), {height, width});
    std::vector<std::int64_t> chunk = dims;
    chunk[0] = 1;
    auto pred_ds = f.create_dataset("/pred", data::h5::Scalar::float32, dims, chunk, false, 4);
    pred_ds.attrs().set_attr("quantity", quantity);
    pred_ds.attrs().set_attr("units", units);
    std::optional<data::h5::Dataset> target_ds;
    if (with_target) {
      target_ds.emplace(f.create_dataset("/target", data::h5::Scalar::float32, dims, chunk, false, 4));
      target_ds->attrs().set_attr("quantity", quantity);
      target_ds->attrs().set_attr("units", units);
    }
    std::vector<std::int64_t> ldims{n}, lchunk{1};
    if (channels != 1) {
      ldims.push_back(channels);
      lchunk.push_back(channels);
    }
    ldims.insert(ldims.end(), {height, width});
    lchunk.insert(lchunk.end(), {height, width});
    auto last_ds = f.create_dataset("/input_last", data::h5::Scalar::float32, ldims, lchunk, false, 4);

    std::vector<float> in(static_cast<std::size_t>(batch * t_in * fs)), im(in.size());
    std::vector<float> out(static_cast<std::size_t>(batch * t_out * fs)),
        buf(static_cast<std::size_t>(t_out * fs));
    std::vector<std::int64_t> times;
    ImageWriter images(quantity, o.png_dir, o.gif);
    for (std::int64_t first = 0; first < n; first += batch) {
      const std::int64_t m = std::min(batch, n - first);
      for (std::int64_t b = 0; b < batch; ++b) {
        const auto& c = cases[first + std::min(b, m - 1)];
        std::copy(c.inputs.begin(), c.inputs.end(), in.begin() + b * t_in * fs);
        std::copy(c.input_mask.begin(), c.input_mask.end(), im.begin() + b * t_in * fs);
      }
      model.forecast(in.data(), im.data(), out.data());
      for (std::int64_t b = 0; b < m; ++b)
        mask_uncovered(cases[first + b], t_in, t_out, fs, out.data() + b * t_out * fs);
      for (std::int64_t b = 0; b < m; ++b) {
        const auto& c = cases[first + b];
        std::vector<std::int64_t> start(dims.size(), 0), count = dims;
        start[0] = first + b;
        count[0] = 1;
        pred_ds.write(start, count, out.data() + b * t_out * fs);
        if (with_target) {
          for (std::int64_t i = 0; i < t_out * fs; ++i)
            buf[i] = c.target_mask[i] != 0.0f ? c.target[i] : std::nanf("");
          target_ds->write(start, count, buf.data());
        }
        std::vector<float> last(static_cast<std::size_t>(fs));
        for (std::int64_t i = 0; i < fs; ++i) {
          const std::int64_t k = (t_in - 1) * fs + i;
          last[i] = c.input_mask[k] != 0.0f ? c.inputs[k] : std::nanf("");
        }
        std::vector<std::int64_t> ls(ldims.size(), 0), lc = ldims;
        ls[0] = first + b;
        lc[0] = 1;
        last_ds.write(ls, lc, last.data());
        for (std::int64_t t = 1; t <= t_out; ++t)
          times.push_back(c.last_time > 0 && timestep > 0 ? c.last_time + t * timestep : 0);
        if (images.enabled())
          images.add(make_render_case(
              c.inputs, c.input_mask,
              std::vector<float>(out.begin() + b * t_out * fs, out.begin() + (b + 1) * t_out * fs), c.target,
              c.target_mask, t_in, t_out, height, width, c.last_time, timestep));
      }
    }
    if (timestep > 0 && cases[0].last_time > 0) {
      auto t = f.create_dataset("/time", data::h5::Scalar::int64, {n, t_out});
      t.write_all(times.data());
    }
    f.flush();
    f.close();
    data::commit_file(partial, o.output);
    images.finish();
    report.images = images.written();
  } catch (...) {
    std::remove(partial.c_str());
    throw;
  }
  report.files.push_back(o.output);
  return report;
}

}  // namespace convlstm::eval
