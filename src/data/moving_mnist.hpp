// Moving MNIST (Srivastava et al. 2015, as used by Shi et al. 2015): each sequence is 20 frames of 64x64 in
// which two 28x28 MNIST digits move in straight lines at a fixed speed (3.6 px per frame, 0.1 of the free
// range) from random positions in random directions, bouncing off the edges; overlapping digits combine by
// maximum. Written as a dataset file (uint8, gain 1/255, quantity intensity), one segment per sequence.
#pragma once

#include <cstdint>
#include <string>

namespace convlstm::data {

struct MovingMnistOptions {
  std::string digits;  // HDF5 file with /images [N, 28, 28] uint8 (scripts/fetch_mnist.sh)
  std::int64_t sequences = 10000;
  std::int64_t frames = 20;  // per sequence
  std::int64_t size = 64;
  std::int64_t num_digits = 2;
  std::uint64_t seed = 1;
};

void write_moving_mnist(const std::string& path, const MovingMnistOptions& options);

}  // namespace convlstm::data
