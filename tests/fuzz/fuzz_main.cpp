// libFuzzer's entry point for one target, chosen at build time: each
// fuzz_<name> binary is this file compiled with
// GNNREC_FUZZ_FUNCTION=gnnrec::fuzz::fuzz_<name> (tests/fuzz/CMakeLists.txt).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return GNNREC_FUZZ_FUNCTION(data, size);
}
