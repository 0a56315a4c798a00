// Embedding rows: gather forward, scatter-add backward (DESIGN decision 5).
//
//   gather_rows:       out[i, :] = table[idx[i], :]          i < n_idx
//   scatter_add_rows:  dtable[idx[i], :] += dout[i, :]       (the backward of gather)
//
// Indices must lie in [0, n_table_rows); the op layer checks them where
// they come from (io/ and the samplers), kernels trust them.
// scatter_add_rows: the CPU adds in index order (deterministic); the GPU uses
// float atomicAdd, so repeated rows may differ from the CPU in the last bits
// (KERNELS.md section 6).
// Cost (+ 4·n_idx bytes of indices): gather_rows 8·n_idx·dim bytes (read a
// table row, write an output row), no flops; scatter_add_rows 12·n_idx·dim
// bytes (read dout, read and write the table row) for n_idx·dim adds.
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

}  // namespace gnnrec
