// Checkpoints: named tensors plus key/value metadata in one binary file that
// cannot be half-written and is never trusted blindly.
//
// Layout (little-endian):
//   magic "GNNRECKP"  u32 format version  u64 dataset fingerprint
//   u32 n_meta, then n_meta × (string key, string value)
//   u32 n_tensors, then n_tensors × (string name, u32 dtype, u32 ndim, i64 dims[ndim], data)
//   u64 FNV-1a 64 of every byte before it
// where a string is u32 length + bytes and dtype is 0 = f32, 1 = i32, 2 = i64
// (tensor names are unique). save_checkpoint writes it with
// write_file_atomically (temporary file, fsync, rename). load_checkpoint
// checks the magic, the version, every size against the bytes left, and the
// checksum, and throws an Error saying which failed ("truncated", "checksum
// mismatch", "not a gnnrec checkpoint") -- a damaged file is never loaded.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace gnnrec::io {

struct Checkpoint {
  std::uint64_t dataset_fingerprint = 0;
  std::map<std::string, std::string> meta;  // e.g. "model" -> "lightgcn", "epoch" -> "12"
  std::vector<std::pair<std::string, Tensor>> tensors;  // any device; saved from the host

  // The tensor called `name`; an Error naming the checkpoint's contents when absent.
  const Tensor& tensor(const std::string& name) const;
  // meta[key]; an Error when absent.
  const std::string& get(const std::string& key) const;
};

constexpr std::uint32_t kCheckpointVersion = 1;

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);

// Tensors come back on the CPU. `path` appears in every error message.
Checkpoint load_checkpoint(const std::string& path);

}  // namespace gnnrec::io
