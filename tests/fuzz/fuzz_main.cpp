// libFuzzer entry point for one target, chosen at compile time with -DCONVLSTM_FUZZ_TARGET=fuzz_config etc.
#include "fuzz/targets.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  convlstm::fuzz::fuzz_setup();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return convlstm::fuzz::CONVLSTM_FUZZ_TARGET(data, size);
}
