// CPU reference of kernels/sampling.h (the math is there): a loop over the
// samples, each calling the shared sample_negative body, parallel with
// OpenMP. Every sample owns its Philox counter, so the split over threads
// does not change the result.
#include "kernels/sampling.h"

namespace gnnrec {

template <>
void sample_negatives<Cpu>(std::int64_t n, const CsrView& positives, const std::int32_t* users,
                           std::int32_t n_items, std::uint64_t seed, std::uint64_t step,
                           std::int32_t* neg_out) {
  GNNREC_CHECK(n_items > 0, "sample_negatives: n_items must be positive, got " << n_items);
  const CsrView pos = positives;
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    neg_out[i] = sample_negative(pos, users[i], n_items, seed, step, i);
  }
}

}  // namespace gnnrec
