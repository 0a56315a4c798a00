#include "models/evaluate.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/ops.h"

namespace gnnrec {
namespace {

// Adds one user's metrics given its ranked list (column ids, -1 = none).
void add_user_metrics(const std::int32_t* ranked, int k, const CsrView& test, std::int32_t user,
                      RankingMetrics& total) {
  const std::int32_t* test_begin = test.col_idx + test.row_ptr[user];
  const std::int32_t* test_end = test.col_idx + test.row_ptr[user + 1];
  const std::int64_t n_test = test_end - test_begin;
  double hits = 0.0, dcg = 0.0, idcg = 0.0;
  for (int r = 0; r < k; ++r) {
    if (ranked[r] >= 0 && std::binary_search(test_begin, test_end, ranked[r])) {
      hits += 1.0;
      dcg += 1.0 / std::log2(r + 2.0);
    }
    if (r < n_test) idcg += 1.0 / std::log2(r + 2.0);
  }
  total.recall += hits / static_cast<double>(n_test);
  total.precision += hits / k;
  total.ndcg += dcg / idcg;
  total.hit_rate += hits > 0 ? 1.0 : 0.0;
  total.n_users += 1;
}

void average(RankingMetrics& m) {
  if (m.n_users == 0) return;
  m.recall /= static_cast<double>(m.n_users);
  m.precision /= static_cast<double>(m.n_users);
  m.ndcg /= static_cast<double>(m.n_users);
  m.hit_rate /= static_cast<double>(m.n_users);
}

}  // namespace

RankingMetrics evaluate_ranking(const Tensor& user_emb, const Tensor& item_emb, const Csr& train,
                                const Csr& test, int k, std::int32_t users_per_chunk) {
  GNNREC_CHECK(train.device().is_cpu() && test.device().is_cpu(),
               "evaluate_ranking: pass the train and test CSRs on the CPU");
  GNNREC_CHECK(user_emb.rows() == train.n_rows() && item_emb.rows() == train.n_cols(),
               "evaluate_ranking: embeddings " << shape_str(user_emb.shape()) << " and "
                                               << shape_str(item_emb.shape())
                                               << " do not match the train graph");
  const Device device = user_emb.device();
  const Csr train_on_device = train.to(device);
  const CsrView test_view = test.view();
  RankingMetrics total;
  total.k = k;
  for (std::int32_t begin = 0; begin < train.n_rows(); begin += users_per_chunk) {
    std::int32_t end = std::min(train.n_rows(), begin + users_per_chunk);
    Tensor scores = ops::matmul(user_emb.slice_rows(begin, end), item_emb, false, true);
    ops::apply_row_mask_(scores, train_on_device, begin);
    std::vector<std::int32_t> top = ops::topk_rows(scores, k).indices.to_vector<std::int32_t>();
    for (std::int32_t u = begin; u < end; ++u) {
      if (test_view.row_ptr[u + 1] == test_view.row_ptr[u]) continue;
      add_user_metrics(top.data() + static_cast<std::int64_t>(u - begin) * k, k, test_view, u,
                       total);
    }
  }
  average(total);
  return total;
}

RankingMetrics most_popular_baseline(const Csr& train, const Csr& test, int k) {
  std::vector<std::int32_t> degree = train.col_degrees();
  std::vector<std::int32_t> by_popularity(degree.size());
  std::iota(by_popularity.begin(), by_popularity.end(), 0);
  std::stable_sort(by_popularity.begin(), by_popularity.end(),
                   [&](std::int32_t a, std::int32_t b) { return degree[a] > degree[b]; });
  const CsrView train_view = train.view();
  const CsrView test_view = test.view();
  RankingMetrics total;
  total.k = k;
  std::vector<std::int32_t> ranked(static_cast<std::size_t>(k));
  for (std::int32_t u = 0; u < train.n_rows(); ++u) {
    if (test_view.row_ptr[u + 1] == test_view.row_ptr[u]) continue;
    const std::int32_t* seen_begin = train_view.col_idx + train_view.row_ptr[u];
    const std::int32_t* seen_end = train_view.col_idx + train_view.row_ptr[u + 1];
    int filled = 0;
    for (std::int32_t item : by_popularity) {
      if (filled == k) break;
      if (!std::binary_search(seen_begin, seen_end, item)) ranked[filled++] = item;
    }
    std::fill(ranked.begin() + filled, ranked.end(), -1);
    add_user_metrics(ranked.data(), k, test_view, u, total);
  }
  average(total);
  return total;
}

}  // namespace gnnrec
