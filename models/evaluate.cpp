#include "models/evaluate.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/ops.h"
#include "kernels/topk.h"

namespace gnnrec {
namespace {

void check_arguments(const Csr& exclude, const Csr& truth, const std::vector<int>& ks) {
  GNNREC_CHECK(exclude.device().is_cpu() && truth.device().is_cpu(),
               "evaluation: pass the exclude and truth CSRs on the CPU");
  GNNREC_CHECK(exclude.n_rows() == truth.n_rows() && exclude.n_cols() == truth.n_cols(),
               "evaluation: the exclude graph is " << exclude.n_rows() << " x " << exclude.n_cols()
                                                   << " but the truth graph is " << truth.n_rows()
                                                   << " x " << truth.n_cols());
  GNNREC_CHECK(!ks.empty(), "evaluation: no K given");
  for (int k : ks) {
    GNNREC_CHECK(k >= 1 && k <= kMaxTopK && k <= truth.n_cols(),
                 "evaluation: K = " << k << " must be in [1, " << std::min(kMaxTopK, truth.n_cols())
                                    << "] (at most " << kMaxTopK << " and at most the "
                                    << truth.n_cols() << " items)");
  }
}

// Sums one user's metrics at every K, given its ranked list of max K items
// (item ids, -1 = none).
void add_user(const std::int32_t* ranked, const CsrView& truth, std::int32_t user,
              RankingReport& report) {
  const std::int32_t* truth_begin = truth.col_idx + truth.row_ptr[user];
  const std::int32_t* truth_end = truth.col_idx + truth.row_ptr[user + 1];
  const std::int64_t n_truth = truth_end - truth_begin;
  for (RankingMetrics& m : report.at_k) {
    double hits = 0.0, dcg = 0.0, idcg = 0.0;
    for (int r = 0; r < m.k; ++r) {
      if (ranked[r] >= 0 && std::binary_search(truth_begin, truth_end, ranked[r])) {
        hits += 1.0;
        dcg += 1.0 / std::log2(r + 2.0);
      }
      if (r < n_truth) idcg += 1.0 / std::log2(r + 2.0);
    }
    m.recall += hits / static_cast<double>(n_truth);
    m.precision += hits / m.k;
    m.ndcg += dcg / idcg;
    m.hit_rate += hits > 0 ? 1.0 : 0.0;
  }
  report.n_users_evaluated += 1;
}

RankingReport empty_report(const std::vector<int>& ks) {
  RankingReport report;
  for (int k : ks) report.at_k.push_back(RankingMetrics{k});
  return report;
}

void average(RankingReport& report) {
  if (report.n_users_evaluated == 0) return;
  const auto n = static_cast<double>(report.n_users_evaluated);
  for (RankingMetrics& m : report.at_k) {
    m.recall /= n;
    m.precision /= n;
    m.ndcg /= n;
    m.hit_rate /= n;
  }
}

bool has_truth(const CsrView& truth, std::int32_t user) {
  return truth.row_ptr[user + 1] > truth.row_ptr[user];
}

}  // namespace

const RankingMetrics& RankingReport::at(int k) const {
  for (const RankingMetrics& m : at_k) {
    if (m.k == k) return m;
  }
  GNNREC_FAIL("evaluation: K = " << k << " was not evaluated");
}

RankingReport evaluate_ranking(const Tensor& user_emb, const Tensor& item_emb, const Csr& exclude,
                               const Csr& truth, const std::vector<int>& ks,
                               std::int32_t users_per_chunk) {
  check_arguments(exclude, truth, ks);
  GNNREC_CHECK(user_emb.rows() == truth.n_rows() && item_emb.rows() == truth.n_cols(),
               "evaluation: embeddings " << shape_str(user_emb.shape()) << " and "
                                         << shape_str(item_emb.shape()) << " do not match the "
                                         << truth.n_rows() << " x " << truth.n_cols() << " graph");
  GNNREC_CHECK(users_per_chunk >= 1, "evaluation: users_per_chunk must be >= 1");
  const int max_k = *std::max_element(ks.begin(), ks.end());
  const Csr exclude_on_device = exclude.to(user_emb.device());
  const CsrView truth_view = truth.view();
  RankingReport report = empty_report(ks);
  // The CPU keeps no score matrix (ops::score_topk), so it takes every user
  // at once; a GPU chunk's scores are (users_per_chunk, items) floats.
  const std::int32_t chunk = user_emb.device().is_cpu() ? truth.n_rows() : users_per_chunk;
  for (std::int32_t begin = 0; begin < truth.n_rows(); begin += chunk) {
    const std::int32_t end = std::min(truth.n_rows(), begin + chunk);
    const std::vector<std::int32_t> top =
        ops::score_topk(user_emb.slice_rows(begin, end), item_emb, exclude_on_device, begin, max_k)
            .indices.to_vector<std::int32_t>();
    for (std::int32_t u = begin; u < end; ++u) {
      if (!has_truth(truth_view, u)) {
        report.n_users_skipped += 1;
        continue;
      }
      add_user(top.data() + static_cast<std::int64_t>(u - begin) * max_k, truth_view, u, report);
    }
  }
  average(report);
  return report;
}

RankingReport most_popular_baseline(const Csr& popularity, const Csr& exclude, const Csr& truth,
                                    const std::vector<int>& ks) {
  check_arguments(exclude, truth, ks);
  GNNREC_CHECK(popularity.n_cols() == truth.n_cols(),
               "most-popular baseline: the popularity graph has "
                   << popularity.n_cols() << " items, the truth graph " << truth.n_cols());
  const int max_k = *std::max_element(ks.begin(), ks.end());
  const std::vector<std::int32_t> degree = popularity.col_degrees();
  std::vector<std::int32_t> by_popularity(degree.size());
  std::iota(by_popularity.begin(), by_popularity.end(), 0);
  std::stable_sort(by_popularity.begin(), by_popularity.end(),
                   [&](std::int32_t a, std::int32_t b) { return degree[a] > degree[b]; });
  const CsrView exclude_view = exclude.view();
  const CsrView truth_view = truth.view();
  RankingReport report = empty_report(ks);
  std::vector<std::int32_t> ranked(static_cast<std::size_t>(max_k));
  for (std::int32_t u = 0; u < truth.n_rows(); ++u) {
    if (!has_truth(truth_view, u)) {
      report.n_users_skipped += 1;
      continue;
    }
    const std::int32_t* seen_begin = exclude_view.col_idx + exclude_view.row_ptr[u];
    const std::int32_t* seen_end = exclude_view.col_idx + exclude_view.row_ptr[u + 1];
    int filled = 0;
    for (std::int32_t item : by_popularity) {
      if (filled == max_k) break;
      if (!std::binary_search(seen_begin, seen_end, item)) ranked[filled++] = item;
    }
    std::fill(ranked.begin() + filled, ranked.end(), -1);
    add_user(ranked.data(), truth_view, u, report);
  }
  average(report);
  return report;
}

}  // namespace gnnrec
