// CUDA version of kernels/spmm.h: Y = A·X with A in CSR (the math is there).
//
// WarpPerRow (ours, KERNELS.md section 2): one warp per row of A. Lane l owns
// the output columns l*V + 32*V*t + v of each column block (V = 1, 2 or 4
// floats per load, T tiles per lane). The warp reads the row's (col, val)
// pairs 32 at a time -- one coalesced load per lane -- and broadcasts pair j
// to all lanes with __shfl_sync; every lane then adds val_j * X[col_j, its
// columns]. Each output is summed by one thread, in CSR order, with plain
// `acc += val * x` (built with --fmad=false: a rounded multiply, then a
// rounded add), exactly as spmm_row does on the CPU: the results are
// bit-equal. Deterministic, no atomics, no shared memory.
//   V = 4 when dim % 128 == 0 and X, Y are 16-byte aligned (float4 loads),
//   V = 2 when dim % 64 == 0 and 8-byte aligned, else V = 1 (any dim, with a
//   bounds check per column). Wider rows loop over column blocks of 32*V*T.
//
// CusparseAlg2 / CusparseAlg3: cusparseSpMM on 32-bit CSR and row-major dense
// matrices (KERNELS.md section 1). Y is zeroed first (whether beta = 0 ignores
// NaN in Y is unverified); the work buffer comes from the caching allocator.
// cuSPARSE needs explicit values: a CsrView with values == nullptr is refused.
#include <cstdint>

#include "core/allocator.h"
#include "core/cuda_context.h"
#include "kernels/cuda/launch.cuh"
#include "kernels/elementwise.h"
#include "kernels/spmm.h"

