// BPR matrix factorization (Rendle et al., "BPR: Bayesian Personalized
// Ranking from Implicit Feedback", UAI 2009): the foundation's end-to-end
// model, and LightGCN with zero layers.
//
//   score(u, i) = e_u · e_i
//   loss = mean over triples (u, i, j) of -log sigmoid(score(u, i) - score(u, j))
//        + l2 * (||e_u||² + ||e_i||² + ||e_j||²) / (2 · batch)
// with i a positive item of u and j a sampled negative. Embeddings start
// normal with std 0.1.
//
// Shapes: user_emb (n_users, dim), item_emb (n_items, dim); users, pos, neg
// are i32 (batch).
#pragma once

#include <cstdint>

#include "core/autograd.h"

namespace gnnrec {

struct BprMf {
  ag::Var user_emb;
  ag::Var item_emb;

  BprMf(std::int32_t n_users, std::int32_t n_items, std::int64_t dim, float init_std,
        std::uint64_t seed, Device device);

  ag::Var loss(ag::Tape& tape, const Tensor& users, const Tensor& pos, const Tensor& neg,
               float l2) const;
};

// A (rows, cols) tensor of normal(0, std) values from Philox: the same on
// every backend for the same seed and `salt`.
Tensor normal_init(std::int64_t rows, std::int64_t cols, float std, std::uint64_t seed,
                   std::uint32_t salt, Device device);

}  // namespace gnnrec
