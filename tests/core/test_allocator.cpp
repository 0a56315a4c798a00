// The caching allocator: the cache logic runs the same on both devices, so
// most of it is checked here with counting fake raw functions; the device
// allocators are then checked for the property training relies on -- a loop
// whose shapes repeat makes no system allocation after its first pass.
#include <cstdlib>
#include <vector>

#include "core/allocator.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

int n_fake_allocs = 0;
int n_fake_frees = 0;
std::size_t fake_limit = ~std::size_t(0);  // raw allocations above this fail
std::size_t fake_live_bytes = 0;
std::vector<std::pair<void*, std::size_t>> fake_blocks;

void* fake_alloc(std::size_t bytes) {
  if (fake_live_bytes + bytes > fake_limit) return nullptr;
  ++n_fake_allocs;
  fake_live_bytes += bytes;
  void* p = std::malloc(bytes);
  fake_blocks.emplace_back(p, bytes);
  return p;
}

void fake_free(void* p) {
  ++n_fake_frees;
  for (auto it = fake_blocks.begin(); it != fake_blocks.end(); ++it) {
    if (it->first == p) {
      fake_live_bytes -= it->second;
      fake_blocks.erase(it);
      break;
    }
  }
  std::free(p);
}

class AllocatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    n_fake_allocs = n_fake_frees = 0;
    fake_limit = ~std::size_t(0);
    fake_live_bytes = 0;
    fake_blocks.clear();
  }
};

TEST_F(AllocatorTest, RoundsSmallTo512BytesAndLargeTo2MiB) {
  EXPECT_EQ(CachingAllocator::round_size(1), 512u);
  EXPECT_EQ(CachingAllocator::round_size(512), 512u);
  EXPECT_EQ(CachingAllocator::round_size(513), 1024u);
  EXPECT_EQ(CachingAllocator::round_size((1u << 20) + 1), 2u << 20);
  EXPECT_EQ(CachingAllocator::round_size(5u << 20), 6u << 20);
}

TEST_F(AllocatorTest, ReleasedBlockIsReusedWithoutSystemCall) {
  CachingAllocator alloc(Device::cpu(), fake_alloc, fake_free);
  void* a = alloc.allocate(1000);
  alloc.release(a);
  void* b = alloc.allocate(900);  // same 1024-byte class
  EXPECT_EQ(a, b);
  EXPECT_EQ(n_fake_allocs, 1);
  AllocatorStats s = alloc.stats();
  EXPECT_EQ(s.n_requests, 2);
  EXPECT_EQ(s.n_cache_hits, 1);
  EXPECT_EQ(s.bytes_in_use, 1024u);
  alloc.release(b);
}

TEST_F(AllocatorTest, DoesNotHandOutBlocksMoreThanTwiceTooLarge) {
  CachingAllocator alloc(Device::cpu(), fake_alloc, fake_free);
  void* big = alloc.allocate(8192);
  alloc.release(big);
  void* small = alloc.allocate(512);
  EXPECT_NE(big, small);
  EXPECT_EQ(n_fake_allocs, 2);
  alloc.release(small);
}

TEST_F(AllocatorTest, RepeatedStepsAllocateNothingAfterTheFirst) {
  CachingAllocator alloc(Device::cpu(), fake_alloc, fake_free);
  const std::vector<std::size_t> step_sizes = {4096, 100, 3u << 20, 4096, 777, 64u << 10};
  auto run_step = [&] {
    std::vector<void*> live;
    for (std::size_t bytes : step_sizes) live.push_back(alloc.allocate(bytes));
    for (void* p : live) alloc.release(p);
  };
  run_step();
  int after_first = n_fake_allocs;
  for (int step = 0; step < 5; ++step) run_step();
  EXPECT_EQ(n_fake_allocs, after_first);
  EXPECT_EQ(alloc.stats().bytes_in_use, 0u);
}

TEST_F(AllocatorTest, PeakTracksTheLargestLiveSet) {
  CachingAllocator alloc(Device::cpu(), fake_alloc, fake_free);
  void* a = alloc.allocate(512);
  void* b = alloc.allocate(1024);
  alloc.release(a);
  alloc.release(b);
  EXPECT_EQ(alloc.stats().peak_bytes_in_use, 1536u);
  alloc.reset_peak();
  EXPECT_EQ(alloc.stats().peak_bytes_in_use, 0u);
}

TEST_F(AllocatorTest, EmptiesTheCacheAndRetriesBeforeGivingUp) {
  fake_limit = 4096;
  CachingAllocator alloc(Device::cpu(), fake_alloc, fake_free);
  void* a = alloc.allocate(3000);  // 3072 bytes, cached after release
  alloc.release(a);
  // The cached 3072-byte block is too small for 4096 bytes, and the limit
  // leaves no room beside it: the allocator must free its cache and retry.
  void* b = alloc.allocate(4000);
  EXPECT_NE(b, nullptr);
  EXPECT_EQ(n_fake_frees, 1);
  alloc.release(b);
}

TEST_F(AllocatorTest, OutOfMemoryNamesSizeAndDevice) {
  fake_limit = 1024;
  CachingAllocator alloc(Device::cpu(), fake_alloc, fake_free);
  try {
    alloc.allocate(std::size_t(3) << 30);
    FAIL() << "expected OutOfMemory";
  } catch (const OutOfMemory& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("out of memory on cpu"), std::string::npos) << message;
    EXPECT_NE(message.find("3072.0 MiB"), std::string::npos) << message;
  }
}

TEST_F(AllocatorTest, ZeroBytesAndForeignPointersAreHarmless) {
  CachingAllocator alloc(Device::cpu(), fake_alloc, fake_free);
  EXPECT_EQ(alloc.allocate(0), nullptr);
  alloc.release(nullptr);
  int on_stack = 0;
  alloc.release(&on_stack);  // not ours: ignored, never freed
  EXPECT_EQ(n_fake_frees, 0);
}

// On each real device: tensors of a repeating shape come from the cache.
class DeviceAllocatorTest : public testing::DeviceTest {};

TEST_P(DeviceAllocatorTest, TensorLoopMakesNoSystemAllocationsAfterFirstPass) {
  CachingAllocator& alloc = allocator_for(device());
  auto pass = [&] {
    Tensor a = Tensor::zeros({1000, 64}, DType::F32, device());
    Tensor b = Tensor::zeros({31, 17}, DType::I32, device());
    Tensor c = a.clone();
  };
  pass();
  std::int64_t before = alloc.stats().n_system_allocs;
  for (int i = 0; i < 3; ++i) pass();
  EXPECT_EQ(alloc.stats().n_system_allocs, before);
}

GNNREC_INSTANTIATE_DEVICE_TESTS(DeviceAllocatorTest);

}  // namespace
}  // namespace gnnrec
