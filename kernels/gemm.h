// Dense matrix product, row-major:
//
//   C (m x n) = alpha * op(A) * op(B) + beta * C,  op(A) is (m x k), op(B) is (k x n),
//   op(X) = X or Xᵀ as trans_a / trans_b say.
//
// Shapes as stored: A is (m x k), or (k x m) when trans_a; B is (k x n), or
// (n x k) when trans_b. All contiguous. beta = 0 overwrites C (NaN in C is
// ignored); beta = 1 accumulates (gradients).
//
// Autograd uses it as: Y = X·Wᵀ (trans_b), dX += dY·W, dW += dYᵀ·X (trans_a).
// CPU: 6 x 16 tiles of C held in registers, explicit fused multiply-adds,
// each element summed in k order whatever the thread count (kernels/cpu/
// gemm.cpp). CUDA: cuBLAS sgemm in FP32 (no TF32), computing Cᵀ =
// op(B)ᵀ·op(A)ᵀ on the column-major view of the row-major buffers
// (KERNELS.md section 3). The two sum in different orders: they agree to a
// tolerance, not in every bit.
// Cost: 2·m·n·k flops; (m·k + k·n + m·n)·4 bytes at least, + 4·m·n when
// beta != 0 (C is read too). Compute bound for the shapes we use (k >= 32).
#pragma once

#include <cstdint>

#include "kernels/backend.h"

namespace gnnrec {

template <class Backend>
void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
          const float* a, const float* b, float beta, float* c);

}  // namespace gnnrec
