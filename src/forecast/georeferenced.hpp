// Georeferenced forecasts (docs/formats.md "Forecasts out"): one deterministic forecast of T leads on a known
// grid, written as
//   ODIM_H5 v2.4 composite (odim.cpp): /datasetK per lead, valid time in start/end date and time, RATE
//     uint16 (gain 0.01 mm/h, nodata 65535, undetect 0) or DBZH uint8 (gain 0.5, offset -32, nodata 255,
//     undetect 0), fixed-length strings, the outer corner lon/lat at full precision;
//   netCDF-CF 1.8 (netcdf.cpp): time in seconds since the analysis time, forecast_reference_time,
//     forecast_period, x/y cell centres in metres (y north-first), a grid-mapping variable named after its
//     grid_mapping_name with its CF parameters, crs_wkt and spatial_ref, 2-D lat/lon, pysteps' variable
//     names (precip_intensity in mm h-1, reflectivity in dBZ), NaN _FillValue, deflate; an ensemble on a
//     leading dimension ens_number (pysteps' exporter's name, standard_name realization), exceedance
//     probabilities in probability_of_exceedance(threshold, time, y, x) on a threshold coordinate;
//   cloud-optimised GeoTIFF (geotiff.cpp): one file per lead, <prefix>_<analysis YYYYmmddHHMM>_<lead
//     minutes>.tif, Float32 with NaN NoData, metadata TIFFTAG_DATETIME (valid time), forecast_reference_time,
//     valid_time, lead_time_minutes, quantity, units, proj4; an ensemble as one band per member (band
//     description member_K), exceedance probabilities in <prefix>_<analysis>_<lead>_prob.tif, one band per
//     threshold (band description ">= T units", metadata thresholds).
// ODIM_H5 has no ensemble convention shared by the services' readers: members and probabilities are refused
// there (UsageError naming the netCDF and GeoTIFF forms).
// Every file is written under a temporary name and renamed into place: an error leaves no output.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/field.hpp"

namespace convlstm::forecast {

struct GeoForecast {
  // The data's record (data/field.hpp): quantity rain_rate (mm/h) or reflectivity (dBZ), a known grid.
  data::FieldInfo field = data::field_of(data::Quantity::rain_rate);
  std::int64_t analysis_time = 0;    // seconds since 1970 UTC: the last observation used
  std::vector<std::int64_t> lead_s;  // per lead, seconds after the analysis time (positive, increasing)
  std::int64_t members = 1;          // an ensemble's (1: a single field)
  std::vector<float> values;         // (members, leads, rows, cols); NaN outside the coverage
  std::vector<double> thresholds;    // of the exceedance probabilities (the quantity's units); empty: none
  std::vector<float> probabilities;  // (thresholds, leads, rows, cols) in [0, 1]; NaN outside the coverage
  std::string source;                // free text: what made it (the checkpoint)
  std::string software_version;
  double zr_a = 0.0, zr_b = 0.0;  // the Z-R relation used by the inputs, when one was (0: none)
};

// Throws UsageError when the forecast cannot be written in these forms (unknown grid, no analysis time).
void check_georeferenced(const GeoForecast& f, const std::string& what);

// One file with every lead; with one_file_per_lead, `path` is a prefix and one file per lead is written,
// <prefix>_<lead minutes, 3 digits>.h5 (pysteps reads one field per ODIM file). Returns the paths written.
std::vector<std::string> write_odim_forecast(const GeoForecast& f, const std::string& path,
                                             bool one_file_per_lead);
void write_cf_forecast(const GeoForecast& f, const std::string& path);
// One file per lead under `prefix`; returns the paths written.
std::vector<std::string> write_cog_forecast(const GeoForecast& f, const std::string& prefix);

// "YYYYmmddHHMM" of a time (UTC): the file-name stamp of pysteps' exporters.
std::string utc_stamp(std::int64_t t);
// A time (seconds since 1970) in UTC through strftime's format.
std::string format_utc(std::int64_t t, const char* format);

}  // namespace convlstm::forecast
