// CPU reference of kernels/reduce.h (the math is there). Sums accumulate in
// double with an OpenMP reduction, so the float result is the exact sum
// rounded once (up to the last bit of a double), whatever the thread count.
// column_sum works on tiles of 64 columns: one double accumulator per
// column of the tile, on the stack (an OpenMP array reduction over the
// rows), walking x row by row so the inner loop over the tile's columns is
// contiguous and vectorizes. No heap allocation.
#include <algorithm>

#include "kernels/reduce.h"

#include "kernels/cpu/parallel.h"

namespace gnnrec {

constexpr std::int64_t kColumnTile = 64;

template <>
void sum<Cpu>(std::int64_t n, const float* x, float* out) {
  double acc = 0.0;
#pragma omp parallel for simd reduction(+ : acc) schedule(static) if (parallel : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i) acc += static_cast<double>(x[i]);
  out[0] = static_cast<float>(acc);
}

template <>
void sum_backward<Cpu>(std::int64_t n, float scale, const float* dout, float* dx) {
  const float g = scale * dout[0];
#pragma omp parallel for simd schedule(static) if (parallel : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i) dx[i] += g;
}

template <>
void column_sum<Cpu>(std::int64_t n_rows, std::int64_t n_cols, const float* x, float* out,
                     bool accumulate) {
  for (std::int64_t tile_begin = 0; tile_begin < n_cols; tile_begin += kColumnTile) {
    const std::int64_t tile_width = std::min(kColumnTile, n_cols - tile_begin);
    double acc[kColumnTile] = {};
#pragma omp parallel for reduction(+ : acc[:kColumnTile]) schedule(static) \
    if (parallel : n_rows * tile_width >= cpu::kMinParallelElements)
    for (std::int64_t r = 0; r < n_rows; ++r) {
      const float* x_row = x + r * n_cols + tile_begin;
#pragma omp simd
      for (std::int64_t c = 0; c < tile_width; ++c) acc[c] += static_cast<double>(x_row[c]);
    }
    for (std::int64_t c = 0; c < tile_width; ++c) {
      const float column = static_cast<float>(acc[c]);
      float& target = out[tile_begin + c];
      target = accumulate ? target + column : column;
    }
  }
}

}  // namespace gnnrec
