// Top-K per row of a score matrix, with a mask: full-ranking evaluation
// (DESIGN decision 7, KERNELS.md section 4).
//
//   apply_row_mask:  scores[r, c] = -inf for every c in row (row_offset + r)
//                    of `mask` (the training items of a chunk of users)
//   topk_rows:       for each row r, the k largest scores, ordered by score
//                    descending, then column ascending (ties): values and
//                    column indices. -inf and NaN are never selected (+inf
//                    is a score like any other). Rows with fewer than k
//                    candidates end with value -inf and index -1.
//
// scores is (n_rows, ld) with ld >= n_cols (padding columns are ignored).
// Supports 1 <= k <= kMaxTopK. CPU: one pass per row keeping the best k in the
// same order.
// CUDA: one warp per row; each lane keeps a sorted list of its best k in
// registers, then k rounds of warp arg-max merge them.
// Cost: topk_rows reads the scores once and writes the results:
// 4·n_rows·n_cols + 8·n_rows·k bytes, one compare per score (+ the inserts).
// score_topk_rows: 2·n_rows·n_cols·dim flops; bytes 4·(n_rows·dim + nnz +
// n_rows) + 8·n_rows·k, plus 4·n_cols·dim read once per block of users.
// apply_row_mask reads the mask rows and writes -inf at each entry:
// 4·(n_rows + 1) + 8·nnz bytes (nnz of those rows; each write touches a whole
// cache line or 32-byte sector), no flops.
#pragma once

#include <cstdint>

#include "core/csr.h"
#include "kernels/backend.h"

namespace gnnrec {

constexpr int kMaxTopK = 128;

// The rows [row_offset, row_offset + n_rows) must exist in the mask and its
// columns fit in ld; both backends check this before touching scores.
inline void check_row_mask_arguments(std::int64_t n_rows, std::int64_t ld, const CsrView& mask,
                                     std::int32_t row_offset) {
  GNNREC_CHECK(row_offset >= 0 && row_offset + n_rows <= mask.n_rows,
               "apply_row_mask: rows [" << row_offset << ", " << row_offset + n_rows
                                        << ") outside the mask's " << mask.n_rows << " rows");
  GNNREC_CHECK(mask.n_cols <= ld,
               "apply_row_mask: mask has " << mask.n_cols << " columns, scores only ld " << ld);
}

template <class Backend>
void apply_row_mask(std::int64_t n_rows, std::int64_t ld, const CsrView& mask,
                    std::int32_t row_offset, float* scores);

// score_topk_rows: topk_rows of the masked scores S = U·Iᵀ (users U (n_rows,
// dim), items I (n_cols, dim), both row-major), the mask's rows row_offset ..
// row_offset + n_rows - 1 as in apply_row_mask, without S in memory. The
// scores are computed exactly as gemm computes them, so the result equals
// gemm + apply_row_mask + topk_rows. CPU only: the GPU evaluates a chunk of
// users with those three (its scores fit its memory and bandwidth); the CPU
// would write and re-read every score through main memory.
template <class Backend>
void score_topk_rows(std::int64_t n_rows, std::int64_t n_cols, std::int64_t dim, const float* users,
                     const float* items, const CsrView& mask, std::int32_t row_offset, int k,
                     float* top_values, std::int32_t* top_indices);

template <class Backend>
void topk_rows(std::int64_t n_rows, std::int64_t n_cols, std::int64_t ld, const float* scores,
               int k, float* top_values, std::int32_t* top_indices);

}  // namespace gnnrec
