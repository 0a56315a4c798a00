// Sparse times dense: message passing (DESIGN decision 4).
//
//   Y = A·X,  A in CSR (n_rows x n_cols, nnz), X (n_cols, dim), Y (n_rows, dim), row-major
//   forward:  Y[i, :] = sum_{p in row i} val[p] * X[col[p], :]   (in CSR order)
//   backward: dX = Aᵀ·dY. A gets no gradient. The caller passes Aᵀ as its
//             own CSR (built once): LightGCN's D^-1/2 A D^-1/2 is symmetric,
//             so Aᵀ = A; SAGE's row-normalized mean is not.
//
// Y is overwritten. Algorithms (CUDA; the CPU has one, the row loop below):
//   WarpPerRow    ours: one warp per row, lanes own columns, the row's
//                 (col, val) pairs read 32 at a time and broadcast by shuffle;
//                 sums each output in CSR order, so bit-equal to the CPU loop.
//   CusparseAlg2  cusparseSpMM with CUSPARSE_SPMM_CSR_ALG2 (row-major fast path).
//   CusparseAlg3  CUSPARSE_SPMM_CSR_ALG3 (documented bit-reproducible).
//
// spmm_csr_add: Y = a_scale·(A·X) + z_scale·Z, Z (n_rows, dim) not Y: one
// step of a sum of powers of A by Horner's rule (LightGCN's layer mean,
// ag::propagation_mean), with Z added while Y's row is still in cache instead
// of in another pass. The CPU runs spmm_add_row per row; CUDA runs spmm_csr
// and then weighted_sum over (Y, Z), the same per-element formula.
//
// Cost: 2·nnz·dim flops. Bytes: CSR (4·(n_rows + 1) + 8·nnz) + Y (4·n_rows·dim)
// + X gathers: 4·n_cols·dim when X stays in cache, up to 4·nnz·dim when not.
// bench/ counts the lower bound (X read once). Variants and their timings: bench/.
// spmm_csr_add adds 3·n_rows·dim flops and reads Z (4·n_rows·dim bytes).
#pragma once

#include <cstdint>

#include "core/csr.h"
#include "core/hd.h"
#include "kernels/backend.h"

namespace gnnrec {

enum class SpmmAlgo { WarpPerRow, CusparseAlg2, CusparseAlg3 };
const char* spmm_algo_name(SpmmAlgo algo);

// How many entries ahead the CPU prefetches the row of X it will gather.
constexpr std::int32_t kSpmmPrefetchDistance = 8;

// One output row, in CSR order: the textbook body (DESIGN decision 10). On
// the CPU the rows of X are gathered from all over the table, and each
// entry first asks for the row kSpmmPrefetchDistance entries ahead, so that
// several cache misses are in flight at once instead of one.
// `Dim` is std::int64_t, or a std::integral_constant: the CPU passes a dim of
// 32, 64 or 128 as a constant, so that the row of Y stays in vector
// registers through the whole row of A instead of being loaded and stored
// at every entry (Gowalla, 1 thread: dim 32 12.4 -> 8.1 ms, 64 25.4 -> 16.8,
// 128 55 -> 38).
template <class Dim>
GNNREC_HD inline void spmm_row(const CsrView& a, std::int32_t row, const float* x, Dim dim,
                               float* __restrict__ y_row) {
  for (std::int64_t c = 0; c < dim; ++c) y_row[c] = 0.0f;
  const std::int32_t end = a.row_ptr[row + 1];
  for (std::int32_t p = a.row_ptr[row]; p < end; ++p) {
#if !defined(__CUDA_ARCH__)
    if (p + kSpmmPrefetchDistance < end) {
      const char* ahead = reinterpret_cast<const char*>(
          x + static_cast<std::int64_t>(a.col_idx[p + kSpmmPrefetchDistance]) * dim);
      for (std::int64_t byte = 0; byte < dim * 4; byte += 64) __builtin_prefetch(ahead + byte);
    }
#endif
    const float value = a.values ? a.values[p] : 1.0f;
    const float* x_row = x + static_cast<std::int64_t>(a.col_idx[p]) * dim;
    for (std::int64_t c = 0; c < dim; ++c) y_row[c] += value * x_row[c];
  }
}

template <class Backend>
void spmm_csr(const CsrView& a, const float* x, std::int64_t dim, float* y,
              SpmmAlgo algo = SpmmAlgo::WarpPerRow);

// One output row of spmm_csr_add: the row of A·X, then scaled and Z's row added.
template <class Dim>
GNNREC_HD inline void spmm_add_row(const CsrView& a, std::int32_t row, const float* x, Dim dim,
                                   float a_scale, const float* z_row, float z_scale,
                                   float* __restrict__ y_row) {
  spmm_row(a, row, x, dim, y_row);
  for (std::int64_t c = 0; c < dim; ++c) y_row[c] = a_scale * y_row[c] + z_scale * z_row[c];
}

template <class Backend>
void spmm_csr_add(const CsrView& a, const float* x, std::int64_t dim, float a_scale, const float* z,
                  float z_scale, float* y, SpmmAlgo algo = SpmmAlgo::WarpPerRow);

}  // namespace gnnrec
