#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/windows.hpp"
#include "fuzz/h5_writer.hpp"
#include "fuzz/targets.hpp"

namespace convlstm::fuzz {

namespace {

// The layout of docs/architecture.md with the encodings the input chooses: 6 frames of 4 x 5 (or 2 channels),
// uint16 with gain 0.01 and nodata 65535, 5-minute times, one segment.
void write_dataset(const std::string& path, FuzzedDataProvider& in) {
  H5Writer w(path, in);
  const std::int64_t T = 6, C = in.ConsumeBool() ? 2 : 1, H = 4, W = 5;
  w.string_attr("/", "format", "convlstm-dataset");
  w.number_attr("/", "version", 1, Stored::i64);
  w.string_attr("/", "source", "fuzz");
  if (in.ConsumeBool()) w.number_attr("/", "timestep_s", 300, Stored::f64);
  if (in.ConsumeBool()) w.number_attr("/", "crop", 0, Stored::i64);  // provenance
  if (in.ConsumeBool()) w.string_attr("/", "importer", "convlstm import");
  std::vector<std::int64_t> dims{T, H, W};
  if (C > 1) dims.insert(dims.begin() + 1, C);
  std::vector<double> pixels(static_cast<std::size_t>(T * C * H * W));
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<double>((i * 37) % 500);
  w.dataset("/frames", dims, Stored::u16, pixels);
  w.string_attr("/frames", "quantity", "rain_rate");
  w.string_attr("/frames", "units", "mm/h");
  w.number_attr("/frames", "gain", 0.01, Stored::f64);
  w.number_attr("/frames", "offset", 0.0, Stored::f64);
  w.number_attr("/frames", "nodata", 65535, Stored::f64);
  std::vector<double> times;
  for (std::int64_t t = 0; t < T; ++t) times.push_back(1.5e9 + 300.0 * static_cast<double>(t));
  if (in.ConsumeIntegralInRange<int>(0, 3) != 1) w.dataset("/time", {T}, Stored::i64, times);
  if (in.ConsumeIntegralInRange<int>(0, 3) != 1)
    w.dataset("/segments", {1, 2}, Stored::i64, {0.0, double(T)});
}

void check_meta(const data::DatasetMeta& m) {
  if (m.frames < 1 || m.channels < 1 || m.height < 1 || m.width < 1) finding("accepted an empty dataset");
  if (!std::isfinite(m.gain) || m.gain == 0.0 || !std::isfinite(m.offset)) finding("accepted gain/offset");
  if (m.segments.empty()) finding("no segments");
  std::int64_t end = 0;
  for (const auto& s : m.segments) {
    if (s.start < end || s.length < 1 || s.start + s.length > m.frames) finding("accepted a bad segment");
    end = s.start + s.length;
  }
  if (!m.field.time.empty() && static_cast<std::int64_t>(m.field.time.size()) != m.frames)
    finding("times for other frames");
}

void check_windows(const data::DatasetMeta& m, FuzzedDataProvider& in) {
  for (const auto& r : data::contiguous_runs(m))
    if (r.start < 0 || r.length < 1 || r.start + r.length > m.frames) finding("a run outside the file");
  const std::int64_t window = in.ConsumeIntegralInRange<std::int64_t>(1, m.frames + 1);
  const std::int64_t stride = in.ConsumeIntegralInRange<std::int64_t>(1, 3);
  const double val_fraction = in.ConsumeFloatingPointInRange<double>(0.0, 0.9);
  for (auto s : data::all_windows(m, window, stride))
    if (s < 0 || s + window > m.frames) finding("a window outside the file");
  const auto split = data::split_windows(m, window, stride, val_fraction);
  for (const auto* set : {&split.train, &split.val})
    for (auto s : *set)
      if (s < 0 || s + window > m.frames) finding("a train/val window outside the file");
}

void read_frames(const data::DatasetReader& r, FuzzedDataProvider& in) {
  const auto& m = r.meta();
  std::vector<float> values(static_cast<std::size_t>(m.frames * m.frame_size())), mask(values.size());
  r.read(0, m.frames, values.data(), mask.data());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (mask[i] != 0.0f && mask[i] != 1.0f) finding("mask neither 0 nor 1");
    if (mask[i] == 0.0f && values[i] != 0.0f) finding("an unobserved pixel is not 0");
    if (!std::isfinite(values[i])) finding("a non-finite value passed the reader");
  }
  // A region the input chooses, possibly outside the frame: read, or a DataError.
  const auto t0 = in.ConsumeIntegralInRange<std::int64_t>(-1, m.frames);
  const auto n = in.ConsumeIntegralInRange<std::int64_t>(0, 3);
  const auto y0 = in.ConsumeIntegralInRange<std::int64_t>(-1, m.height);
  const auto x0 = in.ConsumeIntegralInRange<std::int64_t>(-1, m.width);
  const auto h = in.ConsumeIntegralInRange<std::int64_t>(0, m.height + 1);
  const auto w = in.ConsumeIntegralInRange<std::int64_t>(0, m.width + 1);
  std::vector<float> part(static_cast<std::size_t>(std::max<std::int64_t>(n * m.channels * h * w, 1))),
      part_mask(part.size());
  r.read(t0, n, y0, x0, h, w, part.data(), part_mask.data());
  if (t0 < 0 || y0 < 0 || x0 < 0 || t0 + n > m.frames || y0 + h > m.height || x0 + w > m.width)
    finding("read a region outside the file");
}

}  // namespace

int fuzz_dataset(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string path = scratch_path("dataset.h5");
  write_dataset(path, in);
  read_expecting_named_errors(path, [&] {
    const data::DatasetReader r(path);
    check_meta(r.meta());
    check_windows(r.meta(), in);
    read_frames(r, in);
  });
  return 0;
}

}  // namespace convlstm::fuzz
