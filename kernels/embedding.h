// Embedding rows: gather forward, scatter-add backward (DESIGN decision 5).
//
//   gather_rows:       out[i, :] = table[idx[i], :]          i < n_idx
//   scatter_add_rows:  dtable[idx[i], :] += dout[i, :]       (the backward of gather)
//
// Indices must lie in [0, n_table_rows); the op layer checks them where
// they come from (io/ and the samplers), kernels trust them.
// scatter_add_rows: the CPU adds in index order (deterministic); the GPU uses
// float atomicAdd, so repeated rows may differ from the CPU in the last bits
// (KERNELS.md section 6). Cost: 8·n_idx·dim bytes (+ 4·n_idx of indices).
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
