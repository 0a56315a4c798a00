// CUDA version of kernels/gemm.h: C = alpha * op(A) * op(B) + beta * C with
// row-major A, B, C, through cublasSgemm in FP32 (the context sets
// CUBLAS_DEFAULT_MATH: no TF32).
//
// cuBLAS is column-major, and a row-major (r x c) buffer is the column-major
// (c x r) matrix of its transpose. So we ask cuBLAS for
//   Cᵀ (n x m) = op(B)ᵀ (n x k) · op(A)ᵀ (k x m)
// passing B first and A second, with m and n swapped (KERNELS.md section 3):
//   B stored (k x n), not transposed: column-major view is op(B)ᵀ -> N, ldb = n
//   B stored (n x k), trans_b:        column-major view is op(B)   -> T, ldb = k
//   A stored (m x k), not transposed: column-major view is op(A)ᵀ -> N, lda = k
//   A stored (k x m), trans_a:        column-major view is op(A)   -> T, lda = m
//   C (m x n): ldc = n.
// cuBLAS documents that beta = 0 does not read C, so NaN in C is ignored.
#include <algorithm>
#include <climits>

#include "core/cuda_context.h"
#include "kernels/gemm.h"

namespace gnnrec {

template <>
void gemm<Cuda>(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                float alpha, const float* a, const float* b, float beta, float* c) {
  if (m <= 0 || n <= 0) return;
  GNNREC_CHECK(m <= INT_MAX && n <= INT_MAX && k <= INT_MAX,
               "gemm: shape (m, n, k) = (" << m << ", " << n << ", " << k
                                           << ") exceeds cuBLAS's 32-bit sizes");
  const int mi = static_cast<int>(m), ni = static_cast<int>(n), ki = static_cast<int>(k);
  // Leading dimensions must be >= 1 even when k = 0 (then C = beta * C).
  const int ldb = std::max(1, trans_b ? ki : ni);
  const int lda = std::max(1, trans_a ? mi : ki);
  CUBLAS_CHECK(cublasSgemm(cuda::cublas(), trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                           trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, ni, mi, ki, &alpha, b, ldb, a, lda,
                           &beta, c, ni));
}

}  // namespace gnnrec
