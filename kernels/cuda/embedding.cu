// CUDA version of kernels/embedding.h (the math is there): one thread per
// output element (i, c), so consecutive threads touch consecutive floats of
// a row. scatter_add_rows adds with float atomicAdd: repeated indices add in
// an unspecified order, so those rows may differ from the CPU reference in
// the last bits (KERNELS.md section 6); a deterministic sort-based version
// is the documented alternative when bits must repeat.
#include "kernels/cuda/launch.cuh"
#include "kernels/embedding.h"

namespace gnnrec {

using cuda::launch_map;

template <>
void gather_rows<Cuda>(std::int64_t n_idx, std::int64_t dim, const float* table,
                       const std::int32_t* idx, float* out) {
  launch_map(n_idx * dim, [=] __device__(std::int64_t e) {
    const std::int64_t i = e / dim;
    const std::int64_t c = e - i * dim;
    out[e] = table[static_cast<std::int64_t>(idx[i]) * dim + c];
  });
}

template <>
void scatter_add_rows<Cuda>(std::int64_t n_idx, std::int64_t dim, const float* dout,
                            const std::int32_t* idx, float* dtable) {
  launch_map(n_idx * dim, [=] __device__(std::int64_t e) {
    const std::int64_t i = e / dim;
    const std::int64_t c = e - i * dim;
    atomicAdd(dtable + static_cast<std::int64_t>(idx[i]) * dim + c, dout[e]);
  });
}

}  // namespace gnnrec
