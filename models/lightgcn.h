// LightGCN (He et al., "LightGCN: Simplifying and Powering Graph Convolution
// Network for Recommendation", SIGIR 2020).
//
// One embedding table E⁰ of shape (n_users + n_items, dim): users are rows
// 0..n_users-1, item i is row n_users + i. The graph is the user-item
// bipartite graph of the training edges, as a symmetric (n_nodes, n_nodes)
// adjacency A, normalized
//   Â = D^-1/2 A D^-1/2,      Â[u, i] = 1 / sqrt(deg(u) · deg(i)).
// Propagation has no weights and no nonlinearity:
//   E^(k+1) = Â E^k,          k = 0 .. K-1
//   E       = sum_k alpha_k E^k,   alpha_k = 1 / (K + 1)        (the layer mean)
// and a user-item score is the dot product of their rows of E:
//   score(u, i) = E[u] · E[n_users + i].
//
// Training loss for a batch of B triples (u, i, j), i a positive item of u
// and j a sampled negative:
//   L = (1/B) sum softplus(score(u, j) - score(u, i))                   (BPR)
//     + l2 / (2B) · sum (||E⁰[u]||² + ||E⁰[i]||² + ||E⁰[j]||²)          (on layer 0)
// The layer mean is one op, ag::propagation_mean (Horner's rule: one SpMM
// per layer, each adding alpha E⁰ to its output rows).
// Backward: dL/dE flows back through the layer mean (alpha_k to each E^k)
// and through each propagation as Âᵀ · dE^(k+1) = Â · dE^(k+1) (Â is
// symmetric), into dL/dE⁰. docs/LIGHTGCN.md walks one step down to the kernels.
//
// K = 0 is matrix factorization with BPR (BPR-MF), the built-in baseline.
#pragma once

#include <cstdint>

#include "core/autograd.h"
#include "core/csr.h"

namespace gnnrec {

struct LightGcnConfig {
  int layers = 3;         // K
  std::int64_t dim = 64;  // d
  float init_std = 0.1f;  // E⁰ ~ normal(0, init_std)
};

class LightGcn {
 public:
  LightGcn(std::int32_t n_users, std::int32_t n_items, const LightGcnConfig& config,
           std::uint64_t seed, Device device);

  // Â for the (n_users, n_items) training graph `train` (on the CPU), on `device`.
  static Csr normalized_adjacency(const Csr& train, Device device);

  // E = the layer mean, (n_users + n_items, dim), recorded on `tape`.
  ag::Var propagate(ag::Tape& tape, const Csr& adjacency) const;

  // The batch loss L above; users, positive_items and negative_items are i32
  // (B) on the model's device, item ids in [0, n_items).
  ag::Var bpr_loss(ag::Tape& tape, const Csr& adjacency, const Tensor& users,
                   const Tensor& positive_items, const Tensor& negative_items, float l2) const;

  struct Embeddings {
    Tensor users;  // (n_users, dim)
    Tensor items;  // (n_items, dim)
  };
  // E without a tape, for evaluation and recommendation.
  Embeddings final_embeddings(const Csr& adjacency) const;

  ag::Var& table() { return table_; }  // E⁰, the only parameter
  const ag::Var& table() const { return table_; }
  const LightGcnConfig& config() const { return config_; }
  std::int32_t n_users() const { return n_users_; }
  std::int32_t n_items() const { return n_items_; }

 private:
  std::int32_t n_users_;
  std::int32_t n_items_;
  LightGcnConfig config_;
  ag::Var table_;
};

}  // namespace gnnrec
