// Cloud-optimised GeoTIFF forecasts through GDAL (docs/formats.md): one file per
// lead, <prefix>_<analysis YYYYmmddHHMM>_<lead minutes, 3 digits>.tif, Float32 with NaN NoData, the outer
// upper-left corner and pixel size as the geotransform, the CRS from the grid's WKT, DEFLATE with the
// predictor, 512-pixel blocks and overviews; metadata TIFFTAG_DATETIME (valid time), forecast_reference_time,
// valid_time, lead_time_minutes, quantity, units and the PROJ string; the band's unit and description.
// Each file is written under a temporary name and renamed into place.
#pragma once

#include <string>
#include <vector>

#include "data/forecast_out.hpp"

namespace convlstm::geo {

std::vector<std::string> write_cog_forecast(const data::GeoForecast& f, const std::string& prefix);

}  // namespace convlstm::geo
