// Looking up a named figure (eval::Scores::figures, bootstrap intervals) in a test: a figure that is not
// there fails the test instead of silently running no check.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

namespace convlstm::test {

template <typename T>
const T& figure(const std::vector<std::pair<std::string, T>>& figures, const std::string& name) {
  for (const auto& f : figures)
    if (f.first == name) return f.second;
  FAIL("no figure named '" << name << "'");
  return figures.front().second;  // not reached
}

}  // namespace convlstm::test
