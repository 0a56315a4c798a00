// Adam (Kingma & Ba 2015), as PyTorch computes it (KERNELS.md section 7).
//
// Dense, every element, step t = 1, 2, ...:
//   g  = grad + weight_decay * theta
//   m  = beta1 * m + (1 - beta1) * g
//   v  = beta2 * v + (1 - beta2) * g * g
//   theta -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// and the gradient is zeroed (saves a memset before the next step).
//
// Row-sparse (PyTorch SparseAdam semantics), for embedding tables in
// mini-batch training: only the listed rows (distinct) are updated and their
// gradient rows zeroed; other rows keep stale m and v (they do not decay).
// One step count for the whole table. Note where eps sits:
//   theta -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)
// i.e. eps on the uncorrected sqrt(v), unlike dense Adam. A nonzero
// weight_decay is added to the listed rows' gradients only (PyTorch's
// SparseAdam has no weight decay).
//
// The host computes the bias corrections in double (AdamStep::make) and
// passes floats; both backends call the same element body.
// Cost: dense reads theta, g, m, v and writes theta, g, m, v: 32 bytes per
// parameter, for 17 flops (the sqrt and the two divisions counted as one
// each); memory bound. Row-sparse: the same per element of a listed row, plus
// 4 bytes for each row id.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/hd.h"
#include "kernels/backend.h"

namespace gnnrec {

struct AdamConfig {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
};

struct AdamStep {
  float lr, beta1, beta2, eps, weight_decay;
  float step_size;   // dense: lr / (1 - beta1^t);  sparse: lr * sqrt(1 - beta2^t) / (1 - beta1^t)
  float bias2_sqrt;  // dense: sqrt(1 - beta2^t);   sparse: 1 (eps on the raw sqrt(v))

  static AdamStep dense(const AdamConfig& config, std::int64_t t);
  static AdamStep sparse(const AdamConfig& config, std::int64_t t);
};

// One parameter's update (both variants: the step carries the difference).
GNNREC_HD inline void adam_update_element(const AdamStep& s, float& theta, float& grad, float& m,
                                          float& v) {
  float g = grad + s.weight_decay * theta;
  m = s.beta1 * m + (1.0f - s.beta1) * g;
  v = s.beta2 * v + (1.0f - s.beta2) * (g * g);
  float denom = sqrtf(v) / s.bias2_sqrt + s.eps;
  theta -= s.step_size * (m / denom);
  grad = 0.0f;
}

template <class Backend>
void adam_dense(std::int64_t n, const AdamStep& step, float* theta, float* grad, float* m,
                float* v);

// rows: n_rows distinct row ids of a (n_table_rows, dim) table.
template <class Backend>
void adam_row_sparse(std::int64_t n_rows, std::int64_t dim, const std::int32_t* rows,
                     const AdamStep& step, float* theta, float* grad, float* m, float* v);

}  // namespace gnnrec
