// Shared test helpers.
//
// Backend-parameterized tests (STYLE habit 15): derive a fixture from
// DeviceTest and instantiate it with GNNREC_INSTANTIATE_DEVICE_TESTS; every
// test body then runs on the CPU and on the GPU. Where no GPU is usable the
// GPU half calls GTEST_SKIP() with the reason -- or fails with it when
// GNNREC_REQUIRE_GPU=1 is set (the GPU machine's suite proves nothing skipped).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/device.h"
#include "core/tensor.h"

namespace gnnrec {
// How GoogleTest prints a Device parameter ("cpu", "cuda:0").
inline void PrintTo(const Device& device, std::ostream* os) { *os << device.str(); }
}  // namespace gnnrec

namespace gnnrec::testing {

// What a GPU test does where it finds `gpu`: run, skip, or fail.
enum class GpuTestAction { Run, Skip, Fail };
GpuTestAction gpu_test_action(const GpuStatus& gpu, bool require_gpu);
bool require_gpu_from_env();  // GNNREC_REQUIRE_GPU=1

// The devices every kernel test runs on: the CPU and cuda:0.
std::vector<Device> test_devices();
std::string device_test_name(const ::testing::TestParamInfo<Device>& info);

// For a GPU test: skips (or fails) unless a GPU is usable. Use as
//   GNNREC_REQUIRE_DEVICE(device);
// at the top of a test (it returns from the test body when skipping).
#define GNNREC_REQUIRE_DEVICE(device)                                                          \
  do {                                                                                         \
    if ((device).is_cuda()) {                                                                  \
      const ::gnnrec::GpuStatus& gnnrec_gpu_ = ::gnnrec::probe_gpu();                          \
      switch (::gnnrec::testing::gpu_test_action(gnnrec_gpu_,                                  \
                                                 ::gnnrec::testing::require_gpu_from_env())) { \
        case ::gnnrec::testing::GpuTestAction::Run:                                            \
          break;                                                                               \
        case ::gnnrec::testing::GpuTestAction::Skip:                                           \
          GTEST_SKIP() << "no usable GPU: " << gnnrec_gpu_.reason;                             \
        case ::gnnrec::testing::GpuTestAction::Fail:                                           \
          FAIL() << "GNNREC_REQUIRE_GPU=1 but no usable GPU: " << gnnrec_gpu_.reason;          \
      }                                                                                        \
    }                                                                                          \
  } while (0)

class DeviceTest : public ::testing::TestWithParam<Device> {
 protected:
  void SetUp() override { GNNREC_REQUIRE_DEVICE(GetParam()); }
  Device device() const { return GetParam(); }
};

#define GNNREC_INSTANTIATE_DEVICE_TESTS(Fixture)                                   \
  INSTANTIATE_TEST_SUITE_P(Backends, Fixture,                                      \
                           ::testing::ValuesIn(::gnnrec::testing::test_devices()), \
                           ::gnnrec::testing::device_test_name)

// ---- Random inputs (never zeros) -------------------------------------------
std::vector<float> random_floats(std::int64_t n, std::uint64_t seed, float lo = -1.0f,
                                 float hi = 1.0f);
std::vector<std::int32_t> random_ints(std::int64_t n, std::uint64_t seed, std::int32_t lo,
                                      std::int32_t hi);  // in [lo, hi)
Tensor random_tensor(const Shape& shape, std::uint64_t seed, Device device, float lo = -1.0f,
                     float hi = 1.0f);

// ---- Comparisons -------------------------------------------------------------
// Every element must satisfy |got - ref| <= atol + rtol * |ref| (STYLE habit
// 8); prints the first mismatches with their index. Non-finite values must
// match exactly (NaN with NaN, inf with inf of the same sign).
::testing::AssertionResult all_close(const std::vector<float>& got, const std::vector<float>& ref,
                                     float atol, float rtol);
#define EXPECT_ALL_CLOSE(got, ref, atol, rtol) \
  EXPECT_TRUE(::gnnrec::testing::all_close((got), (ref), (atol), (rtol)))

// Sizes every kernel test covers: ragged row counts and widths.
inline const std::vector<std::int64_t>& test_row_counts() {
  static const std::vector<std::int64_t> rows = {1, 31, 1000};
  return rows;
}
inline const std::vector<std::int64_t>& test_widths() {
  static const std::vector<std::int64_t> widths = {1, 17, 64};
  return widths;
}

// Path of a dataset under ../shared/datasets (from the source tree), or ""
// when it is absent; tests that need it GTEST_SKIP with a message.
std::string shared_dataset_path(const std::string& relative);

}  // namespace gnnrec::testing
