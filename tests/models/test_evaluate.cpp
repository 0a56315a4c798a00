// Full-ranking evaluation against a brute-force computation: every score
// by a plain loop, every ranking by a full sort, every metric from its
// definition (models/evaluate.h). Embeddings hold small integers, so scores
// are exact on both backends and ties are common: they test the tie order
// (score descending, then item id ascending) too.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "models/evaluate.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

using gnnrec::testing::random_ints;

struct Problem {
  std::int32_t n_users, n_items, dim;
  std::vector<float> users, items;  // row-major embeddings
  Csr exclude, truth;
};

std::vector<float> small_integers(std::int64_t n, std::uint64_t seed) {
  std::vector<std::int32_t> ints = random_ints(n, seed, -3, 4);
  return std::vector<float>(ints.begin(), ints.end());
}

// Random exclude and truth graphs, disjoint, where every third user has no
// truth items (skipped) and user 1 has every item but one excluded.
Problem make_problem(std::int32_t n_users, std::int32_t n_items, std::uint64_t seed) {
  Problem p{
      n_users, n_items, 6, small_integers(n_users * 6, seed), small_integers(n_items * 6, seed + 1),
      {},      {}};
  std::vector<std::int32_t> draws = random_ints(4 * n_users * 4, seed + 2, 0, n_items);
  std::vector<std::int32_t> ex_rows, ex_cols, truth_rows, truth_cols;
  std::size_t next = 0;
  for (std::int32_t u = 0; u < n_users; ++u) {
    for (int e = 0; e < 4; ++e) {
      ex_rows.push_back(u);
      ex_cols.push_back(draws[next++]);
    }
    if (u == 1) {
      for (std::int32_t i = 1; i < n_items; ++i) {
        ex_rows.push_back(u);
        ex_cols.push_back(i);
      }
    }
  }
  p.exclude = Csr::from_coo(n_users, n_items, ex_rows, ex_cols);
  for (std::int32_t u = 0; u < n_users; ++u) {
    if (u % 3 == 2) continue;
    for (int e = 0; e < 1 + u % 5; ++e) {
      std::int32_t item = draws[next++ % draws.size()];
      if (!p.exclude.contains(u, item)) {
        truth_rows.push_back(u);
        truth_cols.push_back(item);
      }
    }
    if (u == 1) {  // item 0, the only one left to recommend
      truth_rows.push_back(u);
      truth_cols.push_back(0);
    }
  }
  p.truth = Csr::from_coo(n_users, n_items, truth_rows, truth_cols);
  return p;
}

// Metrics by definition, from a fully sorted list of unmasked items.
RankingReport brute_force(const Problem& p, const std::vector<int>& ks,
                          const std::vector<double>* popularity_order = nullptr) {
  RankingReport report;
  for (int k : ks) report.at_k.push_back(RankingMetrics{k});
  for (std::int32_t u = 0; u < p.n_users; ++u) {
    std::vector<std::int32_t> truth;
    for (std::int32_t i = 0; i < p.n_items; ++i) {
      if (p.truth.contains(u, i)) truth.push_back(i);
    }
    if (truth.empty()) {
      ++report.n_users_skipped;
      continue;
    }
    ++report.n_users_evaluated;
    std::vector<std::pair<double, std::int32_t>> scored;  // (-score, item): sorts best first
    for (std::int32_t i = 0; i < p.n_items; ++i) {
      if (p.exclude.contains(u, i)) continue;
      double score = 0;
      if (popularity_order) {
        score = (*popularity_order)[static_cast<std::size_t>(i)];
      } else {
        for (std::int32_t d = 0; d < p.dim; ++d) {
          score += static_cast<double>(p.users[static_cast<std::size_t>(u * p.dim + d)]) *
                   p.items[static_cast<std::size_t>(i * p.dim + d)];
        }
      }
      scored.emplace_back(-score, i);
    }
    std::sort(scored.begin(), scored.end());
    for (RankingMetrics& m : report.at_k) {
      double hits = 0, dcg = 0, idcg = 0;
      for (int r = 0; r < m.k; ++r) {
        if (r < static_cast<int>(scored.size()) &&
            std::count(truth.begin(), truth.end(), scored[static_cast<std::size_t>(r)].second)) {
          hits += 1;
          dcg += 1.0 / std::log2(r + 2.0);
        }
        if (r < static_cast<int>(truth.size())) idcg += 1.0 / std::log2(r + 2.0);
      }
      m.recall += hits / static_cast<double>(truth.size());
      m.precision += hits / m.k;
      m.ndcg += dcg / idcg;
      m.hit_rate += hits > 0;
    }
  }
  for (RankingMetrics& m : report.at_k) {
    m.recall /= static_cast<double>(report.n_users_evaluated);
    m.precision /= static_cast<double>(report.n_users_evaluated);
    m.ndcg /= static_cast<double>(report.n_users_evaluated);
    m.hit_rate /= static_cast<double>(report.n_users_evaluated);
  }
  return report;
}

