// Whole-file reads and atomic writes, and the FNV-1a hash the binary formats
// (graph cache, checkpoints) use as their checksum.
//
// write_file_atomically writes `bytes` to "<path>.tmp.<pid>", flushes it to
// the disk (fsync), renames it over `path` and syncs the directory: a reader
// sees the old file or the new one, never half of one, even when the process
// is killed in the middle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace gnnrec::io {

void write_file_atomically(const std::string& path, const std::string& bytes);

// The whole file; an Error naming the path when it cannot be read.
std::string read_file(const std::string& path);

bool file_exists(const std::string& path);

// Creates `dir` and its parents where missing; an Error when it cannot.
void make_directories(const std::string& dir);

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

}  // namespace gnnrec::io
