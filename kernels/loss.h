// Loss terms, per element; the mean is a sum (reduce.h) times 1/n.
//
// BPR (Rendle et al. 2009), one term per (user, positive, negative) triple,
// with x = pos - neg:
//   term = -log sigmoid(x) = softplus(-x) = max(-x, 0) + log1p(exp(-|x|))
//   d term / d pos = -sigmoid(-x),  d term / d neg = +sigmoid(-x)
//
// BCE with logits, one term per scored edge, label y in {0, 1}:
//   term = max(z, 0) - z * y + log1p(exp(-|z|))
//   d term / d z = sigmoid(z) - y
//
// Squared L2, one term per element:  term = x * x,  d term / d x = 2 x.
//
// Forward writes the terms; backward reads the upstream gradient of the
// *sum* of terms from the device (dloss[0]) times `scale` (1/n for a mean)
// and adds into the input gradients (BPR's dpos or dneg may be nullptr when
// not needed). Numerically stable for any |x|.
// Cost, per term: BPR forward 12 bytes (pos, neg, term), backward 24 (reads
// pos, neg, dpos, dneg; writes dpos, dneg); BCE forward 12, backward 16;
// squared L2 forward 8 / 1 flop, backward 12 / 3 flops. BPR and BCE add an
// exp and a log1p (or a division) to a few flops: memory bound.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/hd.h"
#include "kernels/backend.h"

namespace gnnrec {

// ---- Per-element bodies, shared by both backends (DESIGN decision 10) ----

GNNREC_HD inline float softplus_element(float x) {  // log(1 + exp(x)), stable
  return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
}
GNNREC_HD inline float sigmoid_element(float x) {  // stable for large |x|
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  float e = expf(x);
  return e / (1.0f + e);
}
GNNREC_HD inline float bpr_term(float pos, float neg) { return softplus_element(neg - pos); }
GNNREC_HD inline float bce_with_logits_term(float z, float y) {
  return fmaxf(z, 0.0f) - z * y + log1pf(expf(-fabsf(z)));
}
// d bpr_term / d neg = sigmoid(neg - pos); d bpr_term / d pos is its negative.
GNNREC_HD inline float bpr_term_grad_neg(float pos, float neg) {
  return sigmoid_element(neg - pos);
}
GNNREC_HD inline float bce_with_logits_grad(float z, float y) { return sigmoid_element(z) - y; }

// ---- Kernels ---------------------------------------------------------------

template <class Backend>
void bpr_loss_forward(std::int64_t n, const float* pos, const float* neg, float* terms);
template <class Backend>
void bpr_loss_backward(std::int64_t n, float scale, const float* dloss, const float* pos,
                       const float* neg, float* dpos, float* dneg);

template <class Backend>
void bce_with_logits_forward(std::int64_t n, const float* logits, const float* labels,
                             float* terms);
template <class Backend>
void bce_with_logits_backward(std::int64_t n, float scale, const float* dloss, const float* logits,
                              const float* labels, float* dlogits);

template <class Backend>
void squared_l2_forward(std::int64_t n, const float* x, float* terms);
template <class Backend>
void squared_l2_backward(std::int64_t n, float scale, const float* dloss, const float* x,
                         float* dx);

}  // namespace gnnrec
