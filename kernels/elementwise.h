// Elementwise and row-wise ops over float arrays.
//
// Every backward adds into its output (dx += ...): a tensor that feeds two
// ops receives both gradients (STYLE habit 4). Pointers named d* may be
// nullptr where that gradient is not needed. relu's and row_dot's backward
// take a beta per gradient, as gemm does: dx = beta * dx + ..., with beta
// 0 or 1, and beta 0 writes dx without reading it (a first gradient needs
// no zero fill, and NaN or garbage already there is ignored).
//
//   add:            out = a + b                  backward: da += dout, db += dout
//   add_scaled:     y += alpha * x               (also the backward of scale and of a weighted sum)
//   mul:            out = a * b                  backward: da += dout * b, db += dout * a
//   scale:          out = alpha * a              backward: da += alpha * dout
//   add_bias:       out[r, c] = x[r, c] + bias[c]      backward of bias: column sums (reduce.h)
//   relu:           out = max(x, 0)              backward: dx += dout * (x > 0)
//   dropout:        out = x * keep / (1 - p), keep ~ Bernoulli(1 - p) from Philox
//                   (seed, kRngDropout, step, element); backward: dx += dout * keep / (1 - p),
//                   the mask recomputed from the same counter (nothing stored)
//   row_dot:        out[r] = sum_c a[r, c] * b[r, c]
//                   backward: da[r, :] += dout[r] * b[r, :], db[r, :] += dout[r] * a[r, :]
//   weighted_sum:   out = sum_k w_k * x_k  (k < kMaxWeightedInputs)
//                   backward: dx_k += w_k * dout (add_scaled per input)
//   row_l2_normalize: y[r, :] = x[r, :] / max(||x[r, :]||, eps)
//                   backward: n = max(||x||, eps); if ||x|| > eps:
//                   dx += (dy - y * (y . dy)) / n, else dx += dy / eps
//
// Cost: each reads and writes its arrays once (memory bound). Per element
// (per row for the row ops, dim = the row width), bytes / flops:
//   add, mul 12 / 1;  add_scaled 12 / 2 (reads and writes y);  scale 8 / 1;
//   add_bias 8 / 1 (+ the bias, once);  mul_backward 28 / 4 (both gradients);
//   relu 8 / 0 (a compare);  relu_backward 16 / 1;  dropout 8, its backward 12
//   (+ a Philox block per 4 elements);  weighted_sum of K inputs 4·(K + 1) / 2·K;
//   row_dot 8·dim + 4 / 2·dim;  row_dot_backward 24·dim + 4 / 4·dim (both);
//   row_l2_normalize 8·dim / 3·dim + a sqrt;  its backward 20·dim / about 7·dim.
#pragma once

#include <cstdint>

#include "core/hd.h"
#include "core/philox.h"
#include "kernels/backend.h"

namespace gnnrec {

// ---- Per-element bodies, shared by both backends (DESIGN decision 10) ----

GNNREC_HD inline float relu_element(float x) { return x > 0.0f ? x : 0.0f; }
GNNREC_HD inline float relu_grad_element(float x, float dout) { return x > 0.0f ? dout : 0.0f; }
// A backward's output element: dx = beta * dx + g for beta 0 or 1, dx not
// read when beta is 0.
GNNREC_HD inline void accumulate_element(float beta, float g, float& dx) {
  dx = beta == 0.0f ? g : dx + g;
}

// 1 when element i is kept by dropout with drop probability p, else 0.
GNNREC_HD inline bool dropout_keep(std::uint64_t seed, std::uint64_t step, std::int64_t i,
                                   float p) {
  Philox4 r = philox_block(seed, kRngDropout, step, static_cast<std::uint32_t>(i >> 2),
                           static_cast<std::uint32_t>(i >> 34));
  // Pick the word with selects, not r.w[i & 3]: a dynamic index would put r
  // in local memory on the GPU.
  const int word = static_cast<int>(i & 3);
  const std::uint32_t bits = word == 0 ? r.w[0] : word == 1 ? r.w[1] : word == 2 ? r.w[2] : r.w[3];
  return uniform_float(bits) >= p;
}

// ---- Kernels ---------------------------------------------------------------

template <class Backend>
void add(std::int64_t n, const float* a, const float* b, float* out);
template <class Backend>
void add_scaled(std::int64_t n, float alpha, const float* x, float* y);
template <class Backend>
void mul(std::int64_t n, const float* a, const float* b, float* out);
template <class Backend>
void mul_backward(std::int64_t n, const float* dout, const float* a, const float* b, float* da,
                  float* db);
template <class Backend>
void scale(std::int64_t n, float alpha, const float* a, float* out);
template <class Backend>
void add_bias(std::int64_t n_rows, std::int64_t n_cols, const float* x, const float* bias,
              float* out);
template <class Backend>
void relu_forward(std::int64_t n, const float* x, float* out);
template <class Backend>
void relu_backward(std::int64_t n, const float* x, const float* dout, float beta, float* dx);
template <class Backend>
void dropout_forward(std::int64_t n, float p, std::uint64_t seed, std::uint64_t step,
                     const float* x, float* out);
template <class Backend>
void dropout_backward(std::int64_t n, float p, std::uint64_t seed, std::uint64_t step,
                      const float* dout, float* dx);
template <class Backend>
void row_dot(std::int64_t n_rows, std::int64_t dim, const float* a, const float* b, float* out);
template <class Backend>
void row_dot_backward(std::int64_t n_rows, std::int64_t dim, const float* dout, const float* a,
                      const float* b, float da_beta, float* da, float db_beta, float* db);

constexpr int kMaxWeightedInputs = 16;
struct WeightedInputs {
  const float* x[kMaxWeightedInputs];
  float weight[kMaxWeightedInputs];
  int count;
};
template <class Backend>
void weighted_sum(std::int64_t n, const WeightedInputs& inputs, float* out);

template <class Backend>
void row_l2_normalize(std::int64_t n_rows, std::int64_t dim, float eps, const float* x, float* y);
template <class Backend>
void row_l2_normalize_backward(std::int64_t n_rows, std::int64_t dim, float eps, const float* x,
                               const float* y, const float* dy, float* dx);

}  // namespace gnnrec
