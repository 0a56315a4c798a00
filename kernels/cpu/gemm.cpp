// CPU reference of kernels/gemm.h: C = alpha * op(A) * op(B) + beta * C,
// row-major, with OpenMP. Every case is brought to one inner loop that the
// compiler vectorizes: a row of C accumulated as
//   acc[j] += op(A)[i, kk] * B'[kk, j]       (B' row-major k x n, contiguous in j)
//
//   op(B) = B:   B' = B.
//   op(B) = Bᵀ:  B' = Bᵀ, transposed once into a buffer (k·n floats; e.g.
//                the (64 x 40,981) item table of an evaluation chunk).
//   op(A) = Aᵀ with a small C (m·n <= kSmallOutput: a weight gradient
//                dW = dYᵀ·X over many rows k): rows of k are cut into fixed
//                chunks of kRowsPerChunk; each chunk's rank-1 updates
//                sum_kk A[kk, :]ᵀ ⊗ B'[kk, :] go into its own partial C, in
//                parallel, and the partials are added in chunk order. The
//                chunks do not depend on the thread count, so neither does
//                the result.
//   op(A) = Aᵀ otherwise: A is transposed once into a buffer.
// Rows of C are split over threads and each row is summed in kk order, so
// those results do not depend on the thread count either. C is computed in
// tiles of kRowBlock x kColumnBlock: a row's accumulator stays in L1 and the
// tile's block of B' in L2.
// Then C[i, :] = alpha * acc + beta * C[i, :]; beta = 0 writes alpha * acc
// without reading C, so NaN or garbage already in C is ignored.
#include <algorithm>
#include <vector>

#include "kernels/gemm.h"

namespace gnnrec {
namespace {

constexpr std::int64_t kColumnBlock = 512;
constexpr std::int64_t kRowBlock = 64;
constexpr std::int64_t kSmallOutput = std::int64_t(1) << 16;
constexpr std::int64_t kRowsPerChunk = 256;

// dst (cols x rows) = src (rows x cols)ᵀ.
std::vector<float> transposed(const float* src, std::int64_t rows, std::int64_t cols) {
  std::vector<float> dst(static_cast<std::size_t>(rows * cols));
#pragma omp parallel for schedule(static)
  for (std::int64_t c = 0; c < cols; ++c) {
    for (std::int64_t r = 0; r < rows; ++r)
      dst[static_cast<std::size_t>(c * rows + r)] = src[r * cols + c];
  }
  return dst;
}

void write_row(float alpha, const float* acc, float beta, std::int64_t n, float* c_row) {
  if (beta == 0.0f) {
    for (std::int64_t j = 0; j < n; ++j) c_row[j] = alpha * acc[j];
  } else {
    for (std::int64_t j = 0; j < n; ++j) c_row[j] = alpha * acc[j] + beta * c_row[j];
  }
}

// C = alpha * A·B + beta * C with A (m x k), B (k x n), both row-major, in
// tiles of kRowBlock rows x kColumnBlock columns: a tile's block of B (k x
// kColumnBlock) stays in cache for all its rows.
void gemm_nn(std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const float* a,
             const float* b, float beta, float* c) {
  const std::int64_t row_blocks = (m + kRowBlock - 1) / kRowBlock;
  const std::int64_t column_blocks = (n + kColumnBlock - 1) / kColumnBlock;
#pragma omp parallel
  {
    float acc[kColumnBlock];
#pragma omp for collapse(2) schedule(static)
    for (std::int64_t jb = 0; jb < column_blocks; ++jb) {
      for (std::int64_t ib = 0; ib < row_blocks; ++ib) {
        const std::int64_t j0 = jb * kColumnBlock;
        const std::int64_t width = std::min(kColumnBlock, n - j0);
        const std::int64_t i_end = std::min(m, (ib + 1) * kRowBlock);
        for (std::int64_t i = ib * kRowBlock; i < i_end; ++i) {
          const float* a_row = a + i * k;
          for (std::int64_t j = 0; j < width; ++j) acc[j] = 0.0f;
          for (std::int64_t kk = 0; kk < k; ++kk) {
            const float a_ik = a_row[kk];
            const float* b_row = b + kk * n + j0;
            for (std::int64_t j = 0; j < width; ++j) acc[j] += a_ik * b_row[j];
          }
          write_row(alpha, acc, beta, width, c + i * n + j0);
        }
      }
    }
  }
}

// C = alpha * Aᵀ·B + beta * C with A (k x m), B (k x n), m·n small: fixed
// row chunks, each into its own partial C, summed in chunk order.
void gemm_tn_small_output(std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
                          const float* a, const float* b, float beta, float* c) {
  const std::int64_t n_chunks = std::max<std::int64_t>(1, (k + kRowsPerChunk - 1) / kRowsPerChunk);
  std::vector<float> partial(static_cast<std::size_t>(n_chunks * m * n), 0.0f);
#pragma omp parallel for schedule(static)
  for (std::int64_t chunk = 0; chunk < n_chunks; ++chunk) {
    float* sum = partial.data() + chunk * m * n;
    const std::int64_t end = std::min(k, (chunk + 1) * kRowsPerChunk);
    for (std::int64_t kk = chunk * kRowsPerChunk; kk < end; ++kk) {
      const float* a_row = a + kk * m;  // row kk of A: column kk of Aᵀ
      const float* b_row = b + kk * n;
      for (std::int64_t i = 0; i < m; ++i) {
        const float a_ik = a_row[i];
        float* sum_row = sum + i * n;
        for (std::int64_t j = 0; j < n; ++j) sum_row[j] += a_ik * b_row[j];
      }
    }
  }
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < m; ++i) {
    std::vector<float> acc(static_cast<std::size_t>(n), 0.0f);
    for (std::int64_t chunk = 0; chunk < n_chunks; ++chunk) {
      const float* sum_row = partial.data() + chunk * m * n + i * n;
      for (std::int64_t j = 0; j < n; ++j) acc[static_cast<std::size_t>(j)] += sum_row[j];
    }
    write_row(alpha, acc.data(), beta, n, c + i * n);
  }
}

}  // namespace

template <>
void gemm<Cpu>(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
               float alpha, const float* a, const float* b, float beta, float* c) {
  if (m <= 0 || n <= 0) return;
  std::vector<float> b_transposed;
  if (trans_b) {
    b_transposed = transposed(b, n, k);  // B is (n x k)
    b = b_transposed.data();
  }
  if (!trans_a) {
    gemm_nn(m, n, k, alpha, a, b, beta, c);
  } else if (m * n <= kSmallOutput) {
    gemm_tn_small_output(m, n, k, alpha, a, b, beta, c);
  } else {
    const std::vector<float> a_transposed = transposed(a, k, m);  // A is (k x m)
    gemm_nn(m, n, k, alpha, a_transposed.data(), b, beta, c);
  }
}

}  // namespace gnnrec
