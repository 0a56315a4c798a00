// The CPU gemm's register tile, shared by kernels/cpu/gemm.cpp (gemm) and
// kernels/cpu/topk.cpp (score_topk_rows, which keeps its tiles in cache
// instead of writing a score matrix). The math is in kernels/cpu/gemm.cpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/cpu/parallel.h"

namespace gnnrec {
namespace cpu_gemm {

constexpr int kTileRows = 6;
constexpr int kTileColumns = 16;
// Tiles are grouped into blocks of kRowBlock x kColumnBlock, the unit of
// work of one thread: the block's rows of A stay in L1 while its columns of
// B' go through, one 16-column strip at a time.
constexpr std::int64_t kRowBlock = 96;
constexpr std::int64_t kColumnBlock = 256;

// op(A), the left factor, in one of two layouts. Each gives rows_from(i),
// the same matrix from row i on (a tile reads its rows as 0, 1, ...), and
// at(r, kk) = op(A)[r, kk] of it.
//   RowMajor:    A itself, op(A)[i, kk] = data[i * ld + kk].
//   Transposed:  op(A) = Aᵀ of a row-major (k x m) A, op(A)[i, kk] =
//                data[kk * ld + i]: a tile's rows are adjacent floats.
// (Packing a block's rows of a RowMajor A kk-major, as BLIS does, was
// measured slower here: XWᵀ 7.7 -> 9.2 ms, dY·W 8.5 -> 11.3 ms at k = 64.)
struct RowMajor {
  const float* data;
  std::int64_t ld;
  RowMajor rows_from(std::int64_t i) const { return {data + i * ld, ld}; }
  float at(std::int64_t r, std::int64_t kk) const { return data[r * ld + kk]; }
};
struct Transposed {
  const float* data;
  std::int64_t ld;
  Transposed rows_from(std::int64_t i) const { return {data + i, ld}; }
  float at(std::int64_t r, std::int64_t kk) const { return data[kk * ld + r]; }
};

// B' (k x n) in strips of kTileColumns columns: B'[kk, j] is at
//   data[(j / kTileColumns) * strip_step + kk * row_step + j % kTileColumns].
// Row-major B' is row_step = n, strip_step = kTileColumns. A packed copy has
// each strip contiguous (row_step = kTileColumns, strip_step = kTileColumns
// * k): a tile then reads one run of memory instead of k rows n floats
// apart (for a score chunk, n = 40,981: k pages and cache sets apart).
struct ColumnStrips {
  const float* data;
  std::int64_t row_step;
  std::int64_t strip_step;
  const float* column(std::int64_t j) const {
    return data + (j / kTileColumns) * strip_step + j % kTileColumns;
  }
};

// The tile of C at (i, j), Rows x Columns, summed over kk in [kk_begin,
// kk_end): C[i + r, j + c] = alpha * acc[r][c] + beta * C[i + r, j + c] with
//   acc[r][c] = sum over kk of a.at(r, kk) * B'[kk, j + c]
// where `a` starts at the tile's first row (rows_from(i)). C has row stride
// ldc. The sizes are template constants so that the loops unroll and acc
// lives in registers.
template <int Rows, int Columns, class AMatrix>
inline void tile_product(AMatrix a, ColumnStrips b, std::int64_t i, std::int64_t j,
                         std::int64_t kk_begin, std::int64_t kk_end, float alpha, float beta,
                         float* c, std::int64_t ldc) {
  float acc[Rows][Columns] = {};
  const float* b_column = b.column(j);
  // Four kk per iteration: the loads of the next kk are issued while the
  // fmas of this one run (measured: XWᵀ and dY·W 25-30% faster, a score
  // chunk 40%).
#pragma GCC unroll 4
  for (std::int64_t kk = kk_begin; kk < kk_end; ++kk) {
    const float* b_row = b_column + kk * b.row_step;
    // The rows unrolled, each row's columns as one vector operation (without
    // the two pragmas GCC 12 vectorizes across rows instead, with gathers).
#pragma GCC unroll 16
    for (int r = 0; r < Rows; ++r) {
      const float a_rk = a.at(r, kk);
#pragma omp simd
      for (int col = 0; col < Columns; ++col) acc[r][col] = std::fma(a_rk, b_row[col], acc[r][col]);
    }
  }
  for (int r = 0; r < Rows; ++r) {
    float* c_row = c + (i + r) * ldc + j;
    for (int col = 0; col < Columns; ++col)
      c_row[col] = beta == 0.0f ? alpha * acc[r][col] : alpha * acc[r][col] + beta * c_row[col];
  }
}

// tile_product<n_rows, kTileColumns> for a run-time n_rows in [1, MaxRows].
template <int MaxRows, class AMatrix>
inline void rows_tile_product(std::int64_t n_rows, AMatrix a, ColumnStrips b, std::int64_t i,
                              std::int64_t j, std::int64_t kk_begin, std::int64_t kk_end,
                              float alpha, float beta, float* c, std::int64_t ldc) {
  if constexpr (MaxRows > 1) {
    if (n_rows < MaxRows) {
      rows_tile_product<MaxRows - 1>(n_rows, a, b, i, j, kk_begin, kk_end, alpha, beta, c, ldc);
      return;
    }
  }
  tile_product<MaxRows, kTileColumns>(a, b, i, j, kk_begin, kk_end, alpha, beta, c, ldc);
}

// Rows [i, i_end) x columns [j, j_end) of C (at most one tile): a tile of
// up to kTileRows rows at once; on the ragged right edge of C, element by
// element (each is the same sum in the same kk order).
template <class AMatrix>
inline void any_tile_product(AMatrix a, std::int64_t i, std::int64_t i_end, ColumnStrips b,
                             std::int64_t j, std::int64_t j_end, std::int64_t kk_begin,
                             std::int64_t kk_end, float alpha, float beta, float* c,
                             std::int64_t ldc) {
  if (j_end - j == kTileColumns) {
    // Fewer rows than a tile (the last rows of C) still go through B's strip
    // once: a 64-row weight gradient is 10 tiles of 6 rows and one of 4.
    rows_tile_product<kTileRows>(i_end - i, a.rows_from(i), b, i, j, kk_begin, kk_end, alpha, beta,
                                 c, ldc);
    return;
  }
  for (std::int64_t row = i; row < i_end; ++row)
    for (std::int64_t col = j; col < j_end; ++col)
      tile_product<1, 1>(a.rows_from(row), b, row, col, kk_begin, kk_end, alpha, beta, c, ldc);
}

// A block of C, rows [i_begin, i_end) x columns [j_begin, j_end), every
// tile of it: for each strip of B' its tiles from top to bottom (the strip
// stays in L1 while the block's rows of A go through it). The rows of `a`
// are C's rows.
template <class AMatrix>
inline void block_product(AMatrix a, std::int64_t i_begin, std::int64_t i_end, ColumnStrips b,
                          std::int64_t j_begin, std::int64_t j_end, std::int64_t kk_begin,
                          std::int64_t kk_end, float alpha, float beta, float* c,
                          std::int64_t ldc) {
  for (std::int64_t j = j_begin; j < j_end; j += kTileColumns) {
    for (std::int64_t i = i_begin; i < i_end; i += kTileRows) {
      any_tile_product(a, i, std::min(i_end, i + kTileRows), b, j,
                       std::min(j_end, j + kTileColumns), kk_begin, kk_end, alpha, beta, c, ldc);
    }
  }
}

// op(B) = Bᵀ with B (n x k) row-major: B' = Bᵀ packed in strips
// (ColumnStrips), packed[s][kk][c] = B[s * kTileColumns + c, kk]. The last
// strip's columns past n are never read. Each strip reads kTileColumns rows
// of B. Into `packed`, grown as needed.
inline void pack_transpose(const float* b, std::int64_t n, std::int64_t k,
                           std::vector<float>& packed) {
  const std::int64_t n_strips = (n + kTileColumns - 1) / kTileColumns;
  packed.resize(std::max(packed.size(), static_cast<std::size_t>(n_strips * k * kTileColumns)));
  float* const strips = packed.data();
#pragma omp parallel for schedule(static) if (parallel : n * k >= cpu::kMinParallelElements)
  for (std::int64_t s = 0; s < n_strips; ++s) {
    float* strip = strips + s * k * kTileColumns;
    const std::int64_t width = std::min<std::int64_t>(kTileColumns, n - s * kTileColumns);
    for (std::int64_t c = 0; c < width; ++c) {
      const float* b_row = b + (s * kTileColumns + c) * k;
      for (std::int64_t kk = 0; kk < k; ++kk) strip[kk * kTileColumns + c] = b_row[kk];
    }
  }
}

}  // namespace cpu_gemm
}  // namespace gnnrec
