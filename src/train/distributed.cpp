#include "train/distributed.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <vector>

#ifdef CONVLSTM_HAVE_MPI
#include <mpi.h>
#endif

namespace convlstm::train {

Shard shard_of(std::int64_t n, int rank, int ranks) {
  return {n * rank / ranks, n * (rank + 1) / ranks};
}

namespace {

#ifdef CONVLSTM_HAVE_MPI
// Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE; PMIx and PMI launchers (srun --mpi=pmix, MPICH's hydra) set
// PMIX_RANK or PMI_RANK. A plain `convlstm train` sees none of them and stays a single process.
bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(v)) return true;
  return false;
}

template <typename T>
void allreduce_sum(T* data, std::size_t n, MPI_Datatype type, double& seconds) {
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t done = 0; done < n;) {  // MPI counts are int
    const int count = static_cast<int>(std::min<std::size_t>(n - done, INT_MAX / 2));
    if (MPI_Allreduce(MPI_IN_PLACE, data + done, count, type, MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS)
      throw BackendError("MPI_Allreduce failed");
    done += static_cast<std::size_t>(count);
  }
  seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
#endif

}  // namespace

void Communicator::sum(float* data, std::size_t n) {
#ifdef CONVLSTM_HAVE_MPI
  if (size_ > 1) allreduce_sum(data, n, MPI_FLOAT, reduce_seconds_);
#else
  (void)data, (void)n;
#endif
}

void Communicator::sum(double* data, std::size_t n) {
#ifdef CONVLSTM_HAVE_MPI
  if (size_ > 1) allreduce_sum(data, n, MPI_DOUBLE, reduce_seconds_);
#else
  (void)data, (void)n;
#endif
}

bool Communicator::any(bool flag) {
#ifdef CONVLSTM_HAVE_MPI
  if (size_ > 1) {
    int mine = flag ? 1 : 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return all != 0;
  }
#endif
  return flag;
}

void Communicator::settle(std::exception_ptr error) {
  if (size_ == 1) {
    if (error) std::rethrow_exception(error);
    return;
  }
#ifdef CONVLSTM_HAVE_MPI
  int mine = error ? rank_ : size_, first = size_;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (first == size_) return;
  std::string message;
  long long header[2] = {0, 0};  // message length, usage error
  bool prefixed = false;
  if (rank_ == first) {
    try {
      std::rethrow_exception(error);
    } catch (const CollectiveError& e) {
      message = e.what();
      header[1] = e.usage();
      prefixed = true;
    } catch (const ConfigError& e) {
      message = e.what();
      header[1] = 1;
    } catch (const UsageError& e) {
      message = e.what();
      header[1] = 1;
    } catch (const std::exception& e) {
      message = e.what();
    } catch (...) {
      message = "unknown error";
    }
    if (!prefixed)
      message = "rank " + std::to_string(first) + " of " + std::to_string(size_) + ": " + message;
    header[0] = static_cast<long long>(message.size());
  }
  MPI_Bcast(header, 2, MPI_LONG_LONG, first, MPI_COMM_WORLD);
  message.resize(static_cast<std::size_t>(header[0]));
  MPI_Bcast(message.data(), static_cast<int>(header[0]), MPI_CHAR, first, MPI_COMM_WORLD);
  throw CollectiveError(message, header[1] != 0);
#else
  if (error) std::rethrow_exception(error);
#endif
}

MpiSession::MpiSession(int* argc, char*** argv) {
#ifdef CONVLSTM_HAVE_MPI
  if (!launched_by_mpi()) return;
  int provided = 0;
  // Only the main thread calls MPI; OpenMP threads compute between the calls.
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    init_error_ = "started by mpirun, but MPI_Init_thread failed: check the Open MPI installation";
    return;
  }
  active_ = true;
  if (provided < MPI_THREAD_FUNNELED)
    init_error_ = "this MPI offers thread level " + std::to_string(provided) +
                  ", below MPI_THREAD_FUNNELED, which training with OpenMP threads needs";
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
#else
  (void)argc, (void)argv;
#endif
}

MpiSession::~MpiSession() {
#ifdef CONVLSTM_HAVE_MPI
  if (active_) MPI_Finalize();
#endif
}

Communicator MpiSession::world() const {
  return Communicator(rank_, size_);
}

void MpiSession::abort(int status) const {
#ifdef CONVLSTM_HAVE_MPI
  if (active_) MPI_Abort(MPI_COMM_WORLD, status);
#endif
  std::_Exit(status);
}

}  // namespace convlstm::train
