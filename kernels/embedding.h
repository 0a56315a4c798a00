// Embedding rows: gather forward, scatter-add backward (DESIGN decision 5).
//
//   gather_rows:       out[i, :] = table[idx[i], :]          i < n_idx
//   scatter_add_rows:  dtable[idx[i], :] += dout[i, :]       (the backward of gather)
//   gathered_row_dot:  out[i] = sum_c a[a_idx[i], c] * b[b_idx[i], c]   (a dot decoder)
//     backward:        da[a_idx[i], :] += dout[i] * b[b_idx[i], :]
//                      db[b_idx[i], :] += dout[i] * a[a_idx[i], :]    (da or db may be null)
//     = two gathers and row_dot (elementwise.h), fused: no gathered copies
//     of the rows nor gradients of them; on the CPU the same sums in the
//     same order as those three (row_dot's vectorized sum forward; each
//     table row's adds in i order backward, as scatter_add_rows), on the GPU
//     a warp sum forward and atomics backward.
//
// Indices must lie in [0, n_table_rows); the op layer checks them where
// they come from (io/ and the samplers), kernels trust them.
// scatter_add_rows: the CPU adds in index order (deterministic); the GPU uses
// float atomicAdd, so repeated rows may differ from the CPU in the last bits
// (KERNELS.md section 6).
// Cost (+ 4·n_idx bytes of indices): gather_rows 8·n_idx·dim bytes (read a
// table row, write an output row), no flops; scatter_add_rows 12·n_idx·dim
// bytes (read dout, read and write the table row) for n_idx·dim adds;
// gathered_row_dot 8·n_idx·dim bytes for 2·n_idx·dim flops, its backward
// 24·n_idx·dim bytes for 4·n_idx·dim flops (both gradients).
#pragma once

#include <cstdint>

#include "kernels/backend.h"

namespace gnnrec {

template <class Backend>
void gather_rows(std::int64_t n_idx, std::int64_t dim, const float* table, const std::int32_t* idx,
                 float* out);
template <class Backend>
void scatter_add_rows(std::int64_t n_idx, std::int64_t dim, const float* dout,
                      const std::int32_t* idx, float* dtable);
template <class Backend>
void gathered_row_dot(std::int64_t n_idx, std::int64_t dim, const float* a,
                      const std::int32_t* a_idx, const float* b, const std::int32_t* b_idx,
                      float* out);
template <class Backend>
void gathered_row_dot_backward(std::int64_t n_idx, std::int64_t dim, const float* dout,
                               const float* a, const std::int32_t* a_idx, const float* b,
                               const std::int32_t* b_idx, float* da, float* db);

}  // namespace gnnrec
