// CUDA version of kernels/loss.h (the math is there): one thread per
// element over the same per-element bodies as the CPU reference. Backward
// reads the upstream gradient dloss[0] on the device in every thread (one
// cached load), so no value comes back to the host.
#include "kernels/cuda/launch.cuh"
#include "kernels/loss.h"

namespace gnnrec {

using cuda::launch_map;

template <>
void bpr_loss_forward<Cuda>(std::int64_t n, const float* pos, const float* neg, float* terms) {
  launch_map(n, [=] __device__(std::int64_t i) { terms[i] = bpr_term(pos[i], neg[i]); });
}

template <>
void bpr_loss_backward<Cuda>(std::int64_t n, float scale, const float* dloss, const float* pos,
                             const float* neg, float* dpos, float* dneg) {
  launch_map(n, [=] __device__(std::int64_t i) {
    const float g = scale * dloss[0];
    const float dneg_i = g * bpr_term_grad_neg(pos[i], neg[i]);
    if (dpos) dpos[i] -= dneg_i;
    if (dneg) dneg[i] += dneg_i;
  });
}

template <>
void bce_with_logits_forward<Cuda>(std::int64_t n, const float* logits, const float* labels,
                                   float* terms) {
  launch_map(
      n, [=] __device__(std::int64_t i) { terms[i] = bce_with_logits_term(logits[i], labels[i]); });
}

template <>
void bce_with_logits_backward<Cuda>(std::int64_t n, float scale, const float* dloss,
                                    const float* logits, const float* labels, float* dlogits) {
  launch_map(n, [=] __device__(std::int64_t i) {
    const float g = scale * dloss[0];
    dlogits[i] += g * bce_with_logits_grad(logits[i], labels[i]);
  });
}

template <>
void squared_l2_forward<Cuda>(std::int64_t n, const float* x, float* terms) {
  launch_map(n, [=] __device__(std::int64_t i) { terms[i] = x[i] * x[i]; });
}

template <>
void squared_l2_backward<Cuda>(std::int64_t n, float scale, const float* dloss, const float* x,
                               float* dx) {
  launch_map(n, [=] __device__(std::int64_t i) {
    const float g = scale * dloss[0];
    dx[i] += g * (2.0f * x[i]);
  });
}

}  // namespace gnnrec
