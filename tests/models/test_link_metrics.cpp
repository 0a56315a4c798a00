// roc_auc (models/link_metrics.h): hand examples with and without ties,
// random scores with many ties against the pairwise definition, invariance
// to order, and errors.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "models/link_metrics.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

// The message of the gnnrec::Error that `f` throws ("" and a failure if none).
std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a gnnrec::Error";
  return "";
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "in: " << (text)

// The definition, O(n_pos · n_neg): the share of (positive, negative) pairs
// where the positive scores higher, a tie counting 1/2.
double pairwise_auc(const std::vector<float>& scores, const std::vector<float>& labels) {
  double wins = 0;
  double pairs = 0;
  for (std::size_t p = 0; p < scores.size(); ++p) {
    if (labels[p] != 1.0f) continue;
    for (std::size_t n = 0; n < scores.size(); ++n) {
      if (labels[n] != 0.0f) continue;
      wins += scores[p] > scores[n] ? 1.0 : scores[p] == scores[n] ? 0.5 : 0.0;
      pairs += 1;
    }
  }
  return wins / pairs;
}

TEST(RocAuc, PerfectReversedAndAllTied) {
  const std::vector<float> labels = {1, 0, 1, 0, 0};
  EXPECT_EQ(roc_auc({0.9f, 0.1f, 0.8f, 0.2f, 0.3f}, labels), 1.0);
  EXPECT_EQ(roc_auc({0.1f, 0.9f, 0.2f, 0.8f, 0.7f}, labels), 0.0);
  EXPECT_EQ(roc_auc({0.4f, 0.4f, 0.4f, 0.4f, 0.4f}, labels), 0.5);
  // Infinite scores sort like any others.
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(roc_auc({inf, -inf, 1.0f, 0.0f, -1.0f}, labels), 1.0);
}

TEST(RocAuc, SmallExampleWithTiesByHand) {
  // Positives score 3, 2, 2; negatives 2, 1, 3, 0.
  // Pairs (pos, neg): pos 3 beats 2, 1, 0 and ties 3 -> 3.5;
  //                   each pos 2 ties 2, beats 1, 0, loses to 3 -> 2.5 each.
  // AUC = (3.5 + 2.5 + 2.5) / (3 · 4) = 8.5 / 12.
  // By ranks: ascending 0 | 1 | 2 2 2 | 3 3 -> ranks 1, 2, 4 (x3), 6.5 (x2);
  // R_pos = 6.5 + 4 + 4 = 14.5, U = 14.5 - 3·4/2 = 8.5.
  const std::vector<float> scores = {3, 2, 2, 2, 1, 3, 0};
  const std::vector<float> labels = {1, 1, 1, 0, 0, 0, 0};
  EXPECT_DOUBLE_EQ(roc_auc(scores, labels), 8.5 / 12.0);
  EXPECT_DOUBLE_EQ(pairwise_auc(scores, labels), 8.5 / 12.0);
}

TEST(RocAuc, OnePositiveOneNegative) {
  EXPECT_EQ(roc_auc({0.7f, 0.2f}, {1, 0}), 1.0);
  EXPECT_EQ(roc_auc({0.2f, 0.7f}, {1, 0}), 0.0);
  EXPECT_EQ(roc_auc({0.5f, 0.5f}, {1, 0}), 0.5);
  EXPECT_EQ(roc_auc({0.0f, -0.0f}, {1, 0}), 0.5);  // +0 and -0 tie
}

