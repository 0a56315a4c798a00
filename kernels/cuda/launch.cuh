// Launch helpers shared by the CUDA kernels.
//
//   launch_map(n, f)        runs f(i) for every i < n, one thread per index
//                           (grid-stride), on the compute stream. f is a
//                           __device__ lambda that captures raw pointers.
//   launch_warp_rows(n, f)  runs f(row, lane) with one warp per row.
//
// Both check the launch (CUDA_CHECK_LAUNCH). Warp helpers: warp_sum.
#pragma once

#include <cstdint>

#include "core/cuda_context.h"

namespace gnnrec::cuda {

constexpr int kWarpSize = 32;
constexpr int kWarpsPerBlock = kBlockSize / kWarpSize;

template <class F>
__global__ void map_kernel(std::int64_t n, F f) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    f(i);
  }
}

// At most this many blocks for a grid-stride map: enough to fill any GPU.
constexpr unsigned int kMaxMapBlocks = 65535u;

template <class F>
void launch_map(std::int64_t n, F f) {
  if (n <= 0) return;
  unsigned int blocks = blocks_for(n);
  if (blocks > kMaxMapBlocks) blocks = kMaxMapBlocks;
  map_kernel<<<blocks, kBlockSize, 0, stream()>>>(n, f);
  CUDA_CHECK_LAUNCH();
}

template <class F>
__global__ void warp_rows_kernel(std::int64_t n_rows, F f) {
  const std::int64_t warps_in_grid = static_cast<std::int64_t>(gridDim.x) * kWarpsPerBlock;
  const int lane = threadIdx.x % kWarpSize;
  for (std::int64_t row =
           static_cast<std::int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / kWarpSize;
       row < n_rows; row += warps_in_grid) {
    f(row, lane);
  }
}

template <class F>
void launch_warp_rows(std::int64_t n_rows, F f) {
  if (n_rows <= 0) return;
  unsigned int blocks = blocks_for(n_rows, kWarpsPerBlock);
  if (blocks > kMaxMapBlocks) blocks = kMaxMapBlocks;
  warp_rows_kernel<<<blocks, kBlockSize, 0, stream()>>>(n_rows, f);
  CUDA_CHECK_LAUNCH();
}

// The sum of `value` over the 32 lanes, returned to every lane
// (a butterfly of xor shuffles: the same order on every lane).
__device__ inline float warp_sum(float value) {
  for (int offset = kWarpSize / 2; offset > 0; offset /= 2) {
    value += __shfl_xor_sync(0xffffffffu, value, offset);
  }
  return value;
}

}  // namespace gnnrec::cuda
