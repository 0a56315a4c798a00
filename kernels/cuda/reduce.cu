// CUDA version of kernels/reduce.h (the math is there).
//
// sum: two passes of one kernel, with no atomics, so the result is the same
// bits on every run. Pass 1: up to kSumMaxBlocks blocks; each thread adds
// its grid-stride elements in float, the block combines its 256 values as a
// tree (warp shuffles, then the 8 warp sums in warp 0) and writes one
// partial sum. Pass 2: one block sums the partials into out[0]. The partials
// live in scratch from the caching allocator, handed back right after the
// launches: all work is on one stream, so the next user of that block runs
// after pass 2 (no cudaMalloc, no host synchronization).
//
// column_sum: a block covers 32 columns (one per lane, so a warp reads 32
// consecutive floats of a row) and a chunk of rows split among its 8 warps;
// the 8 per-warp sums are added in a fixed order through shared memory.
// With several row chunks, pass 1 writes one row of partial sums per chunk
// and pass 2 runs the same kernel over those partials with one chunk.
//
// sum_backward: one thread per element, reading dout[0] on the device.
#include "core/allocator.h"
#include "kernels/cuda/launch.cuh"
#include "kernels/reduce.h"

namespace gnnrec {
namespace {

using cuda::kBlockSize;
using cuda::kWarpSize;
using cuda::kWarpsPerBlock;

constexpr unsigned int kSumMaxBlocks = 1024;  // 262,144 threads: enough to fill any GPU
constexpr int kColumnsPerBlock = kWarpSize;
constexpr int kRowLanes = kBlockSize / kColumnsPerBlock;
constexpr std::int64_t kMinRowsPerChunk = 256;
constexpr std::int64_t kMaxRowChunks = 1024;

// Float scratch on the GPU, from the caching allocator, for one launcher.
class DeviceScratch {
 public:
  explicit DeviceScratch(std::size_t n_floats)
      : data_(
            static_cast<float*>(allocator_for(Device::cuda()).allocate(n_floats * sizeof(float)))) {
  }
  ~DeviceScratch() { allocator_for(Device::cuda()).release(data_); }
  DeviceScratch(const DeviceScratch&) = delete;
  DeviceScratch& operator=(const DeviceScratch&) = delete;
  float* data() const { return data_; }

 private:
  float* data_;
};

// The sum of `value` over the block, valid in thread 0. Needs blockDim.x == kBlockSize.
__device__ float block_sum(float value) {
  __shared__ float warp_sums[kWarpsPerBlock];
  const int lane = threadIdx.x % kWarpSize;
  const int warp = threadIdx.x / kWarpSize;
  value = cuda::warp_sum(value);
  if (lane == 0) warp_sums[warp] = value;
  __syncthreads();
  value = 0.0f;
  if (warp == 0) {
    if (lane < kWarpsPerBlock) value = warp_sums[lane];
    value = cuda::warp_sum(value);
  }
  return value;
}

// partial[blockIdx.x] = the sum of the x[i] this block's threads visit.
__global__ void sum_blocks_kernel(std::int64_t n, const float* x, float* partial) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  float acc = 0.0f;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    acc += x[i];
  }
  acc = block_sum(acc);
  if (threadIdx.x == 0) partial[blockIdx.x] = acc;
}

// out[blockIdx.y * n_cols + c] (+)= sum of x[r, c] over the rows of chunk blockIdx.y.
__global__ void column_sum_kernel(std::int64_t n_rows, std::int64_t n_cols,
                                  std::int64_t rows_per_chunk, const float* x, float* out,
                                  bool accumulate) {
  __shared__ float lane_sums[kRowLanes][kColumnsPerBlock];
  const int column_lane = threadIdx.x % kColumnsPerBlock;
  const int row_lane = threadIdx.x / kColumnsPerBlock;
  const std::int64_t c = static_cast<std::int64_t>(blockIdx.x) * kColumnsPerBlock + column_lane;
  const std::int64_t row_begin = static_cast<std::int64_t>(blockIdx.y) * rows_per_chunk;
  const std::int64_t row_end =
      row_begin + rows_per_chunk < n_rows ? row_begin + rows_per_chunk : n_rows;
  float acc = 0.0f;
  if (c < n_cols) {
    for (std::int64_t r = row_begin + row_lane; r < row_end; r += kRowLanes)
      acc += x[r * n_cols + c];
  }
  lane_sums[row_lane][column_lane] = acc;
  __syncthreads();
  if (row_lane == 0 && c < n_cols) {
    float column = lane_sums[0][column_lane];
    for (int k = 1; k < kRowLanes; ++k) column += lane_sums[k][column_lane];
    float* target = out + static_cast<std::int64_t>(blockIdx.y) * n_cols + c;
    *target = accumulate ? *target + column : column;
  }
}

void launch_column_sum(std::int64_t n_rows, std::int64_t n_cols, std::int64_t n_chunks,
                       std::int64_t rows_per_chunk, const float* x, float* out, bool accumulate) {
  const dim3 grid(cuda::blocks_for(n_cols, kColumnsPerBlock), static_cast<unsigned int>(n_chunks));
  column_sum_kernel<<<grid, kBlockSize, 0, cuda::stream()>>>(n_rows, n_cols, rows_per_chunk, x, out,
                                                             accumulate);
  CUDA_CHECK_LAUNCH();
}

}  // namespace

template <>
void sum<Cuda>(std::int64_t n, const float* x, float* out) {
  unsigned int blocks = cuda::blocks_for(n);  // at least 1: n == 0 writes 0
  if (blocks > kSumMaxBlocks) blocks = kSumMaxBlocks;
  if (blocks == 1) {
    sum_blocks_kernel<<<1, kBlockSize, 0, cuda::stream()>>>(n, x, out);
    CUDA_CHECK_LAUNCH();
    return;
  }
  DeviceScratch partial(blocks);
  sum_blocks_kernel<<<blocks, kBlockSize, 0, cuda::stream()>>>(n, x, partial.data());
  CUDA_CHECK_LAUNCH();
  sum_blocks_kernel<<<1, kBlockSize, 0, cuda::stream()>>>(blocks, partial.data(), out);
  CUDA_CHECK_LAUNCH();
}

template <>
void sum_backward<Cuda>(std::int64_t n, float scale, const float* dout, float* dx) {
  cuda::launch_map(n, [=] __device__(std::int64_t i) { dx[i] += scale * dout[0]; });
}

template <>
void column_sum<Cuda>(std::int64_t n_rows, std::int64_t n_cols, const float* x, float* out,
                      bool accumulate) {
  if (n_cols <= 0) return;
  // Chunks of at least kMinRowsPerChunk rows, at most kMaxRowChunks of them.
  std::int64_t rows_per_chunk = (n_rows + kMaxRowChunks - 1) / kMaxRowChunks;
  if (rows_per_chunk < kMinRowsPerChunk) rows_per_chunk = kMinRowsPerChunk;
  const std::int64_t n_chunks = (n_rows + rows_per_chunk - 1) / rows_per_chunk;
  if (n_chunks <= 1) {  // also n_rows == 0: out (+)= 0
    launch_column_sum(n_rows, n_cols, 1, rows_per_chunk, x, out, accumulate);
    return;
  }
  DeviceScratch partial(static_cast<std::size_t>(n_chunks * n_cols));  // (n_chunks, n_cols)
  launch_column_sum(n_rows, n_cols, n_chunks, rows_per_chunk, x, partial.data(), false);
  launch_column_sum(n_chunks, n_cols, 1, n_chunks, partial.data(), out, accumulate);
}

}  // namespace gnnrec
