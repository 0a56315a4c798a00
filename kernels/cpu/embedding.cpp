// CPU reference of kernels/embedding.h (the math is there).
//
// gather_rows: OpenMP over the output rows, a contiguous copy per row.
// scatter_add_rows: repeated indices make a plain parallel loop over i a
// race. Instead each thread owns the table rows r with r % n_threads ==
// thread and walks all of idx in order, adding only into its own rows; so
// every table row receives its adds in index order, exactly as the serial
// loop would (the same bits for any thread count), with no atomics.
// gathered_row_dot: forward over i like row_dot; its backward scatters as
// scatter_add_rows does, each thread into the rows it owns.
#include <omp.h>

#include "kernels/embedding.h"

#include "kernels/cpu/parallel.h"

namespace gnnrec {

template <>
void gather_rows<Cpu>(std::int64_t n_idx, std::int64_t dim, const float* table,
                      const std::int32_t* idx, float* out) {
#pragma omp parallel for schedule(dynamic,                      \
                                  cpu::kPieceRows) if (parallel \
                                                       : n_idx * dim >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n_idx; ++i) {
    const float* table_row = table + static_cast<std::int64_t>(idx[i]) * dim;
    float* out_row = out + i * dim;
#pragma omp simd
    for (std::int64_t c = 0; c < dim; ++c) out_row[c] = table_row[c];
  }
}

template <>
void scatter_add_rows<Cpu>(std::int64_t n_idx, std::int64_t dim, const float* dout,
                           const std::int32_t* idx, float* dtable) {
#pragma omp parallel if (parallel : n_idx * dim >= cpu::kMinParallelElements)
  {
    const std::int32_t n_threads = omp_get_num_threads();
    const std::int32_t thread = omp_get_thread_num();
    for (std::int64_t i = 0; i < n_idx; ++i) {
      if (idx[i] % n_threads != thread) continue;
      const float* dout_row = dout + i * dim;
      float* dtable_row = dtable + static_cast<std::int64_t>(idx[i]) * dim;
#pragma omp simd
      for (std::int64_t c = 0; c < dim; ++c) dtable_row[c] += dout_row[c];
    }
  }
}

template <>
void gathered_row_dot<Cpu>(std::int64_t n_idx, std::int64_t dim, const float* a,
                           const std::int32_t* a_idx, const float* b, const std::int32_t* b_idx,
                           float* out) {
#pragma omp parallel for schedule(dynamic,                      \
                                  cpu::kPieceRows) if (parallel \
                                                       : n_idx * dim >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n_idx; ++i) {
    const float* a_row = a + static_cast<std::int64_t>(a_idx[i]) * dim;
    const float* b_row = b + static_cast<std::int64_t>(b_idx[i]) * dim;
    float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
    for (std::int64_t c = 0; c < dim; ++c) acc += a_row[c] * b_row[c];
    out[i] = acc;
  }
}

template <>
void gathered_row_dot_backward<Cpu>(std::int64_t n_idx, std::int64_t dim, const float* dout,
                                    const float* a, const std::int32_t* a_idx, const float* b,
                                    const std::int32_t* b_idx, float* da, float* db) {
#pragma omp parallel if (parallel : n_idx * dim >= cpu::kMinParallelElements)
  {
    const std::int32_t n_threads = omp_get_num_threads();
    const std::int32_t thread = omp_get_thread_num();
    // dx[x_idx[i], :] += dout[i] * y[y_idx[i], :] for the rows this thread owns.
    auto scatter = [&](float* dx, const std::int32_t* x_idx, const float* y,
                       const std::int32_t* y_idx) {
      for (std::int64_t i = 0; i < n_idx; ++i) {
        if (x_idx[i] % n_threads != thread) continue;
        const float g = dout[i];
        const float* y_row = y + static_cast<std::int64_t>(y_idx[i]) * dim;
        float* dx_row = dx + static_cast<std::int64_t>(x_idx[i]) * dim;
#pragma omp simd
        for (std::int64_t c = 0; c < dim; ++c) dx_row[c] += g * y_row[c];
      }
    };
    if (da) scatter(da, a_idx, b, b_idx);
    if (db) scatter(db, b_idx, a, a_idx);
  }
}

}  // namespace gnnrec
