// CUDA version of kernels/sampling.h (the math is there): one thread per
// sample runs the shared sample_negative body (Philox draws, binary search
// in the user's sorted positive row), so CPU and GPU give the same samples.
// No host round trip and no synchronization.
#include "kernels/cuda/launch.cuh"
#include "kernels/sampling.h"

namespace gnnrec {

template <>
void sample_negatives<Cuda>(std::int64_t n, const CsrView& positives, const std::int32_t* users,
                            std::int32_t n_items, std::uint64_t seed, std::uint64_t step,
                            std::int32_t* neg_out) {
  GNNREC_CHECK(n_items > 0, "sample_negatives: n_items must be positive, got " << n_items);
  const CsrView pos = positives;  // device pointers, captured by value
  cuda::launch_map(n, [=] __device__(std::int64_t i) {
    neg_out[i] = sample_negative(pos, users[i], n_items, seed, step, i);
  });
}

}  // namespace gnnrec
