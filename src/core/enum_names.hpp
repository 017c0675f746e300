// An enum's names, written once: a table of {value, name} per enum, from which to_string, parsing and the
// list of choices all come (config parsing, error messages, checkpoints).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace convlstm {

template <typename E>
struct EnumName {
  E value;
  const char* name;
};

template <typename E, std::size_t N>
std::string name_of(const EnumName<E> (&table)[N], E value) {
  for (const auto& e : table)
    if (e.value == value) return e.name;
  return "?";
}

template <typename E, std::size_t N>
std::optional<E> value_of(const EnumName<E> (&table)[N], const std::string& name) {
  for (const auto& e : table)
    if (name == e.name) return e.value;
  return std::nullopt;
}

template <typename E, std::size_t N>
std::vector<std::string> names_of(const EnumName<E> (&table)[N]) {
  std::vector<std::string> out;
  for (const auto& e : table) out.push_back(e.name);
  return out;
}

// "a, b or c", for messages.
inline std::string one_of(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

}  // namespace convlstm
