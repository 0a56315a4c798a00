// Device detection and the --device names: never a crash, always a reason.
#include "core/device.h"
#include "core/error.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

TEST(DeviceProbe, ProbeNeverThrowsAndExplainsAMissingGpu) {
  const GpuStatus& gpu = probe_gpu();
  if (gpu.available) {
    EXPECT_GE(gpu.n_devices, 1);
    EXPECT_FALSE(gpu.name.empty());
  } else {
    EXPECT_FALSE(gpu.reason.empty());
  }
  EXPECT_EQ(&gpu, &probe_gpu());  // asked once, cached
}

TEST(DeviceProbe, AutoFallsBackToCpuWithoutAGpu) {
  Device d = resolve_device("auto");
  EXPECT_EQ(d.is_cuda(), probe_gpu().available);
}

TEST(DeviceProbe, CpuIsAlwaysAvailable) { EXPECT_EQ(resolve_device("cpu"), Device::cpu()); }

TEST(DeviceProbe, UnknownDeviceNameIsOneClearError) {
  for (const char* name : {"gpu", "cuda:", "cuda:x", "tpu", "", "CPU", "cuda:-1"}) {
    try {
      resolve_device(name);
      FAIL() << "no error for '" << name << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("unknown device '" + std::string(name) + "'"),
                std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("expected auto, cpu, cuda or cuda:N"),
                std::string::npos);
    }
  }
}

TEST(DeviceProbe, CudaWithoutGpuNamesTheReason) {
  if (probe_gpu().available) GTEST_SKIP() << "a GPU is present; this checks the no-GPU message";
  try {
    resolve_device("cuda");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(probe_gpu().reason), std::string::npos) << e.what();
  }
}

TEST(DeviceProbe, DeviceNames) {
  EXPECT_EQ(Device::cpu().str(), "cpu");
  EXPECT_EQ(Device::cuda(0).str(), "cuda:0");
  EXPECT_NE(Device::cpu(), Device::cuda(0));
}

// GNNREC_REQUIRE_GPU=1 turns a GPU test's skip into a failure (issue 7).
TEST(GpuTestPolicy, RequireGpuTurnsSkipIntoFailure) {
  GpuStatus missing;
  missing.available = false;
  missing.reason = "no CUDA driver (cudaErrorInsufficientDriver)";
  EXPECT_EQ(testing::gpu_test_action(missing, false), testing::GpuTestAction::Skip);
  EXPECT_EQ(testing::gpu_test_action(missing, true), testing::GpuTestAction::Fail);
  GpuStatus present;
  present.available = true;
  EXPECT_EQ(testing::gpu_test_action(present, false), testing::GpuTestAction::Run);
  EXPECT_EQ(testing::gpu_test_action(present, true), testing::GpuTestAction::Run);
}

}  // namespace
}  // namespace gnnrec
