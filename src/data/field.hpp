// What a field of radar values is, in one record carried from the reader to the dataset file, the checkpoint
// and every forecast: the quantity (an enum; its name is written in files), its units, the georeference, the
// times and the import's provenance. Each file stores it as string attributes (field_attributes): the
// dataset on its root and /frames (data/dataset.hpp), the checkpoint as data_* (checkpoint/checkpoint.hpp),
// a forecast through its writer (forecast/writer.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/enum_names.hpp"
#include "data/grid.hpp"

namespace convlstm::data {

enum class Quantity { rain_rate, reflectivity, accumulation, intensity };

inline constexpr EnumName<Quantity> kQuantityNames[] = {{Quantity::rain_rate, "rain_rate"},
                                                        {Quantity::reflectivity, "reflectivity"},
                                                        {Quantity::accumulation, "accumulation"},
                                                        {Quantity::intensity, "intensity"}};

inline std::string to_string(Quantity q) {
  return name_of(kQuantityNames, q);
}
// DataError naming `where` and the choices for an unknown name.
Quantity parse_quantity(const std::string& name, const std::string& where);
// The unit a quantity is stored in: mm/h, dBZ, mm, 1 (intensity: Moving MNIST's [0, 1]).
const char* units_of(Quantity q);
// The value of a dry (or unobserved-and-filled) pixel: the reflectivity floor in dBZ, 0 otherwise.
float dry_value(Quantity q);

struct FieldInfo {
  Quantity quantity = Quantity::intensity;
  std::string units = "1";
  Grid grid;                         // unknown (not known()) when the frames have no georeference
  std::optional<double> timestep_s;  // the nominal time between frames
  std::vector<std::int64_t> time;    // per frame, seconds since 1970 UTC; empty: unknown or not kept
  std::string source;                // free text: what made the frames
  std::map<std::string, std::string> provenance;  // the import's options and source (import_*, projdef, ...)

  bool georeferenced() const { return grid.known(); }
};

// A record of quantity q in its units, nothing else known.
FieldInfo field_of(Quantity q);

// The record as string attributes: quantity, units, timestep_s, source, grid_* (data/grid.hpp) and the
// provenance; times are not included (they are a dataset of their own). And back: unknown keys are
// provenance; DataError naming `what` for a malformed quantity, time step or grid.
std::map<std::string, std::string> field_attributes(const FieldInfo& f);
FieldInfo field_from_attributes(const std::map<std::string, std::string>& attrs, const std::string& what);

}  // namespace convlstm::data
