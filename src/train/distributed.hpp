// Data-parallel training over MPI (docs/architecture.md). Every rank holds the whole model and works on its
// own shard of each global batch; the loss's sums and normalisers, then the flat gradient, are summed across
// ranks, so every rank takes the same optimizer step and the result equals one process's with the same global
// batch (up to float summation order).
//
// mpi.h stays inside distributed.cpp: without CONVLSTM_MPI, or in a process that no MPI launcher started, the
// communicator is one rank and every reduction is the identity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "core/error.hpp"

namespace convlstm::train {

// An error every rank throws at once (Communicator::agree): the CLI prints it on rank 0 only and every rank
// exits with the same status, instead of one rank aborting the job.
class CollectiveError : public Error {
 public:
  CollectiveError(const std::string& what, bool usage) : Error(what), usage_(usage) {}
  bool usage() const { return usage_; }  // a config or usage error (exit status 2), else runtime (1)

 private:
  bool usage_;
};

// A shard [begin, end) of n items for one rank: contiguous, sizes differing by at most one.
struct Shard {
  std::int64_t begin = 0, end = 0;
  std::int64_t size() const { return end - begin; }
};
Shard shard_of(std::int64_t n, int rank, int ranks);

class Communicator {
 public:
  Communicator() = default;  // one rank
  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }

  // In-place sums over the ranks (MPI_Allreduce); the time spent is added to reduce_seconds().
  void sum(float* data, std::size_t n);
  void sum(double* data, std::size_t n);
  // True on every rank when `flag` is true on any.
  bool any(bool flag);
  double reduce_seconds() const { return reduce_seconds_; }

  // Runs f on every rank. When it throws on one or more ranks, every rank throws the same CollectiveError:
  // the error of the lowest failing rank, prefixed "rank R of K: ". With one rank, f's own error propagates.
  template <typename F>
  void agree(F&& f) {
    std::exception_ptr error;
    try {
      f();
    } catch (...) {
      error = std::current_exception();
    }
    settle(error);
  }

 private:
  friend class MpiSession;
  Communicator(int rank, int size) : rank_(rank), size_(size) {}
  void settle(std::exception_ptr error);
  int rank_ = 0, size_ = 1;
  double reduce_seconds_ = 0.0;
};

// MPI for the life of the process: initialised when the process was started by an MPI launcher (mpirun,
// mpiexec, srun: it finds the launcher's environment), finalised on destruction. Otherwise, and in builds
// without CONVLSTM_MPI, nothing is initialised and world() is one rank.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  Communicator world() const;
  // Not empty when the process was started by mpirun but MPI could not be used as convlstm needs.
  const std::string& init_error() const { return init_error_; }
  // Ends every rank of the job now (MPI_Abort): for an error only this rank has seen.
  [[noreturn]] void abort(int status) const;

 private:
  bool active_ = false;
  std::string init_error_;
  int rank_ = 0, size_ = 1;
};

}  // namespace convlstm::train
