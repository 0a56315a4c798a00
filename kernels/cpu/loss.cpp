// CPU reference of kernels/loss.h (the math is there): one OpenMP loop per
// kernel over the shared per-element bodies of the header. Backward reads
// the upstream gradient dloss[0] once and adds into the input gradients.
#include "kernels/loss.h"

#include "kernels/cpu/parallel.h"

namespace gnnrec {

template <>
void bpr_loss_forward<Cpu>(std::int64_t n, const float* pos, const float* neg, float* terms) {
#pragma omp parallel for schedule(                    \
    dynamic, cpu::kPieceTranscendentals) if (parallel \
                                             : n >= cpu::kMinParallelTranscendentals)
  for (std::int64_t i = 0; i < n; ++i) terms[i] = bpr_term(pos[i], neg[i]);
}

template <>
void bpr_loss_backward<Cpu>(std::int64_t n, float scale, const float* dloss, const float* pos,
                            const float* neg, float* dpos, float* dneg) {
  const float g = scale * dloss[0];
#pragma omp parallel for schedule(                    \
    dynamic, cpu::kPieceTranscendentals) if (parallel \
                                             : n >= cpu::kMinParallelTranscendentals)
  for (std::int64_t i = 0; i < n; ++i) {
    const float dneg_i = g * bpr_term_grad_neg(pos[i], neg[i]);
    if (dpos) dpos[i] -= dneg_i;
    if (dneg) dneg[i] += dneg_i;
  }
}

template <>
void bce_with_logits_forward<Cpu>(std::int64_t n, const float* logits, const float* labels,
                                  float* terms) {
#pragma omp parallel for schedule(                    \
    dynamic, cpu::kPieceTranscendentals) if (parallel \
                                             : n >= cpu::kMinParallelTranscendentals)
  for (std::int64_t i = 0; i < n; ++i) terms[i] = bce_with_logits_term(logits[i], labels[i]);
}

template <>
void bce_with_logits_backward<Cpu>(std::int64_t n, float scale, const float* dloss,
                                   const float* logits, const float* labels, float* dlogits) {
  const float g = scale * dloss[0];
#pragma omp parallel for schedule(                    \
    dynamic, cpu::kPieceTranscendentals) if (parallel \
                                             : n >= cpu::kMinParallelTranscendentals)
  for (std::int64_t i = 0; i < n; ++i) {
    dlogits[i] += g * bce_with_logits_grad(logits[i], labels[i]);
  }
}

template <>
void squared_l2_forward<Cpu>(std::int64_t n, const float* x, float* terms) {
#pragma omp parallel for simd schedule(dynamic,                          \
                                       cpu::kPieceElements) if (parallel \
                                                                : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i) terms[i] = x[i] * x[i];
}

template <>
void squared_l2_backward<Cpu>(std::int64_t n, float scale, const float* dloss, const float* x,
                              float* dx) {
  const float g = scale * dloss[0];
#pragma omp parallel for simd schedule(dynamic,                          \
                                       cpu::kPieceElements) if (parallel \
                                                                : n >= cpu::kMinParallelElements)
  for (std::int64_t i = 0; i < n; ++i) dx[i] += g * (2.0f * x[i]);
}

}  // namespace gnnrec
