// Where a tensor lives and where an op runs: the CPU or one CUDA GPU.
//
// probe_gpu() asks the CUDA runtime once whether a usable GPU exists and
// never crashes: without a driver it reports "no CUDA driver", without a
// device "no CUDA device", in a CPU-only build "built without CUDA".
// resolve_device() turns what a user typed (--device auto|cpu|cuda|cuda:N)
// into a Device, falling back to the CPU for "auto" and saying why.
#pragma once

#include <string>

namespace gnnrec {

enum class DeviceType { CPU, CUDA };

struct Device {
  DeviceType type = DeviceType::CPU;
  int index = 0;

  static Device cpu() { return {DeviceType::CPU, 0}; }
  static Device cuda(int index = 0) { return {DeviceType::CUDA, index}; }
  bool is_cpu() const { return type == DeviceType::CPU; }
  bool is_cuda() const { return type == DeviceType::CUDA; }
  std::string str() const;  // "cpu" or "cuda:0"
  bool operator==(const Device& other) const {
    return type == other.type && (type == DeviceType::CPU || index == other.index);
  }
  bool operator!=(const Device& other) const { return !(*this == other); }
};

struct GpuStatus {
  bool available = false;
  int n_devices = 0;
  std::string name;    // of device 0, e.g. "NVIDIA H100 80GB HBM3"
  std::string reason;  // why not available, e.g. "no CUDA driver (cudaErrorInsufficientDriver)"
};

// True when this binary contains the CUDA backend.
bool built_with_cuda();

// Asks once (the answer is cached) whether a usable GPU exists.
const GpuStatus& probe_gpu();

// "auto" -> cuda:0 when a GPU is usable, else cpu (logging the reason);
// "cpu"; "cuda" or "cuda:N" -> that GPU, or an Error naming the reason.
// Anything else is an Error listing the accepted names.
Device resolve_device(const std::string& request);

// Waits until all work queued on the device is done (no-op on the CPU).
void synchronize(Device device);

}  // namespace gnnrec
