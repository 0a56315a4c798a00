// CUDA version of kernels/elementwise.h (the math is there). Maps run one
// thread per element; row ops (row_dot, row_l2_normalize) one warp per row,
// lanes striding over the row and summing with warp_sum.
#include "kernels/cuda/launch.cuh"
#include "kernels/elementwise.h"

namespace gnnrec {

using cuda::launch_map;
using cuda::launch_warp_rows;
using cuda::warp_sum;

template <>
void add<Cuda>(std::int64_t n, const float* a, const float* b, float* out) {
  launch_map(n, [=] __device__(std::int64_t i) { out[i] = a[i] + b[i]; });
}

template <>
void add_scaled<Cuda>(std::int64_t n, float alpha, const float* x, float* y) {
  launch_map(n, [=] __device__(std::int64_t i) { y[i] += alpha * x[i]; });
}

template <>
void mul<Cuda>(std::int64_t n, const float* a, const float* b, float* out) {
  launch_map(n, [=] __device__(std::int64_t i) { out[i] = a[i] * b[i]; });
}

template <>
void mul_backward<Cuda>(std::int64_t n, const float* dout, const float* a, const float* b,
                        float* da, float* db) {
  launch_map(n, [=] __device__(std::int64_t i) {
    if (da) da[i] += dout[i] * b[i];
    if (db) db[i] += dout[i] * a[i];
  });
}

template <>
void scale<Cuda>(std::int64_t n, float alpha, const float* a, float* out) {
  launch_map(n, [=] __device__(std::int64_t i) { out[i] = alpha * a[i]; });
}

template <>
void add_bias<Cuda>(std::int64_t n_rows, std::int64_t n_cols, const float* x, const float* bias,
                    float* out) {
  launch_map(n_rows * n_cols, [=] __device__(std::int64_t i) { out[i] = x[i] + bias[i % n_cols]; });
}

template <>
void relu_forward<Cuda>(std::int64_t n, const float* x, float* out) {
  launch_map(n, [=] __device__(std::int64_t i) { out[i] = relu_element(x[i]); });
}

template <>
void relu_backward<Cuda>(std::int64_t n, const float* x, const float* dout, float beta, float* dx) {
  launch_map(n, [=] __device__(std::int64_t i) {
    accumulate_element(beta, relu_grad_element(x[i], dout[i]), dx[i]);
  });
}

template <>
void dropout_forward<Cuda>(std::int64_t n, float p, std::uint64_t seed, std::uint64_t step,
                           const float* x, float* out) {
  const float keep_scale = 1.0f / (1.0f - p);
  launch_map(n, [=] __device__(std::int64_t i) {
    out[i] = dropout_keep(seed, step, i, p) ? x[i] * keep_scale : 0.0f;
  });
}

template <>
void dropout_backward<Cuda>(std::int64_t n, float p, std::uint64_t seed, std::uint64_t step,
                            const float* dout, float* dx) {
  const float keep_scale = 1.0f / (1.0f - p);
  launch_map(n, [=] __device__(std::int64_t i) {
    if (dropout_keep(seed, step, i, p)) dx[i] += dout[i] * keep_scale;
  });
}

template <>
void row_dot<Cuda>(std::int64_t n_rows, std::int64_t dim, const float* a, const float* b,
                   float* out) {
  launch_warp_rows(n_rows, [=] __device__(std::int64_t r, int lane) {
    float acc = 0.0f;
    for (std::int64_t c = lane; c < dim; c += cuda::kWarpSize)
      acc += a[r * dim + c] * b[r * dim + c];
    acc = warp_sum(acc);
    if (lane == 0) out[r] = acc;
  });
}

template <>
void row_dot_backward<Cuda>(std::int64_t n_rows, std::int64_t dim, const float* dout,
                            const float* a, const float* b, float da_beta, float* da, float db_beta,
                            float* db) {
  // da before db in each thread: row_dot(x, x) passes one buffer twice.
  launch_map(n_rows * dim, [=] __device__(std::int64_t i) {
    const float g = dout[i / dim];
    if (da) accumulate_element(da_beta, g * b[i], da[i]);
    if (db) accumulate_element(db_beta, g * a[i], db[i]);
  });
}

template <>
void weighted_sum<Cuda>(std::int64_t n, const WeightedInputs& inputs, float* out) {
  const WeightedInputs in = inputs;  // captured by value: the pointers travel in the launch
  launch_map(n, [=] __device__(std::int64_t i) {
    float acc = 0.0f;
    for (int k = 0; k < in.count; ++k) acc += in.weight[k] * in.x[k][i];
    out[i] = acc;
  });
}

template <>
void row_l2_normalize<Cuda>(std::int64_t n_rows, std::int64_t dim, float eps, const float* x,
                            float* y) {
  launch_warp_rows(n_rows, [=] __device__(std::int64_t r, int lane) {
    const float* x_row = x + r * dim;
    float sum_sq = 0.0f;
    for (std::int64_t c = lane; c < dim; c += cuda::kWarpSize) sum_sq += x_row[c] * x_row[c];
    const float norm = fmaxf(sqrtf(warp_sum(sum_sq)), eps);
    for (std::int64_t c = lane; c < dim; c += cuda::kWarpSize) y[r * dim + c] = x_row[c] / norm;
  });
}

template <>
void row_l2_normalize_backward<Cuda>(std::int64_t n_rows, std::int64_t dim, float eps,
                                     const float* x, const float* y, const float* dy, float* dx) {
  launch_warp_rows(n_rows, [=] __device__(std::int64_t r, int lane) {
    const float* x_row = x + r * dim;
    const float* y_row = y + r * dim;
    const float* dy_row = dy + r * dim;
    float sum_sq = 0.0f, y_dot_dy = 0.0f;
    for (std::int64_t c = lane; c < dim; c += cuda::kWarpSize) {
      sum_sq += x_row[c] * x_row[c];
      y_dot_dy += y_row[c] * dy_row[c];
    }
    const float norm = sqrtf(warp_sum(sum_sq));
    y_dot_dy = warp_sum(y_dot_dy);
    float* dx_row = dx + r * dim;
    for (std::int64_t c = lane; c < dim; c += cuda::kWarpSize) {
      dx_row[c] += norm > eps ? (dy_row[c] - y_row[c] * y_dot_dy) / norm : dy_row[c] / eps;
    }
  });
}

}  // namespace gnnrec
