#include "data/field.hpp"

#include <charconv>
#include <cmath>

#include "core/error.hpp"
#include "data/units.hpp"

namespace convlstm::data {

Quantity parse_quantity(const std::string& name, const std::string& where) {
  if (const auto q = value_of(kQuantityNames, name)) return *q;
  throw DataError(where + ": unknown quantity '" + name + "' (expected " + one_of(names_of(kQuantityNames)) +
                  ")");
}

const char* units_of(Quantity q) {
  switch (q) {
    case Quantity::rain_rate:
      return "mm/h";
    case Quantity::reflectivity:
      return "dBZ";
    case Quantity::accumulation:
      return "mm";
    case Quantity::intensity:
      break;
  }
  return "1";
}

float dry_value(Quantity q) {
  return q == Quantity::reflectivity ? kDbzFloor : 0.0f;
}

FieldInfo field_of(Quantity q) {
  FieldInfo f;
  f.quantity = q;
  f.units = units_of(q);
  return f;
}

std::map<std::string, std::string> field_attributes(const FieldInfo& f) {
  auto a = f.provenance;
  a["quantity"] = to_string(f.quantity);
  a["units"] = f.units;
  if (f.timestep_s) {
    char buf[64];
    a["timestep_s"] = std::string(buf, std::to_chars(buf, buf + sizeof buf, *f.timestep_s).ptr);
  }
  if (!f.source.empty()) a["source"] = f.source;
  for (const auto& [k, v] : grid_attributes(f.grid)) a[k] = v;
  return a;
}

FieldInfo field_from_attributes(const std::map<std::string, std::string>& attrs, const std::string& what) {
  FieldInfo f;
  for (const auto& [k, v] : attrs) {
    if (k == "quantity") {
      f.quantity = parse_quantity(v, what);
    } else if (k == "units") {
      f.units = v;
    } else if (k == "source") {
      f.source = v;
    } else if (k == "timestep_s") {
      char* end = nullptr;
      const double t = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || !(t > 0 && t < 1e9))
        throw DataError(what + ": timestep_s '" + v + "': expected a positive number of seconds");
      f.timestep_s = t;
    } else if (k.rfind("grid_", 0) != 0) {
      f.provenance[k] = v;
    }
  }
  if (const auto g = grid_from_attributes(attrs, what)) f.grid = *g;
  return f;
}

}  // namespace convlstm::data
