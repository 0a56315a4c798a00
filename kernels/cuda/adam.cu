// CUDA version of kernels/adam.h (the math is there; AdamStep is computed on
// the host in kernels/cpu/adam.cpp). Both kernels run one thread per
// parameter through the shared adam_update_element body, so the result is
// bit-equal to the CPU reference (no FMA contraction on either side).
//   dense:       grid-stride over the n elements (coalesced, memory bound).
//   row-sparse:  one thread per (listed row, column): thread i updates
//                column i % dim of table row rows[i / dim], so a warp reads
//                consecutive columns of a row.
#include "kernels/adam.h"
#include "kernels/cuda/launch.cuh"

namespace gnnrec {

using cuda::launch_map;

template <>
void adam_dense<Cuda>(std::int64_t n, const AdamStep& step, float* theta, float* grad, float* m,
                      float* v) {
  const AdamStep s = step;  // captured by value: travels in the launch
  launch_map(
      n, [=] __device__(std::int64_t i) { adam_update_element(s, theta[i], grad[i], m[i], v[i]); });
}

template <>
void adam_row_sparse<Cuda>(std::int64_t n_rows, std::int64_t dim, const std::int32_t* rows,
                           const AdamStep& step, float* theta, float* grad, float* m, float* v) {
  const AdamStep s = step;
  launch_map(n_rows * dim, [=] __device__(std::int64_t i) {
    const std::int64_t j = static_cast<std::int64_t>(rows[i / dim]) * dim + i % dim;
    adam_update_element(s, theta[j], grad[j], m[j], v[j]);
  });
}

}  // namespace gnnrec
