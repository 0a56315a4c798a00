// gnnrec_info: what this build of gnnrec can use -- the backends it was
// built with and whether a GPU is usable (and if not, why). Exits 0 when a
// GPU is usable, 2 when not, so scripts can ask it.
#include <cstdio>

#include "core/device.h"

int main() {
  const gnnrec::GpuStatus& gpu = gnnrec::probe_gpu();
  std::printf("built with CUDA: %s\n", gnnrec::built_with_cuda() ? "yes" : "no");
  if (gpu.available) {
    std::printf("GPU: %s (%d device%s)\n", gpu.name.c_str(), gpu.n_devices,
                gpu.n_devices == 1 ? "" : "s");
    return 0;
  }
  std::printf("GPU: none (%s)\n", gpu.reason.c_str());
  return 2;
}
