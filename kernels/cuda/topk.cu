// CUDA version of kernels/topk.h (the math is there).
//
// topk_rows: one warp per row (KERNELS.md section 4). Lane l scans columns
// l, l + 32, ... and keeps a sorted list (score descending) of its best
// candidates in registers: KCAP slots, KCAP in {32, 64, 128} the smallest
// >= k, with fully unrolled loops and compile-time indices so the list never
// goes to local memory. A column enters only when its score beats the lane's
// current k-th (so -inf and NaN never do); the insertion shifts the list by
// one slot with predicated moves. A lane meets its columns in increasing
// order, so within a lane "score greater" alone orders ties by column. Then
// k rounds of a warp arg-max over the lane heads (xor shuffles; score
// descending, then column ascending, the CPU comparator), where the winning
// lane pops its head. Same order as the CPU reference: identical outputs.
// ptxas (CUDA 13.0, sm_90): 111 / 207 registers for KCAP 32 / 64, no spills;
// KCAP 128 hits 255 and spills ~2.4 KB per thread (k > 64 is rare: fine).
//
// apply_row_mask: one warp per row, lanes striding over the row's mask
// entries, each writing -inf.
#include <cmath>
#include <cstdint>

#include "kernels/cuda/launch.cuh"
#include "kernels/topk.h"

