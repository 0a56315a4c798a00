#include "core/device.h"

#include <cstdlib>

#include "core/error.h"
#include "core/log.h"

#if GNNREC_WITH_CUDA
#include <cuda_runtime.h>

#include "core/cuda_check.h"
#endif

namespace gnnrec {

std::string Device::str() const {
  return is_cpu() ? std::string("cpu") : "cuda:" + std::to_string(index);
}

bool built_with_cuda() { return GNNREC_WITH_CUDA != 0; }

namespace {

GpuStatus probe_gpu_uncached() {
  GpuStatus status;
#if GNNREC_WITH_CUDA
  // cudaGetDeviceCount is the one call that is safe without a driver: it
  // returns cudaErrorInsufficientDriver (35) or cudaErrorNoDevice (100).
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky-free error state
    if (err == cudaErrorInsufficientDriver) {
      status.reason = "no CUDA driver (cudaErrorInsufficientDriver)";
    } else if (err == cudaErrorNoDevice) {
      status.reason = "no CUDA device (cudaErrorNoDevice)";
    } else {
      status.reason = std::string("CUDA runtime unusable: ") + cudaGetErrorString(err) + " (" +
                      cudaGetErrorName(err) + ")";
    }
    return status;
  }
  if (count == 0) {
    status.reason = "no CUDA device";
    return status;
  }
  cudaDeviceProp prop{};
  err = cudaGetDeviceProperties(&prop, 0);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();
    status.reason = std::string("cannot query CUDA device 0: ") + cudaGetErrorString(err);
    return status;
  }
  status.available = true;
  status.n_devices = count;
  status.name = prop.name;
#else
  status.reason = "this gnnrec was built without CUDA (GNNREC_CUDA=OFF)";
#endif
  return status;
}

}  // namespace

const GpuStatus& probe_gpu() {
  static const GpuStatus status = probe_gpu_uncached();
  return status;
}

Device resolve_device(const std::string& request) {
  if (request == "cpu") return Device::cpu();
  if (request == "auto") {
    const GpuStatus& gpu = probe_gpu();
    if (gpu.available) return Device::cuda(0);
    log_info("device: using the CPU (" + gpu.reason + ")");
    return Device::cpu();
  }
  int index = -1;
  if (request == "cuda") {
    index = 0;
  } else if (request.rfind("cuda:", 0) == 0 && request.size() > 5 &&
             request.find_first_not_of("0123456789", 5) == std::string::npos &&
             request.size() < 9) {
    index = std::atoi(request.c_str() + 5);
  }
  GNNREC_CHECK(index >= 0,
               "unknown device '" << request << "': expected auto, cpu, cuda or cuda:N");
  const GpuStatus& gpu = probe_gpu();
  GNNREC_CHECK(gpu.available,
               "device '" << request << "' requested but no GPU is usable: " << gpu.reason);
  GNNREC_CHECK(index < gpu.n_devices, "device '" << request << "' requested but only "
                                                 << gpu.n_devices << " CUDA device(s) exist");
  GNNREC_CHECK(index == 0, "device '" << request
                                      << "': gnnrec uses one GPU, cuda:0 (set "
                                         "CUDA_VISIBLE_DEVICES to pick another)");
  return Device::cuda(index);
}

void synchronize(Device device) {
#if GNNREC_WITH_CUDA
  if (device.is_cuda()) CUDA_CHECK(cudaDeviceSynchronize());
#else
  (void)device;
#endif
}

}  // namespace gnnrec
