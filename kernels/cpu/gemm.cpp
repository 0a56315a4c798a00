// CPU reference of kernels/gemm.h: C = alpha * op(A) * op(B) + beta * C,
// row-major, with OpenMP.
//
// Every case is one loop: C is cut into tiles of kTileRows x kTileColumns
// and each tile is summed over kk in order,
//   acc[r][c] = fma(op(A)[i + r, kk], B'[kk, j + c], acc[r][c])
// with B' row-major k x n (contiguous in j). The tile's 6 x 16 accumulators
// stay in registers (12 of the 16 AVX2 vectors; BLIS's Haswell micro-kernel
// has the same shape), so each kk loads 16 floats of B' and 6 of A for 96
// fused multiply-adds; a row-at-a-time loop would load and store its
// accumulator row for every kk. fma rounds once, as cuBLAS does.
//
//   op(A) is read in place through strides: A[i, kk] = a[i * k + kk], and
//                Aᵀ[i, kk] = a[kk * m + i].
//   op(B) = Bᵀ:  B' = Bᵀ, packed once into strips of 16 columns (k·n floats).
//   Small C (m·n <= kSmallOutput) with op(A) = Aᵀ: a weight gradient
//                dW = dYᵀ·X over many rows k. Rows of k are cut into fixed
//                chunks of kRowsPerChunk; each chunk's tiles go into its own
//                partial C, in parallel, and the partials are added in chunk
//                order. A chunk is summed in passes of kRowsPerPass rows, each
//                pass's tile sums added to the partial (measured against one
//                pass per 256-row chunk: a Gowalla-sized dW 10-20% faster).
// Each element of C is summed in kk order (and the passes and chunks in order),
// whatever the tiling and the thread count: the result does not depend on
// the number of threads. Then C = alpha * acc + beta * C; beta = 0 writes
// alpha * acc without reading C, so NaN or garbage already in C is ignored.
//
// Cost: 2·m·n·k flops; bytes at least 4·(m·k + k·n + m·n), plus m·n reads
// when beta != 0 and 8·k·n for packing B when it is transposed.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "kernels/gemm.h"

#include "kernels/cpu/gemm_tiles.h"
#include "kernels/cpu/parallel.h"

