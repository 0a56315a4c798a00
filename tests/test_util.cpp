#include "tests/test_util.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>

namespace gnnrec::testing {

GpuTestAction gpu_test_action(const GpuStatus& gpu, bool require_gpu) {
  if (gpu.available) return GpuTestAction::Run;
  return require_gpu ? GpuTestAction::Fail : GpuTestAction::Skip;
}

bool require_gpu_from_env() {
  const char* value = std::getenv("GNNREC_REQUIRE_GPU");
  return value != nullptr && std::string(value) == "1";
}

std::vector<Device> test_devices() { return {Device::cpu(), Device::cuda(0)}; }

std::string device_test_name(const ::testing::TestParamInfo<Device>& info) {
  return info.param.is_cpu() ? "Cpu" : "Cuda";
}

std::vector<float> random_floats(std::int64_t n, std::uint64_t seed, float lo, float hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> values(static_cast<std::size_t>(n));
  for (float& v : values) {
    do {
      v = dist(rng);
    } while (v == 0.0f);
  }
  return values;
}

std::vector<std::int32_t> random_ints(std::int64_t n, std::uint64_t seed, std::int32_t lo,
                                      std::int32_t hi) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int32_t> dist(lo, hi - 1);
  std::vector<std::int32_t> values(static_cast<std::size_t>(n));
  for (std::int32_t& v : values) v = dist(rng);
  return values;
}

Tensor random_tensor(const Shape& shape, std::uint64_t seed, Device device, float lo, float hi) {
  std::int64_t n = 1;
  for (std::int64_t extent : shape) n *= extent;
  return Tensor::from_vector(random_floats(n, seed, lo, hi), shape, device);
}

::testing::AssertionResult all_close(const std::vector<float>& got, const std::vector<float>& ref,
                                     float atol, float rtol) {
  if (got.size() != ref.size()) {
    return ::testing::AssertionFailure()
           << "sizes differ: got " << got.size() << ", reference " << ref.size();
  }
  std::ostringstream report;
  std::size_t n_bad = 0;
  double worst = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    bool ok;
    if (!std::isfinite(ref[i]) || !std::isfinite(got[i])) {
      ok = (std::isnan(ref[i]) && std::isnan(got[i])) || got[i] == ref[i];
    } else {
      double diff = std::fabs(static_cast<double>(got[i]) - ref[i]);
      ok = diff <= atol + rtol * std::fabs(ref[i]);
      worst = std::max(worst, diff);
    }
    if (!ok && ++n_bad <= 5) {
      report << "\n  [" << i << "] got " << got[i] << ", reference " << ref[i];
    }
  }
  if (n_bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << n_bad << " of " << got.size() << " elements differ (atol " << atol << ", rtol " << rtol
         << ", largest difference " << worst << "):" << report.str();
}

std::string shared_dataset_path(const std::string& relative) {
  namespace fs = std::filesystem;
  for (fs::path base : {fs::path(GNNREC_SOURCE_DIR) / ".." / "shared" / "datasets",
                        fs::path(GNNREC_SOURCE_DIR) / ".gpu" / "datasets"}) {
    fs::path candidate = base / relative;
    if (fs::exists(candidate)) return candidate.lexically_normal().string();
  }
  return "";
}

}  // namespace gnnrec::testing
