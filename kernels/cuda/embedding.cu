// CUDA version of kernels/embedding.h (the math is there): one thread per
// output element (i, c), so consecutive threads touch consecutive floats of
// a row. scatter_add_rows adds with float atomicAdd: repeated indices add in
// an unspecified order, so those rows may differ from the CPU reference in
// the last bits (KERNELS.md section 6); a deterministic sort-based version
// is the documented alternative when bits must repeat. gathered_row_dot is
// row_dot's warp per row over the indexed rows; its backward adds with
// atomicAdd as scatter_add_rows does.
#include "kernels/cuda/launch.cuh"
#include "kernels/embedding.h"

namespace gnnrec {

using cuda::launch_map;
using cuda::launch_warp_rows;
using cuda::warp_sum;

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

template <>
void gathered_row_dot<Cuda>(std::int64_t n_idx, std::int64_t dim, const float* a,
                            const std::int32_t* a_idx, const float* b, const std::int32_t* b_idx,
                            float* out) {
  launch_warp_rows(n_idx, [=] __device__(std::int64_t i, int lane) {
    const float* a_row = a + static_cast<std::int64_t>(a_idx[i]) * dim;
    const float* b_row = b + static_cast<std::int64_t>(b_idx[i]) * dim;
    float acc = 0.0f;
    for (std::int64_t c = lane; c < dim; c += cuda::kWarpSize) acc += a_row[c] * b_row[c];
    acc = warp_sum(acc);
    if (lane == 0) out[i] = acc;
  });
}

template <>
void gathered_row_dot_backward<Cuda>(std::int64_t n_idx, std::int64_t dim, const float* dout,
                                     const float* a, const std::int32_t* a_idx, const float* b,
                                     const std::int32_t* b_idx, float* da, float* db) {
  launch_map(n_idx * dim, [=] __device__(std::int64_t e) {
    const std::int64_t i = e / dim;
    const std::int64_t c = e - i * dim;
    const std::int64_t a_at = static_cast<std::int64_t>(a_idx[i]) * dim + c;
    const std::int64_t b_at = static_cast<std::int64_t>(b_idx[i]) * dim + c;
    if (da) atomicAdd(da + a_at, dout[i] * b[b_at]);
    if (db) atomicAdd(db + b_at, dout[i] * a[a_at]);
  });
}

}  // namespace gnnrec