namespace gnnrec {

namespace {

constexpr int kTopkWarpsPerBlock = 4;
constexpr int kTopkBlockSize = kTopkWarpsPerBlock * cuda::kWarpSize;
constexpr std::int32_t kEmptyIndex = 0x7fffffff;  // an empty slot: loses every tie

// Inserts (v, c) into the sorted lane list; requires v > value[k - 1].
// Returns the new k-th score (the lane's threshold).
template <int KCAP>
__device__ __forceinline__ float lane_list_insert(float (&value)[KCAP], std::int32_t (&index)[KCAP],
                                                  float v, std::int32_t c, int k) {
  float kth = value[KCAP - 1];
#pragma unroll
  for (int j = KCAP - 1; j >= 0; --j) {
    const int above = j > 0 ? j - 1 : 0;  // a compile-time index once unrolled
    if (j > 0 && v > value[above]) {      // slot j takes its upper neighbour
      value[j] = value[above];
      index[j] = index[above];
    } else if (v > value[j]) {  // v lands in slot j
      value[j] = v;
      index[j] = c;
    }
    if (j == k - 1) kth = value[j];
  }
  return kth;
}

// Drops the list's head, shifting the rest up.
template <int KCAP>
__device__ __forceinline__ void lane_list_pop(float (&value)[KCAP], std::int32_t (&index)[KCAP]) {
#pragma unroll
  for (int j = 0; j < KCAP - 1; ++j) {
    value[j] = value[j + 1];
    index[j] = index[j + 1];
  }
  value[KCAP - 1] = -INFINITY;
  index[KCAP - 1] = kEmptyIndex;
}

template <int KCAP>
__global__ void __launch_bounds__(kTopkBlockSize)
    topk_rows_kernel(std::int64_t n_rows, std::int64_t n_cols, std::int64_t ld,
                     const float* __restrict__ scores, int k, float* __restrict__ top_values,
                     std::int32_t* __restrict__ top_indices) {
  const int lane = static_cast<int>(threadIdx.x) % cuda::kWarpSize;
  const std::int64_t warps_in_grid = static_cast<std::int64_t>(gridDim.x) * kTopkWarpsPerBlock;
  for (std::int64_t r = static_cast<std::int64_t>(blockIdx.x) * kTopkWarpsPerBlock +
                        threadIdx.x / cuda::kWarpSize;
       r < n_rows; r += warps_in_grid) {
    float value[KCAP];
    std::int32_t index[KCAP];
#pragma unroll
    for (int j = 0; j < KCAP; ++j) {
      value[j] = -INFINITY;
      index[j] = kEmptyIndex;
    }

    // Phase 1: each lane keeps its best k of columns lane, lane + 32, ...
    // Four loads in flight per lane; the four values then rotate through
    // registers into one insertion site (a single copy of the unrolled list
    // code keeps the register count down), then the row's tail.
    const float* row = scores + r * ld;
    float kth = -INFINITY;
    std::int64_t c = lane;
    for (; c + 3 * cuda::kWarpSize < n_cols; c += 4 * cuda::kWarpSize) {
      float v0 = row[c], v1 = row[c + cuda::kWarpSize], v2 = row[c + 2 * cuda::kWarpSize],
            v3 = row[c + 3 * cuda::kWarpSize];
#pragma unroll 1
      for (int u = 0; u < 4; ++u) {
        if (v0 > kth) {
          kth = lane_list_insert(value, index, v0,
                                 static_cast<std::int32_t>(c + u * cuda::kWarpSize), k);
        }
        v0 = v1;
        v1 = v2;
        v2 = v3;
      }
    }
    for (; c < n_cols; c += cuda::kWarpSize) {
      const float v = row[c];
      if (v > kth) kth = lane_list_insert(value, index, v, static_cast<std::int32_t>(c), k);
    }

    // Phase 2: k rounds of warp arg-max over the lane heads.
    for (int round = 0; round < k; ++round) {
      float best_value = value[0];
      std::int32_t best_index = index[0];
#pragma unroll
      for (int offset = cuda::kWarpSize / 2; offset > 0; offset /= 2) {
        const float other_value = __shfl_xor_sync(0xffffffffu, best_value, offset);
        const std::int32_t other_index = __shfl_xor_sync(0xffffffffu, best_index, offset);
        if (other_value > best_value || (other_value == best_value && other_index < best_index)) {
          best_value = other_value;
          best_index = other_index;
        }
      }
      if (best_index == kEmptyIndex) {  // every list is empty (warp-uniform): pad the rest
        for (int j = round + lane; j < k; j += cuda::kWarpSize) {
          top_values[r * k + j] = -INFINITY;
          top_indices[r * k + j] = -1;
        }
        break;
      }
      if (lane == 0) {
        top_values[r * k + round] = best_value;
        top_indices[r * k + round] = best_index;
      }
      if (index[0] == best_index) lane_list_pop(value, index);
    }
  }
}

template <int KCAP>
void launch_topk(std::int64_t n_rows, std::int64_t n_cols, std::int64_t ld, const float* scores,
                 int k, float* top_values, std::int32_t* top_indices) {
  unsigned int blocks = cuda::blocks_for(n_rows, kTopkWarpsPerBlock);
  if (blocks > cuda::kMaxMapBlocks) blocks = cuda::kMaxMapBlocks;
  topk_rows_kernel<KCAP><<<blocks, kTopkBlockSize, 0, cuda::stream()>>>(n_rows, n_cols, ld, scores,
                                                                        k, top_values, top_indices);
  CUDA_CHECK_LAUNCH();
}

}  // namespace

template <>
void apply_row_mask<Cuda>(std::int64_t n_rows, std::int64_t ld, const CsrView& mask,
                          std::int32_t row_offset, float* scores) {
  check_row_mask_arguments(n_rows, ld, mask, row_offset);
  const CsrView m = mask;  // device pointers, captured by value
  cuda::launch_warp_rows(n_rows, [=] __device__(std::int64_t r, int lane) {
    const std::int32_t mask_row = row_offset + static_cast<std::int32_t>(r);
    const std::int32_t end = m.row_ptr[mask_row + 1];
    for (std::int32_t p = m.row_ptr[mask_row] + lane; p < end; p += cuda::kWarpSize) {
      scores[r * ld + m.col_idx[p]] = -INFINITY;
    }
  });
}

template <>
void topk_rows<Cuda>(std::int64_t n_rows, std::int64_t n_cols, std::int64_t ld, const float* scores,
                     int k, float* top_values, std::int32_t* top_indices) {
  GNNREC_CHECK(k >= 1 && k <= kMaxTopK,
               "topk_rows: k = " << k << " outside [1, " << kMaxTopK << "]");
  GNNREC_CHECK(ld >= n_cols, "topk_rows: ld " << ld << " < n_cols " << n_cols);
  if (n_rows <= 0) return;
  static_assert(kMaxTopK <= 128, "topk_rows<Cuda> instantiates list capacities up to 128");
  if (k <= 32) {
    launch_topk<32>(n_rows, n_cols, ld, scores, k, top_values, top_indices);
  } else if (k <= 64) {
    launch_topk<64>(n_rows, n_cols, ld, scores, k, top_values, top_indices);
  } else {
    launch_topk<128>(n_rows, n_cols, ld, scores, k, top_values, top_indices);
  }
}

}  // namespace gnnrec
