// CPU reference of kernels/elementwise.h: plain loops, parallel over
// elements or rows with OpenMP. The math is in the header.
#include <cmath>

#include "kernels/elementwise.h"

#include "kernels/cpu/parallel.h"

namespace gnnrec {

template <>
void add<Cpu>(std::int64_t n, const float* a, const float* b, float* out) {
#pragma omp parallel for simd schedule(dynamic,                          \
                                       cpu::kPieceElements) if (parallel \
                                                                : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

template <>
void add_scaled<Cpu>(std::int64_t n, float alpha, const float* x, float* y) {
#pragma omp parallel for simd schedule(dynamic,                          \
                                       cpu::kPieceElements) if (parallel \
                                                                : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

template <>
void mul<Cpu>(std::int64_t n, const float* a, const float* b, float* out) {
#pragma omp parallel for simd schedule(dynamic,                          \
                                       cpu::kPieceElements) if (parallel \
                                                                : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i) out[i] = a[i] * b[i];
}

template <>
void mul_backward<Cpu>(std::int64_t n, const float* dout, const float* a, const float* b, float* da,
                       float* db) {
  if (da) {
#pragma omp parallel for simd schedule(dynamic,                          \
                                       cpu::kPieceElements) if (parallel \
                                                                : n >= cpu::kMinParallelElements)
    for (std::int64_t i = 0; i < n; ++i) da[i] += dout[i] * b[i];
  }
  if (db) {
#pragma omp parallel for simd schedule(dynamic,                          \
                                       cpu::kPieceElements) if (parallel \
                                                                : n >= cpu::kMinParallelElements)
    for (std::int64_t i = 0; i < n; ++i) db[i] += dout[i] * a[i];
  }
}

template <>
void scale<Cpu>(std::int64_t n, float alpha, const float* a, float* out) {
#pragma omp parallel for simd schedule(dynamic,                          \
                                       cpu::kPieceElements) if (parallel \
                                                                : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i) out[i] = alpha * a[i];
}

template <>
void add_bias<Cpu>(std::int64_t n_rows, std::int64_t n_cols, const float* x, const float* bias,
                   float* out) {
#pragma omp parallel for schedule(         \
    dynamic, cpu::kPieceRows) if (parallel \
                                  : n_rows * n_cols >= cpu::kMinParallelElements)
  for (std::int64_t r = 0; r < n_rows; ++r) {
    const float* x_row = x + r * n_cols;
    float* out_row = out + r * n_cols;
#pragma omp simd
    for (std::int64_t c = 0; c < n_cols; ++c) out_row[c] = x_row[c] + bias[c];
  }
}

template <>
void relu_forward<Cpu>(std::int64_t n, const float* x, float* out) {
#pragma omp parallel for simd schedule(dynamic,                          \
                                       cpu::kPieceElements) if (parallel \
                                                                : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i) out[i] = relu_element(x[i]);
}

template <>
void relu_backward<Cpu>(std::int64_t n, const float* x, const float* dout, float beta, float* dx) {
#pragma omp parallel for simd schedule(dynamic,                          \
                                       cpu::kPieceElements) if (parallel \
                                                                : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i)
    accumulate_element(beta, relu_grad_element(x[i], dout[i]), dx[i]);
}

template <>
void dropout_forward<Cpu>(std::int64_t n, float p, std::uint64_t seed, std::uint64_t step,
                          const float* x, float* out) {
  const float keep_scale = 1.0f / (1.0f - p);
#pragma omp parallel for schedule(dynamic,                          \
                                  cpu::kPieceElements) if (parallel \
                                                           : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i) {
    out[i] = dropout_keep(seed, step, i, p) ? x[i] * keep_scale : 0.0f;
  }
}

template <>
void dropout_backward<Cpu>(std::int64_t n, float p, std::uint64_t seed, std::uint64_t step,
                           const float* dout, float* dx) {
  const float keep_scale = 1.0f / (1.0f - p);
#pragma omp parallel for schedule(dynamic,                          \
                                  cpu::kPieceElements) if (parallel \
                                                           : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i) {
    if (dropout_keep(seed, step, i, p)) dx[i] += dout[i] * keep_scale;
  }
}

