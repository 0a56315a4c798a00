// CPU reference of kernels/gemm.h: C = alpha * op(A) * op(B) + beta * C,
// row-major, parallel over rows of C with OpenMP.
//
// Row i of C is built in a per-thread accumulator row, then combined with C:
//   op(B) = B:   i-k-j order, acc[:] += op(A)[i, k] * B[k, :]  (B's rows are
//                contiguous, so the inner loop over j vectorizes);
//   op(B) = Bᵀ:  acc[j] = dot(op(A)[i, :], B[j, :]), B's row j is contiguous.
// Then C[i, :] = alpha * acc + beta * C[i, :]; beta = 0 writes alpha * acc
// without reading C, so NaN or garbage already in C is ignored.
#include <vector>

#include "kernels/gemm.h"

namespace gnnrec {
namespace {

// op(A)[i, kk]: A is (m x k) as stored, or (k x m) when transposed.
inline float op_a_at(const float* a, bool trans_a, std::int64_t m, std::int64_t k, std::int64_t i,
                     std::int64_t kk) {
  return trans_a ? a[kk * m + i] : a[i * k + kk];
}

// acc (n) = op(A)[i, :] · op(B)
void gemm_row(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
              const float* a, const float* b, std::int64_t i, float* acc) {
  if (!trans_b) {
    for (std::int64_t j = 0; j < n; ++j) acc[j] = 0.0f;
    for (std::int64_t kk = 0; kk < k; ++kk) {
      const float a_ik = op_a_at(a, trans_a, m, k, i, kk);
      const float* b_row = b + kk * n;  // B (k x n)
      for (std::int64_t j = 0; j < n; ++j) acc[j] += a_ik * b_row[j];
    }
    return;
  }
  for (std::int64_t j = 0; j < n; ++j) {
    const float* b_row = b + j * k;  // B (n x k): op(B)[:, j] is B's row j
    float dot = 0.0f;
    if (!trans_a) {
      const float* a_row = a + i * k;
      // Both rows contiguous: let the compiler sum in SIMD lanes (a fixed
      // order for a given build, so results stay reproducible).
#pragma omp simd reduction(+ : dot)
      for (std::int64_t kk = 0; kk < k; ++kk) dot += a_row[kk] * b_row[kk];
    } else {
      for (std::int64_t kk = 0; kk < k; ++kk) dot += a[kk * m + i] * b_row[kk];
    }
    acc[j] = dot;
  }
}

}  // namespace

template <>
void gemm<Cpu>(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
               float alpha, const float* a, const float* b, float beta, float* c) {
  if (m <= 0 || n <= 0) return;
#pragma omp parallel
  {
    std::vector<float> acc(static_cast<std::size_t>(n));  // (n): one row of op(A)·op(B)
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < m; ++i) {
      gemm_row(trans_a, trans_b, m, n, k, a, b, i, acc.data());
      float* c_row = c + i * n;
      if (beta == 0.0f) {
        for (std::int64_t j = 0; j < n; ++j) c_row[j] = alpha * acc[j];
      } else {
        for (std::int64_t j = 0; j < n; ++j) c_row[j] = alpha * acc[j] + beta * c_row[j];
      }
    }
  }
}

}  // namespace gnnrec
