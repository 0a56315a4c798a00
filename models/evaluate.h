// Full-ranking evaluation (DESIGN decision 7): for every user with test
// items, score all items, mask the user's training items, take the top K
// and compare with the user's test items.
//
//   recall@K    = hits / |test items of u|
//   precision@K = hits / K
//   NDCG@K      = DCG / IDCG,  DCG = sum over hits at rank r (0-based) of 1/log2(r + 2),
//                 IDCG = the same for min(K, |test items|) hits at the top
//   hit rate@K  = 1 if any hit
// each averaged over the users that have test items (the LightGCN paper's
// definitions).
//
// Scores come from user·itemᵀ, one GEMM per chunk of users, on the
// embeddings' device; only the (chunk, K) top-K lists come back to the host.
// The most-popular baseline ranks items by their training degree, with the
// same mask, so the two are comparable on the same split.
#pragma once

#include <cstdint>

#include "core/csr.h"
#include "core/tensor.h"

namespace gnnrec {

struct RankingMetrics {
  int k = 0;
  double recall = 0.0;
  double precision = 0.0;
  double ndcg = 0.0;
  double hit_rate = 0.0;
  std::int64_t n_users = 0;  // users with test items
};

// user_emb (n_users, dim), item_emb (n_items, dim) on one device; train and
// test are (n_users, n_items) CSRs on the CPU.
RankingMetrics evaluate_ranking(const Tensor& user_emb, const Tensor& item_emb, const Csr& train,
                                const Csr& test, int k, std::int32_t users_per_chunk = 1024);

RankingMetrics most_popular_baseline(const Csr& train, const Csr& test, int k);

}  // namespace gnnrec
