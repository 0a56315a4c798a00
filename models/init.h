// Parameter initialization from Philox: the same values on every backend for
// the same seed.
#pragma once

#include <cstdint>

#include "core/tensor.h"

namespace gnnrec {

// A (rows, cols) tensor of normal(0, std) values; `salt` tells apart several
// tensors drawn with one seed.
Tensor normal_init(std::int64_t rows, std::int64_t cols, float std, std::uint64_t seed,
                   std::uint32_t salt, Device device);

// A (rows, cols) tensor of uniform(-bound, bound) values, drawn like normal_init.
Tensor uniform_init(std::int64_t rows, std::int64_t cols, float bound, std::uint64_t seed,
                    std::uint32_t salt, Device device);

}  // namespace gnnrec