TEST(RocAuc, MatchesThePairwiseDefinitionOnRandomScoresWithTies) {
  // Ragged sizes and class balances; scores rounded to `levels` values so
  // that most scores tie with others.
  std::mt19937_64 rng(2024);
  for (std::int64_t n : {2, 3, 31, 100, 1000, 2047}) {
    for (int levels : {1, 2, 5, 50}) {
      for (double positive_share : {0.05, 0.5, 0.9}) {
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        std::uniform_int_distribution<int> level(0, levels - 1);
        std::vector<float> scores(static_cast<std::size_t>(n)), labels(static_cast<std::size_t>(n));
        for (std::size_t i = 0; i < scores.size(); ++i) {
          labels[i] = unit(rng) < positive_share ? 1.0f : 0.0f;
          // Positives lean higher, so the AUC is not always near 0.5.
          const int bump = labels[i] == 1.0f && unit(rng) < 0.5 ? 1 : 0;
          scores[i] = static_cast<float>(std::min(level(rng) + bump, levels - 1)) * 0.25f - 1.0f;
        }
        labels[0] = 1.0f;  // both classes present
        labels[1] = 0.0f;
        SCOPED_TRACE("n " + std::to_string(n) + ", levels " + std::to_string(levels) +
                     ", positive share " + std::to_string(positive_share));
        const double reference = pairwise_auc(scores, labels);
        // The pairwise sum adds up to 1e6 halves and ones in double: exact.
        EXPECT_NEAR(roc_auc(scores, labels), reference, 1e-12);
        if (levels == 1) {
          EXPECT_EQ(roc_auc(scores, labels), 0.5);
        }
      }
    }
  }
}

TEST(RocAuc, IndependentOfOrderAndMonotoneTransforms) {
  const std::vector<float> labels = {1, 0, 0, 1, 1, 0, 1, 0, 0, 1};
  const std::vector<float> scores = {0.3f, 0.3f, 0.1f, 0.9f, 0.5f, 0.5f, 0.2f, 0.7f, 0.3f, 0.8f};
  const double auc = roc_auc(scores, labels);
  EXPECT_DOUBLE_EQ(auc, pairwise_auc(scores, labels));

  // Reversed order.
  EXPECT_DOUBLE_EQ(roc_auc({scores.rbegin(), scores.rend()}, {labels.rbegin(), labels.rend()}),
                   auc);
  // A monotone transform keeps the ranks; a negation turns AUC into 1 - AUC.
  std::vector<float> shifted, negated;
  for (float s : scores) {
    shifted.push_back(10.0f * s + 3.0f);
    negated.push_back(-s);
  }
  EXPECT_DOUBLE_EQ(roc_auc(shifted, labels), auc);
  EXPECT_DOUBLE_EQ(roc_auc(negated, labels), 1.0 - auc);
  // Swapping the classes too gives AUC back.
  std::vector<float> swapped;
  for (float l : labels) swapped.push_back(1.0f - l);
  EXPECT_DOUBLE_EQ(roc_auc(negated, swapped), auc);
}

TEST(RocAuc, Errors) {
  EXPECT_CONTAINS(error_message([] { roc_auc({0.1f, 0.2f}, {1}); }), "2 scores but 1 labels");
  EXPECT_CONTAINS(error_message([] {
                    roc_auc({0.1f, 0.2f}, {1, 1});
                  }),
                  "needs positives and negatives, got 2 positives and 0 negatives");
  EXPECT_CONTAINS(error_message([] {
                    roc_auc({0.1f, 0.2f}, {0, 0});
                  }),
                  "got 0 positives and 2 negatives");
  EXPECT_CONTAINS(error_message([] { roc_auc({}, {}); }), "got 0 positives and 0 negatives");
  EXPECT_CONTAINS(error_message([] {
                    roc_auc({0.1f, 0.2f, 0.3f}, {1, 0.5f, 0});
                  }),
                  "label 1 is 0.5, not 0 or 1");
  EXPECT_CONTAINS(error_message([] { roc_auc({0.1f, 0.2f}, {1, -1}); }), "label 1 is -1");
  EXPECT_CONTAINS(error_message([] {
                    roc_auc({0.1f, std::numeric_limits<float>::quiet_NaN()}, {1, 0});
                  }),
                  "score 1 is NaN");
}

}  // namespace
}  // namespace gnnrec
