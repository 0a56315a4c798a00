// Whole-file reads and atomic writes (the binary formats' checksum,
// FNV-1a 64, is in core/hash.h).
//
// write_file_atomically writes `bytes` to "<path>.tmp.<pid>", flushes it to
// the disk (fsync), renames it over `path` and syncs the directory: a reader
// sees the old file or the new one, never half of one, even when the process
// is killed in the middle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/hash.h"

namespace gnnrec::io {

void write_file_atomically(const std::string& path, const std::string& bytes);

// The whole file; an Error naming the path when it cannot be read.
std::string read_file(const std::string& path);

bool file_exists(const std::string& path);

// Creates `dir` and its parents where missing; an Error when it cannot.
void make_directories(const std::string& dir);

// Deletes the "<name>.tmp.<pid>" files a killed write_file_atomically left in
// `dir` (never a finished file). Returns how many it deleted.
int remove_unfinished_writes(const std::string& dir);

}  // namespace gnnrec::io
