// Full-ranking evaluation (DESIGN decision 7): for every user with held-out
// ("truth") items, score all items, mask the items the user must not be
// recommended (its training items; for the test split also its validation
// items), take the top K and compare with the truth items.
//
//   recall@K    = hits / |truth items of u|
//   precision@K = hits / K
//   NDCG@K      = DCG / IDCG,  DCG = sum over hits at rank r (0-based) of 1/log2(r + 2),
//                 IDCG = the same for min(K, |truth items|) hits at the top
//   hit rate@K  = 1 if any hit
// each averaged over the users that have truth items (the LightGCN paper's
// definitions). Users without truth items are skipped and counted.
//
// Scores come from user·itemᵀ, one GEMM per chunk of users, on the
// embeddings' device; only the (chunk, max K) top-K lists come back to the
// host, and every K of the list is computed from the same ranked list.
// The most-popular baseline ranks items by their training degree, with the
// same mask, so the two are comparable on the same split.
#pragma once

#include <cstdint>
#include <vector>

#include "core/csr.h"
#include "core/tensor.h"

namespace gnnrec {

struct RankingMetrics {
  int k = 0;
  double recall = 0.0;
  double precision = 0.0;
  double ndcg = 0.0;
  double hit_rate = 0.0;
};

struct RankingReport {
  std::vector<RankingMetrics> at_k;    // one per K asked for, in that order
  std::int64_t n_users_evaluated = 0;  // users with truth items (the averages' denominator)
  std::int64_t n_users_skipped = 0;    // users without truth items
  // The metrics at `k`; an Error when k was not asked for.
  const RankingMetrics& at(int k) const;
};

// user_emb (n_users, dim) and item_emb (n_items, dim) on one device; exclude
// and truth are (n_users, n_items) CSRs on the CPU. Every K in `ks` must be
// in [1, kMaxTopK] and at most n_items. users_per_chunk bounds the GPU's
// score matrix; the CPU scores every user in one pass without one.
RankingReport evaluate_ranking(const Tensor& user_emb, const Tensor& item_emb, const Csr& exclude,
                               const Csr& truth, const std::vector<int>& ks,
                               std::int32_t users_per_chunk = 1024);

// Ranks items by their number of entries in `popularity` (the training
// graph), ties by item id, then masks and scores like evaluate_ranking.
RankingReport most_popular_baseline(const Csr& popularity, const Csr& exclude, const Csr& truth,
                                    const std::vector<int>& ks);

}  // namespace gnnrec
