// Forecast files another system wrote, or convlstm, read back to be scored (`convlstm evaluate --forecast
// NAME=FILES`): an index of the forecasts a file holds (its analysis time, lead times, members, grid and
// quantity) without their values, then one forecast's values on demand.
//
// Layouts read:
// - netCDF (pysteps' exporter, io.exporters.initialize_forecast_exporter_netcdf; convlstm's netCDF-CF
//   forecast): a variable precip_intensity (mm/h), precip_accum (mm) or reflectivity (dBZ) of (time, y, x)
//   or, for an ensemble, (ens_number, time, y, x); time in "seconds since <date>": the valid times, the
//   analysis time being forecast_reference_time when the file has it and the date of the units otherwise
//   (pysteps counts lead times from its start date); x and y the cell centres in m or km (units), y
//   north-first or south-first; the CRS from the global attribute projection (a PROJ string) when present.
// - convlstm's predictions file (HDF5, forecast/hdf5.cpp): /pred [N, T_out, H, W] and /time [N, T_out], one
//   forecast per window.
// Values are returned north-first, NaN where the file has none.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/field.hpp"

namespace convlstm::data {

struct ForecastEntry {
  std::string path;
  bool netcdf = true;      // else convlstm's predictions file
  std::string variable;    // netCDF: the data variable
  std::int64_t index = 0;  // predictions file: the window
  std::int64_t analysis_time = 0;
  std::vector<std::int64_t> lead_s;  // seconds after the analysis time, per lead
  std::int64_t members = 1, height = 0, width = 0;
  bool south_first = false;  // netCDF rows stored south-first (flipped on reading)
  Grid grid;                 // unknown when the file gives no CRS or coordinates
  Quantity quantity = Quantity::rain_rate;
};

// Every forecast of a file; DataError naming the file for a layout it is not.
std::vector<ForecastEntry> read_forecast_index(const std::string& path);
// One forecast's values (members, leads, h, w), north-first.
std::vector<float> read_forecast_values(const ForecastEntry& e);

}  // namespace convlstm::data
