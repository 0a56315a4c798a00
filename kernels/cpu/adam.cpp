// CPU reference of kernels/adam.h (the math is there). The host side of both
// backends also lives here: AdamStep turns a config and a step count into the
// floats the element body needs, computing the bias corrections in double.
// The kernels loop over adam_update_element: dense over every element, row-
// sparse over the listed rows (OpenMP over rows, the row's columns inner).
#include <cmath>

#include "kernels/adam.h"

#include "kernels/cpu/parallel.h"

namespace gnnrec {

namespace {

AdamStep step_from_config(const AdamConfig& config) {
  AdamStep s{};
  s.lr = config.lr;
  s.beta1 = config.beta1;
  s.beta2 = config.beta2;
  s.eps = config.eps;
  s.weight_decay = config.weight_decay;
  return s;
}

// 1 - beta^t in double (t >= 1).
double bias_correction(float beta, std::int64_t t) {
  return 1.0 - std::pow(static_cast<double>(beta), static_cast<double>(t));
}

}  // namespace

AdamStep AdamStep::dense(const AdamConfig& config, std::int64_t t) {
  GNNREC_CHECK(t >= 1, "Adam step count must start at 1, got " << t);
  AdamStep s = step_from_config(config);
  const double bias1 = bias_correction(config.beta1, t);
  const double bias2 = bias_correction(config.beta2, t);
  s.step_size = static_cast<float>(static_cast<double>(config.lr) / bias1);
  s.bias2_sqrt = static_cast<float>(std::sqrt(bias2));
  return s;
}

AdamStep AdamStep::sparse(const AdamConfig& config, std::int64_t t) {
  GNNREC_CHECK(t >= 1, "SparseAdam step count must start at 1, got " << t);
  AdamStep s = step_from_config(config);
  const double bias1 = bias_correction(config.beta1, t);
  const double bias2 = bias_correction(config.beta2, t);
  s.step_size = static_cast<float>(static_cast<double>(config.lr) * std::sqrt(bias2) / bias1);
  s.bias2_sqrt = 1.0f;  // eps on the uncorrected sqrt(v)
  return s;
}

template <>
void adam_dense<Cpu>(std::int64_t n, const AdamStep& step, float* theta, float* grad, float* m,
                     float* v) {
  const AdamStep s = step;
#pragma omp parallel for simd schedule(dynamic,                          \
                                       cpu::kPieceElements) if (parallel \
                                                                : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i) adam_update_element(s, theta[i], grad[i], m[i], v[i]);
}

template <>
void adam_row_sparse<Cpu>(std::int64_t n_rows, std::int64_t dim, const std::int32_t* rows,
                          const AdamStep& step, float* theta, float* grad, float* m, float* v) {
  const AdamStep s = step;
#pragma omp parallel for schedule(         \
    dynamic, cpu::kPieceRows) if (parallel \
                                  : n_rows * dim >= cpu::kMinParallelElements)
  for (std::int64_t r = 0; r < n_rows; ++r) {
    const std::int64_t base = static_cast<std::int64_t>(rows[r]) * dim;
#pragma omp simd
    for (std::int64_t c = 0; c < dim; ++c) {
      adam_update_element(s, theta[base + c], grad[base + c], m[base + c], v[base + c]);
    }
  }
}

}  // namespace gnnrec