void expect_reports_equal(const RankingReport& got, const RankingReport& want) {
  EXPECT_EQ(got.n_users_evaluated, want.n_users_evaluated);
  EXPECT_EQ(got.n_users_skipped, want.n_users_skipped);
  ASSERT_EQ(got.at_k.size(), want.at_k.size());
  for (std::size_t i = 0; i < got.at_k.size(); ++i) {
    SCOPED_TRACE("K = " + std::to_string(want.at_k[i].k));
    EXPECT_EQ(got.at_k[i].k, want.at_k[i].k);
    EXPECT_NEAR(got.at_k[i].recall, want.at_k[i].recall, 1e-12);
    EXPECT_NEAR(got.at_k[i].precision, want.at_k[i].precision, 1e-12);
    EXPECT_NEAR(got.at_k[i].ndcg, want.at_k[i].ndcg, 1e-12);
    EXPECT_NEAR(got.at_k[i].hit_rate, want.at_k[i].hit_rate, 1e-12);
  }
}

class EvaluateOnDevice : public gnnrec::testing::DeviceTest {};

TEST_P(EvaluateOnDevice, MatchesBruteForceWithTiesSkippedUsersAndRaggedChunks) {
  for (auto [n_users, n_items] : {std::pair{37, 53}, std::pair{64, 200}, std::pair{5, 9}}) {
    SCOPED_TRACE(std::to_string(n_users) + " users, " + std::to_string(n_items) + " items");
    const Problem p = make_problem(n_users, n_items, 100 + n_users);
    const std::vector<int> ks = {1, 5, std::min(n_items, 20)};
    const Tensor users = Tensor::from_vector(p.users, {n_users, p.dim}, device());
    const Tensor items = Tensor::from_vector(p.items, {n_items, p.dim}, device());
    const RankingReport want = brute_force(p, ks);
    EXPECT_GT(want.n_users_skipped, 0);
    for (std::int32_t chunk : {7, 1024}) {
      SCOPED_TRACE("chunk " + std::to_string(chunk));
      expect_reports_equal(evaluate_ranking(users, items, p.exclude, p.truth, ks, chunk), want);
    }
  }
}

GNNREC_INSTANTIATE_DEVICE_TESTS(EvaluateOnDevice);

TEST(MostPopularBaseline, MatchesBruteForce) {
  const Problem p = make_problem(41, 30, 7);
  const std::vector<std::int32_t> degree = p.exclude.col_degrees();
  // Popularity as a score: degree first, lower id wins ties (brute_force sorts by -score, id).
  std::vector<double> popularity(degree.begin(), degree.end());
  expect_reports_equal(most_popular_baseline(p.exclude, p.exclude, p.truth, {3, 10}),
                       brute_force(p, {3, 10}, &popularity));
}

// One user by hand: items scored 4, 3, 2, 1, 0 for items 0..4; item 0 is
// masked, the truth is {2, 4}. Top 2 = [1, 2]: one hit at rank 1.
TEST(EvaluateRanking, HandWorkedExample) {
  const Tensor user = Tensor::from_vector<float>({1}, {1, 1});
  const Tensor items = Tensor::from_vector<float>({4, 3, 2, 1, 0}, {5, 1});
  const Csr exclude = Csr::from_coo(1, 5, {0}, {0});
  const Csr truth = Csr::from_coo(1, 5, {0, 0}, {2, 4});
  const RankingReport r = evaluate_ranking(user, items, exclude, truth, {2});
  const RankingMetrics& m = r.at(2);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_DOUBLE_EQ(m.precision, 0.5);
  EXPECT_DOUBLE_EQ(m.hit_rate, 1.0);
  EXPECT_DOUBLE_EQ(m.ndcg, (1.0 / std::log2(3.0)) / (1.0 + 1.0 / std::log2(3.0)));
  EXPECT_THROW(r.at(20), Error);
}

TEST(EvaluateRanking, RejectsBadK) {
  const Problem p = make_problem(4, 9, 3);
  const Tensor users = Tensor::from_vector(p.users, {4, p.dim});
  const Tensor items = Tensor::from_vector(p.items, {9, p.dim});
  EXPECT_THROW(evaluate_ranking(users, items, p.exclude, p.truth, {10}), Error);  // > items
  EXPECT_THROW(evaluate_ranking(users, items, p.exclude, p.truth, {0}), Error);
  EXPECT_THROW(evaluate_ranking(users, items, p.exclude, p.truth, {}), Error);
  EXPECT_THROW(most_popular_baseline(p.exclude, p.exclude, p.truth, {129}), Error);
  EXPECT_THROW(evaluate_ranking(items, users, p.exclude, p.truth, {2}), Error);  // swapped
}

}  // namespace
}  // namespace gnnrec
