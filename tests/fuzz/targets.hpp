// The fuzz targets: each takes one input, runs the code under test and aborts on a finding (an exception
// other than the library's ConfigError, UsageError or DataError, an error message that does not name what it
// is about, a broken invariant); sanitizers report the rest. fuzz_main.cpp wraps one for libFuzzer;
// replay_main.cpp runs the seed corpora and the regression inputs through all of them in the ordinary build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace convlstm::fuzz {

// YAML text up to the first NUL byte, then "key=value" overrides one a line: parse_config, the round trip
// through to_yaml, and model_spec for a few frame shapes.
int fuzz_config(const std::uint8_t* data, std::size_t size);
// A convlstm dataset file laid out as the input chooses: DatasetReader, every frame, windows and runs.
int fuzz_dataset(const std::uint8_t* data, std::size_t size);
// An ODIM_H5 or KNMI file laid out as the input chooses, an FMI PGM (raw, or a plausible header with fuzzed
// comments, sizes and maxval), a netCDF classic file's bytes, or the time and calibration strings alone:
// detect_radar_format, read_radar_header, read_radar.
int fuzz_radar(const std::uint8_t* data, std::size_t size);

// Quiets the library's logging (called once per process).
void fuzz_setup();

// Aborts with `what` on stderr: a finding.
[[noreturn]] void finding(const std::string& what);

// Runs a reader on the file at `path`, then removes the file. The reader may throw DataError only, and its
// message must name the file.
void read_expecting_named_errors(const std::string& path, const std::function<void()>& read);

}  // namespace convlstm::fuzz
