// FNV-1a 64: the checksum of the binary formats (graph cache, checkpoints)
// and the fingerprint of datasets and graphs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gnnrec {

constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

// FNV-1a 64 of `n` bytes, continuing from `hash` (start with kFnvOffset).
inline std::uint64_t fnv1a64(const void* data, std::size_t n, std::uint64_t hash = kFnvOffset) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    hash ^= bytes[i];
    hash *= kFnvPrime;
  }
  return hash;
}

}  // namespace gnnrec