namespace gnnrec {
namespace {

constexpr unsigned int kFullMask = 0xffffffffu;

template <int kVec>
struct VecOf;
template <>
struct VecOf<1> {
  using Type = float;
};
template <>
struct VecOf<2> {
  using Type = float2;
};
template <>
struct VecOf<4> {
  using Type = float4;
};

// acc[0..kVec) += value * x[0..kVec), component by component.
__device__ inline void add_scaled_vec(float* acc, float value, float x) { acc[0] += value * x; }
__device__ inline void add_scaled_vec(float* acc, float value, float2 x) {
  acc[0] += value * x.x;
  acc[1] += value * x.y;
}
__device__ inline void add_scaled_vec(float* acc, float value, float4 x) {
  acc[0] += value * x.x;
  acc[1] += value * x.y;
  acc[2] += value * x.z;
  acc[3] += value * x.w;
}

__device__ inline void store_vec(float* y, const float* acc, float) { y[0] = acc[0]; }
__device__ inline void store_vec(float* y, const float* acc, float2) {
  *reinterpret_cast<float2*>(y) = make_float2(acc[0], acc[1]);
}
__device__ inline void store_vec(float* y, const float* acc, float4) {
  *reinterpret_cast<float4*>(y) = make_float4(acc[0], acc[1], acc[2], acc[3]);
}

// Y = A·X, one warp per row (grid-stride over rows). kVec floats per load,
// kTiles loads per lane per column block; kChecked guards columns >= dim
// (needed only when dim is not a multiple of the block width 32*kVec*kTiles).
// No __launch_bounds__: with it ptxas aims at full occupancy (32 registers)
// and spills the accumulators of the generic variant.
template <int kVec, int kTiles, bool kChecked>
__global__ void spmm_warp_per_row_kernel(CsrView a, const float* __restrict__ x, std::int64_t dim,
                                         float* __restrict__ y) {
  using Vec = typename VecOf<kVec>::Type;
  constexpr int kBlockWidth = cuda::kWarpSize * kVec * kTiles;
  const int lane = threadIdx.x % cuda::kWarpSize;
  const std::int64_t warps_in_grid = static_cast<std::int64_t>(gridDim.x) * cuda::kWarpsPerBlock;
  for (std::int64_t row = static_cast<std::int64_t>(blockIdx.x) * cuda::kWarpsPerBlock +
                          threadIdx.x / cuda::kWarpSize;
       row < a.n_rows; row += warps_in_grid) {
    const std::int32_t row_begin = a.row_ptr[row];
    const std::int32_t row_end = a.row_ptr[row + 1];
    for (std::int64_t block = 0; block < dim; block += kBlockWidth) {
      float acc[kTiles][kVec] = {};
      for (std::int32_t base = row_begin; base < row_end; base += cuda::kWarpSize) {
        // One coalesced load of up to 32 (col, val) pairs, a pair per lane.
        const std::int32_t p = base + lane;
        std::int32_t my_col = 0;
        float my_val = 0.0f;
        if (p < row_end) {
          my_col = a.col_idx[p];
          my_val = a.values ? a.values[p] : 1.0f;
        }
        const int n_pairs = min(cuda::kWarpSize, row_end - base);  // the same on every lane
#pragma unroll 4
        for (int j = 0; j < n_pairs; ++j) {
          const std::int32_t col = __shfl_sync(kFullMask, my_col, j);
          const float value = __shfl_sync(kFullMask, my_val, j);
          const float* x_row = x + static_cast<std::int64_t>(col) * dim + block;
#pragma unroll
          for (int t = 0; t < kTiles; ++t) {
            const int c = (t * cuda::kWarpSize + lane) * kVec;  // within the block
            if (!kChecked || block + c < dim) {
              add_scaled_vec(acc[t], value, *reinterpret_cast<const Vec*>(x_row + c));
            }
          }
        }
      }
      float* y_row = y + row * dim + block;
#pragma unroll
      for (int t = 0; t < kTiles; ++t) {
        const int c = (t * cuda::kWarpSize + lane) * kVec;
        if (!kChecked || block + c < dim) store_vec(y_row + c, acc[t], Vec{});
      }
    }
  }
}

template <int kVec, int kTiles, bool kChecked>
void launch_warp_per_row(const CsrView& a, const float* x, std::int64_t dim, float* y) {
  unsigned int blocks = cuda::blocks_for(a.n_rows, cuda::kWarpsPerBlock);
  if (blocks > cuda::kMaxMapBlocks) blocks = cuda::kMaxMapBlocks;
  spmm_warp_per_row_kernel<kVec, kTiles, kChecked>
      <<<blocks, cuda::kBlockSize, 0, cuda::stream()>>>(a, x, dim, y);
  CUDA_CHECK_LAUNCH();
}

bool aligned_to(const void* ptr, std::uintptr_t bytes) {
  return reinterpret_cast<std::uintptr_t>(ptr) % bytes == 0;
}

void spmm_warp_per_row(const CsrView& a, const float* x, std::int64_t dim, float* y) {
  if (dim % 128 == 0 && aligned_to(x, 16) && aligned_to(y, 16)) {
    launch_warp_per_row<4, 1, false>(a, x, dim, y);
  } else if (dim % 64 == 0 && aligned_to(x, 8) && aligned_to(y, 8)) {
    launch_warp_per_row<2, 1, false>(a, x, dim, y);
  } else {
    launch_warp_per_row<1, 2, true>(a, x, dim, y);
  }
}

// Owners of cuSPARSE descriptors and of the work buffer, so an exception
// in between leaks nothing. Destroying a descriptor only frees host memory.
struct SpMatGuard {
  cusparseConstSpMatDescr_t descr = nullptr;
  ~SpMatGuard() {
    if (descr) (void)cusparseDestroySpMat(descr);
  }
};
struct DnMatGuard {
  cusparseConstDnMatDescr_t descr = nullptr;
  ~DnMatGuard() {
    if (descr) (void)cusparseDestroyDnMat(descr);
  }
};
struct MutDnMatGuard {
  cusparseDnMatDescr_t descr = nullptr;
  ~MutDnMatGuard() {
    if (descr) (void)cusparseDestroyDnMat(descr);
  }
};
// Released to the cache right after the SpMM is queued: all work runs on
// one stream, so the next user of the block runs after this SpMM.
struct DeviceScratch {
  void* ptr = nullptr;
  explicit DeviceScratch(std::size_t bytes) : ptr(allocator_for(Device::cuda()).allocate(bytes)) {}
  ~DeviceScratch() { allocator_for(Device::cuda()).release(ptr); }
  DeviceScratch(const DeviceScratch&) = delete;
  DeviceScratch& operator=(const DeviceScratch&) = delete;
};

void spmm_cusparse(const CsrView& a, const float* x, std::int64_t dim, float* y,
                   cusparseSpMMAlg_t alg, SpmmAlgo algo) {
  GNNREC_CHECK(a.values != nullptr,
               "spmm_csr(" << spmm_algo_name(algo)
                           << "): cuSPARSE needs explicit CSR values, but the CsrView has "
                              "values == nullptr (all ones); use SpmmAlgo::WarpPerRow or pass "
                              "a values array");
  CUDA_CHECK(cudaMemsetAsync(y, 0, static_cast<std::size_t>(a.n_rows) * dim * sizeof(float),
                             cuda::stream()));
  if (a.nnz == 0) return;
  SpMatGuard mat_a;
  DnMatGuard mat_x;
  MutDnMatGuard mat_y;
  CUSPARSE_CHECK(cusparseCreateConstCsr(&mat_a.descr, a.n_rows, a.n_cols, a.nnz, a.row_ptr,
                                        a.col_idx, a.values, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I,
                                        CUSPARSE_INDEX_BASE_ZERO, CUDA_R_32F));
  CUSPARSE_CHECK(cusparseCreateConstDnMat(&mat_x.descr, a.n_cols, dim, dim, x, CUDA_R_32F,
                                          CUSPARSE_ORDER_ROW));
  CUSPARSE_CHECK(
      cusparseCreateDnMat(&mat_y.descr, a.n_rows, dim, dim, y, CUDA_R_32F, CUSPARSE_ORDER_ROW));
  const float alpha = 1.0f, beta = 0.0f;  // host pointer mode (the default)
  std::size_t buffer_bytes = 0;
  CUSPARSE_CHECK(cusparseSpMM_bufferSize(
      cuda::cusparse(), CUSPARSE_OPERATION_NON_TRANSPOSE, CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha,
      mat_a.descr, mat_x.descr, &beta, mat_y.descr, CUDA_R_32F, alg, &buffer_bytes));
  DeviceScratch buffer(buffer_bytes);
  CUSPARSE_CHECK(cusparseSpMM(cuda::cusparse(), CUSPARSE_OPERATION_NON_TRANSPOSE,
                              CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, mat_a.descr, mat_x.descr,
                              &beta, mat_y.descr, CUDA_R_32F, alg, buffer.ptr));
}

}  // namespace

template <>
void spmm_csr<Cuda>(const CsrView& a, const float* x, std::int64_t dim, float* y, SpmmAlgo algo) {
  if (a.n_rows <= 0 || dim <= 0) return;
  switch (algo) {
    case SpmmAlgo::WarpPerRow:
      spmm_warp_per_row(a, x, dim, y);
      return;
    case SpmmAlgo::CusparseAlg2:
      spmm_cusparse(a, x, dim, y, CUSPARSE_SPMM_CSR_ALG2, algo);
      return;
    case SpmmAlgo::CusparseAlg3:
      spmm_cusparse(a, x, dim, y, CUSPARSE_SPMM_CSR_ALG3, algo);
      return;
  }
  GNNREC_FAIL("spmm_csr: unknown SpmmAlgo " << static_cast<int>(algo));
}

// Y = A·X, then Y = a_scale·Y + z_scale·Z in place: two launches, the
// second the weighted_sum kernel (each element read before it is written).
template <>
void spmm_csr_add<Cuda>(const CsrView& a, const float* x, std::int64_t dim, float a_scale,
                        const float* z, float z_scale, float* y, SpmmAlgo algo) {
  if (a.n_rows <= 0 || dim <= 0) return;
  spmm_csr<Cuda>(a, x, dim, y, algo);
  WeightedInputs y_and_z{};
  y_and_z.x[0] = y;
  y_and_z.weight[0] = a_scale;
  y_and_z.x[1] = z;
  y_and_z.weight[1] = z_scale;
  y_and_z.count = 2;
  weighted_sum<Cuda>(static_cast<std::int64_t>(a.n_rows) * dim, y_and_z, y);
}

}  // namespace gnnrec