namespace gnnrec {
namespace {

using namespace cpu_gemm;

// A weight gradient's C (m·n <= kSmallOutput) is summed over fixed chunks
// of kRowsPerChunk rows of k, each in passes of kRowsPerPass rows (a pass's
// strip of B', 16 columns of kRowsPerPass rows, stays in L1 while every
// tile of C goes through it).
constexpr std::int64_t kSmallOutput = std::int64_t(1) << 16;
constexpr std::int64_t kRowsPerChunk = 1024;
constexpr std::int64_t kRowsPerPass = 64;

// C (m x n, row stride n) = alpha * op(A)·B' + beta * C, over all of k, a
// block of kRowBlock x kColumnBlock per iteration, A or Aᵀ read in place
// (gemm_tiles.h: RowMajor, Transposed).
void gemm_tiled(bool trans_a, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
                const float* a, ColumnStrips b, float beta, float* c) {
  const std::int64_t row_blocks = (m + kRowBlock - 1) / kRowBlock;
  const std::int64_t column_blocks = (n + kColumnBlock - 1) / kColumnBlock;
#pragma omp parallel for collapse(2) \
    schedule(dynamic) if (parallel   \
                          : m * n * k >= cpu::kMinParallelMultiplyAdds)
  for (std::int64_t ib = 0; ib < row_blocks; ++ib) {
    for (std::int64_t jb = 0; jb < column_blocks; ++jb) {
      const std::int64_t i_begin = ib * kRowBlock, i_end = std::min(m, i_begin + kRowBlock);
      const std::int64_t j_begin = jb * kColumnBlock, j_end = std::min(n, j_begin + kColumnBlock);
      if (trans_a) {
        block_product(Transposed{a, m}, i_begin, i_end, b, j_begin, j_end, 0, k, alpha, beta, c, n);
      } else {
        block_product(RowMajor{a, k}, i_begin, i_end, b, j_begin, j_end, 0, k, alpha, beta, c, n);
      }
    }
  }
}

// C (m x n) = alpha * Aᵀ·B + beta * C with A (k x m), B (k x n), m·n small:
// fixed chunks of rows kk, each into its own partial C, summed in chunk order.
void gemm_tn_small_output(std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
                          const float* a, ColumnStrips b, float beta, float* c) {
  const Transposed a_t{a, m};
  const std::int64_t n_chunks = std::max<std::int64_t>(1, (k + kRowsPerChunk - 1) / kRowsPerChunk);
  // Every element of every partial is written before it is read; the
  // buffer is kept between calls (no allocation per training step).
  // (The OpenMP threads below see their own thread_local copies: they use
  // the pointer taken here.)
  thread_local std::vector<float> partial_buffer;
  partial_buffer.resize(
      std::max(partial_buffer.size(), static_cast<std::size_t>(n_chunks * m * n)));
  float* const partial = partial_buffer.data();
#pragma omp parallel for schedule(dynamic) if (parallel \
                                               : m * n * k >= cpu::kMinParallelMultiplyAdds)
  for (std::int64_t chunk = 0; chunk < n_chunks; ++chunk) {
    float* sum = partial + chunk * m * n;
    const std::int64_t chunk_end = std::min(k, (chunk + 1) * kRowsPerChunk);
    for (std::int64_t kk = chunk * kRowsPerChunk; kk < chunk_end; kk += kRowsPerPass) {
      const std::int64_t kk_end = std::min(chunk_end, kk + kRowsPerPass);
      const float pass_beta = kk == chunk * kRowsPerChunk ? 0.0f : 1.0f;
      block_product(a_t, 0, m, b, 0, n, kk, kk_end, 1.0f, pass_beta, sum, n);
    }
  }
#pragma omp parallel if (parallel : m * n * n_chunks >= cpu::kMinParallelElements)
  {
    thread_local std::vector<float> row_sum;  // this thread's; kept between calls
    row_sum.resize(static_cast<std::size_t>(n));
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < m; ++i) {
      std::fill(row_sum.begin(), row_sum.end(), 0.0f);
      for (std::int64_t chunk = 0; chunk < n_chunks; ++chunk) {
        const float* sum_row = partial + chunk * m * n + i * n;
        for (std::int64_t j = 0; j < n; ++j) row_sum[static_cast<std::size_t>(j)] += sum_row[j];
      }
      float* c_row = c + i * n;
      for (std::int64_t j = 0; j < n; ++j) {
        const float acc = row_sum[static_cast<std::size_t>(j)];
        c_row[j] = beta == 0.0f ? alpha * acc : alpha * acc + beta * c_row[j];
      }
    }
  }
}

}  // namespace

template <>
void gemm<Cpu>(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
               float alpha, const float* a, const float* b, float beta, float* c) {
  if (m <= 0 || n <= 0) return;
  // Kept between calls, so that a training step allocates nothing here after
  // its first (gemm is called from one thread; OpenMP works inside it).
  thread_local std::vector<float> packed;
  ColumnStrips b_strips{b, n, kTileColumns};  // B' = B, row-major
  if (trans_b) {
    pack_transpose(b, n, k, packed);  // B is (n x k)
    b_strips = ColumnStrips{packed.data(), kTileColumns, kTileColumns * k};
  }
  if (trans_a && m * n <= kSmallOutput) {
    gemm_tn_small_output(m, n, k, alpha, a, b_strips, beta, c);
  } else {
    gemm_tiled(trans_a, m, n, k, alpha, a, b_strips, beta, c);
  }
}

}  // namespace gnnrec