template <>
void row_dot<Cpu>(std::int64_t n_rows, std::int64_t dim, const float* a, const float* b,
                  float* out) {
#pragma omp parallel for schedule(         \
    dynamic, cpu::kPieceRows) if (parallel \
                                  : n_rows * dim >= cpu::kMinParallelElements)
  for (std::int64_t r = 0; r < n_rows; ++r) {
    float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
    for (std::int64_t c = 0; c < dim; ++c) acc += a[r * dim + c] * b[r * dim + c];
    out[r] = acc;
  }
}

template <>
void row_dot_backward<Cpu>(std::int64_t n_rows, std::int64_t dim, const float* dout, const float* a,
                           const float* b, float da_beta, float* da, float db_beta, float* db) {
#pragma omp parallel for schedule(         \
    dynamic, cpu::kPieceRows) if (parallel \
                                  : n_rows * dim >= cpu::kMinParallelElements)
  for (std::int64_t r = 0; r < n_rows; ++r) {
    const float g = dout[r];
    if (da) {
      for (std::int64_t c = 0; c < dim; ++c)
        accumulate_element(da_beta, g * b[r * dim + c], da[r * dim + c]);
    }
    if (db) {
      for (std::int64_t c = 0; c < dim; ++c)
        accumulate_element(db_beta, g * a[r * dim + c], db[r * dim + c]);
    }
  }
}

template <>
void weighted_sum<Cpu>(std::int64_t n, const WeightedInputs& inputs, float* out) {
  // simd: vectorized along i, each lane running the loop over the inputs.
#pragma omp parallel for simd schedule(dynamic,                          \
                                       cpu::kPieceElements) if (parallel \
                                                                : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i) {
    float acc = 0.0f;
    for (int k = 0; k < inputs.count; ++k) acc += inputs.weight[k] * inputs.x[k][i];
    out[i] = acc;
  }
}

template <>
void row_l2_normalize<Cpu>(std::int64_t n_rows, std::int64_t dim, float eps, const float* x,
                           float* y) {
#pragma omp parallel for schedule(         \
    dynamic, cpu::kPieceRows) if (parallel \
                                  : n_rows * dim >= cpu::kMinParallelElements)
  for (std::int64_t r = 0; r < n_rows; ++r) {
    const float* x_row = x + r * dim;
    float sum_sq = 0.0f;
    for (std::int64_t c = 0; c < dim; ++c) sum_sq += x_row[c] * x_row[c];
    const float norm = fmaxf(sqrtf(sum_sq), eps);
    for (std::int64_t c = 0; c < dim; ++c) y[r * dim + c] = x_row[c] / norm;
  }
}

template <>
void row_l2_normalize_backward<Cpu>(std::int64_t n_rows, std::int64_t dim, float eps,
                                    const float* x, const float* y, const float* dy, float* dx) {
#pragma omp parallel for schedule(         \
    dynamic, cpu::kPieceRows) if (parallel \
                                  : n_rows * dim >= cpu::kMinParallelElements)
  for (std::int64_t r = 0; r < n_rows; ++r) {
    const float* x_row = x + r * dim;
    const float* y_row = y + r * dim;
    const float* dy_row = dy + r * dim;
    float sum_sq = 0.0f, y_dot_dy = 0.0f;
    for (std::int64_t c = 0; c < dim; ++c) {
      sum_sq += x_row[c] * x_row[c];
      y_dot_dy += y_row[c] * dy_row[c];
    }
    const float norm = sqrtf(sum_sq);
    float* dx_row = dx + r * dim;
    if (norm > eps) {
      for (std::int64_t c = 0; c < dim; ++c) dx_row[c] += (dy_row[c] - y_row[c] * y_dot_dy) / norm;
    } else {
      for (std::int64_t c = 0; c < dim; ++c) dx_row[c] += dy_row[c] / eps;
    }
  }
}

}  // namespace gnnrec
