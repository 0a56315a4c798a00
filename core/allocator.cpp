#include "core/allocator.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/error.h"

#if GNNREC_WITH_CUDA
#include "core/cuda_context.h"
#endif

namespace gnnrec {
namespace {

constexpr std::size_t kSmallLimit = std::size_t(1) << 20;  // 1 MiB
constexpr std::size_t kSmallRound = 512;
constexpr std::size_t kLargeRound = std::size_t(2) << 20;  // 2 MiB

std::string mib(std::size_t bytes) {
  std::ostringstream out;
  out.precision(1);
  out << std::fixed << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MiB";
  return out.str();
}

// MemAvailable from /proc/meminfo (what the kernel can hand out without
// swapping), or 0 when unknown.
std::size_t available_host_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::size_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

// A large request beyond the memory available is refused here (nullptr:
// the allocator reports it) rather than granted by overcommit and paid for
// later by the kernel's OOM killer, which would end the run without a word.
constexpr std::size_t kCheckAvailableFrom = std::size_t(256) << 20;

void* cpu_raw_alloc(std::size_t bytes) {
  if (bytes >= kCheckAvailableFrom) {
    const std::size_t available = available_host_bytes();
    if (available != 0 && bytes > available) return nullptr;
  }
  return std::aligned_alloc(64, bytes);
}
void cpu_raw_free(void* ptr) { std::free(ptr); }

}  // namespace

CachingAllocator::CachingAllocator(Device device, RawAlloc raw_alloc, RawFree raw_free)
    : device_(device), raw_alloc_(raw_alloc), raw_free_(raw_free) {}

CachingAllocator::~CachingAllocator() {
  std::lock_guard<std::mutex> lock(mutex_);
  empty_cache_locked();
}

std::size_t CachingAllocator::round_size(std::size_t bytes) {
  std::size_t unit = bytes < kSmallLimit ? kSmallRound : kLargeRound;
  return (bytes + unit - 1) / unit * unit;
}

void* CachingAllocator::allocate(std::size_t bytes) {
  if (bytes == 0) return nullptr;
  std::size_t size = round_size(bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  ++stats_.n_requests;

  void* ptr = nullptr;
  auto it = free_blocks_.lower_bound(size);
  if (it != free_blocks_.end() && it->first <= 2 * size) {
    size = it->first;
    ptr = it->second;
    free_blocks_.erase(it);
    stats_.bytes_cached -= size;
    ++stats_.n_cache_hits;
  } else {
    ptr = raw_alloc_(size);
    if (ptr == nullptr && !free_blocks_.empty()) {
      empty_cache_locked();
      ptr = raw_alloc_(size);
    }
    if (ptr == nullptr) {
      std::ostringstream message;
      message << "out of memory on " << device_.str() << ": could not allocate " << mib(size)
              << " (" << mib(stats_.bytes_in_use) << " already in use by gnnrec";
      if (device_.is_cpu()) message << ", " << mib(available_host_bytes()) << " available";
      message << ")";
      throw OutOfMemory(message.str(), "core/allocator.cpp");
    }
    ++stats_.n_system_allocs;
  }
  live_blocks_.emplace(ptr, size);
  stats_.bytes_in_use += size;
  if (stats_.bytes_in_use > stats_.peak_bytes_in_use) {
    stats_.peak_bytes_in_use = stats_.bytes_in_use;
  }
  return ptr;
}

void CachingAllocator::release(void* ptr) {
  if (ptr == nullptr) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = live_blocks_.find(ptr);
  if (it == live_blocks_.end()) return;  // not ours: never free what we did not allocate
  std::size_t size = it->second;
  live_blocks_.erase(it);
  stats_.bytes_in_use -= size;
  stats_.bytes_cached += size;
  free_blocks_.emplace(size, ptr);
}

void CachingAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mutex_);
  empty_cache_locked();
}

void CachingAllocator::empty_cache_locked() {
  for (auto& [size, ptr] : free_blocks_) {
    raw_free_(ptr);
    ++stats_.n_system_frees;
  }
  free_blocks_.clear();
  stats_.bytes_cached = 0;
}

AllocatorStats CachingAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void CachingAllocator::reset_peak() {
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.peak_bytes_in_use = stats_.bytes_in_use;
}

CachingAllocator& allocator_for(Device device) {
  // Never destroyed: a tensor in a static object may be released after any
  // static allocator would be, and device memory cannot be freed after the
  // driver has shut down at process exit.
  if (device.is_cpu()) {
    static CachingAllocator* cpu_allocator =
        new CachingAllocator(Device::cpu(), cpu_raw_alloc, cpu_raw_free);
    return *cpu_allocator;
  }
#if GNNREC_WITH_CUDA
  static CachingAllocator* cuda_allocator =
      new CachingAllocator(Device::cuda(0), cuda::raw_alloc, cuda::raw_free);
  return *cuda_allocator;
#else
  GNNREC_FAIL("a CUDA tensor was requested but this gnnrec was built without CUDA");
#endif
}

}  // namespace gnnrec
