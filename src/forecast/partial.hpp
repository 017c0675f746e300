// Inside src/forecast/ only: a file written under a temporary name (<target>.partial) and renamed into place
// by commit(); removed by the destructor unless committed, so that an error leaves no output.
#pragma once

#include <cstdio>
#include <string>

#include "data/dataset.hpp"

namespace convlstm::forecast {

// Removes the temporary file unless committed.
class Partial {
 public:
  explicit Partial(std::string target) : target_(std::move(target)), tmp_(target_ + ".partial") {}
  ~Partial() {
    if (!done_) std::remove(tmp_.c_str());
  }
  Partial(const Partial&) = delete;
  Partial& operator=(const Partial&) = delete;
  const std::string& tmp() const { return tmp_; }
  void commit() {
    data::commit_file(tmp_, target_);
    done_ = true;
  }

 private:
  std::string target_, tmp_;
  bool done_ = false;
};

}  // namespace convlstm::forecast
