// A caching allocator, one per device.
//
// Freed blocks go to a cache, not back to the system, and the next request
// of a similar size takes one from there; so after its first step a training
// loop whose shapes repeat asks the system (cudaMalloc, or aligned_alloc on
// the CPU) for nothing. The counters in AllocatorStats let tests check that.
//
// The cache is the same code for both devices: only the two raw functions
// differ. On the GPU this is safe without events because all work runs on
// one stream (core/cuda_context.h): a block freed by one op and handed to
// the next is reused in stream order.
//
// Rounding: requests under 1 MiB round up to 512 B, larger ones to 2 MiB.
// A cached block serves a request when it is at least as large and at most
// twice as large. When the system refuses, the cache is emptied and the
// request retried once; then OutOfMemory names the size, the device and
// what was in use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/device.h"

namespace gnnrec {

struct AllocatorStats {
  std::int64_t n_system_allocs = 0;  // calls to the raw (system) allocator
  std::int64_t n_system_frees = 0;
  std::int64_t n_requests = 0;    // allocate() calls
  std::int64_t n_cache_hits = 0;  // requests served from the cache
  std::size_t bytes_in_use = 0;   // handed out and not yet released
  std::size_t bytes_cached = 0;   // held in the cache, free
  std::size_t peak_bytes_in_use = 0;
};

class CachingAllocator {
 public:
  using RawAlloc = void* (*)(std::size_t bytes);  // nullptr when out of memory
  using RawFree = void (*)(void* ptr);

  CachingAllocator(Device device, RawAlloc raw_alloc, RawFree raw_free);
  ~CachingAllocator();
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  void* allocate(std::size_t bytes);  // nullptr for 0 bytes
  void release(void* ptr);            // back to the cache
  void empty_cache();                 // return every cached block to the system
  AllocatorStats stats() const;
  void reset_peak();

  static std::size_t round_size(std::size_t bytes);

 private:
  Device device_;
  RawAlloc raw_alloc_;
  RawFree raw_free_;
  mutable std::mutex mutex_;
  std::multimap<std::size_t, void*> free_blocks_;       // size -> block
  std::unordered_map<void*, std::size_t> live_blocks_;  // block -> size
  AllocatorStats stats_;

  void empty_cache_locked();
};

// The allocator that backs tensors on `device`.
CachingAllocator& allocator_for(Device device);

}  // namespace gnnrec
