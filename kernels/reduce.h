// Reductions.
//
//   sum:            out[0] = sum_i x[i]          (out is one float on x's device)
//   sum_backward:   dx[i] += scale * dout[0]     (mean: scale = 1/n; dout is on the device,
//                                                 so no host round trip)
//   column_sum:     out[c] (+)= sum_r x[r, c]    (the bias gradient; accumulate adds into out)
//
// Sums are computed in double on the CPU and as a fixed-shape tree on the GPU;
// the two differ in the last bits, so tests compare with a tolerance scaled
// by sum |x|. Cost: sum and column_sum read x once, 4 bytes per element for
// 1 add; sum_backward reads and writes dx, 8 bytes per element for 1 add.
#pragma once

#include <cstdint>

#include "kernels/backend.h"

namespace gnnrec {

template <class Backend>
void sum(std::int64_t n, const float* x, float* out);
template <class Backend>
void sum_backward(std::int64_t n, float scale, const float* dout, float* dx);
template <class Backend>
void column_sum(std::int64_t n_rows, std::int64_t n_cols, const float* x, float* out,
                bool accumulate);

}  // namespace gnnrec
