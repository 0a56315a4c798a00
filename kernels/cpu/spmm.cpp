// CPU reference of kernels/spmm.h: Y = A·X with A in CSR. Rows of Y are
// independent, so OpenMP splits them over threads (dynamic chunks: row
// lengths are skewed in real graphs); each row is the shared body spmm_row,
// which sums in CSR order -- the order the CUDA WarpPerRow kernel uses too.
// The CPU has one algorithm; `algo` only selects among the CUDA ones.
// spmm_csr_add's rows are spmm_add_row: Z is added while the row is in cache.
#include <type_traits>

#include "kernels/spmm.h"

namespace gnnrec {

const char* spmm_algo_name(SpmmAlgo algo) {
  switch (algo) {
    case SpmmAlgo::WarpPerRow:
      return "warp_per_row";
    case SpmmAlgo::CusparseAlg2:
      return "cusparse_alg2";
    case SpmmAlgo::CusparseAlg3:
      return "cusparse_alg3";
  }
  return "unknown";
}

namespace {

// A dim of 32, 64 (the models' default) or 128 as a compile-time constant
// (kernels/spmm.h, spmm_row), else as it is.
template <class RowsFn>
void with_dim(std::int64_t dim, RowsFn rows_fn) {
  if (dim == 64) {
    rows_fn(std::integral_constant<std::int64_t, 64>{});
  } else if (dim == 32) {
    rows_fn(std::integral_constant<std::int64_t, 32>{});
  } else if (dim == 128) {
    rows_fn(std::integral_constant<std::int64_t, 128>{});
  } else {
    rows_fn(dim);
  }
}

}  // namespace

template <>
void spmm_csr<Cpu>(const CsrView& a, const float* x, std::int64_t dim, float* y,
                   SpmmAlgo /*algo*/) {
  with_dim(dim, [&](auto width) {
#pragma omp parallel for schedule(dynamic, 64)
    for (std::int32_t row = 0; row < a.n_rows; ++row) {
      spmm_row(a, row, x, width, y + static_cast<std::int64_t>(row) * dim);
    }
  });
}

template <>
void spmm_csr_add<Cpu>(const CsrView& a, const float* x, std::int64_t dim, float a_scale,
                       const float* z, float z_scale, float* y, SpmmAlgo /*algo*/) {
  with_dim(dim, [&](auto width) {
#pragma omp parallel for schedule(dynamic, 64)
    for (std::int32_t row = 0; row < a.n_rows; ++row) {
      const std::int64_t offset = static_cast<std::int64_t>(row) * dim;
      spmm_add_row(a, row, x, width, a_scale, z + offset, z_scale, y + offset);
    }
  });
}

}  // namespace gnnrec
