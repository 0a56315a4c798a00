// Negative sampling on a real graph (MovieLens latest-small, rating >= 3.5):
// no negative is a positive of its user, every item is in range, draws are
// uniform over the user's non-positive items (chi-square), the same
// (seed, step) gives the same samples on the CPU and on the GPU; plus the
// edge cases of full rows.
#include "kernels/sampling.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/csr.h"
#include "core/tensor.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

// The user -> item positives of ratings.csv (rating >= 3.5), raw ids mapped
// to dense ids in order of first appearance.
struct PositiveGraph {
  Csr positives;
  std::int32_t n_users = 0;
  std::int32_t n_items = 0;
};

// A small parser for `userId,movieId,rating,timestamp` (header first).
PositiveGraph read_movielens_positives(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  std::unordered_map<long, std::int32_t> user_ids, item_ids;
  std::vector<std::int32_t> users, items;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    char* cursor = line.data();
    const long raw_user = std::strtol(cursor, &cursor, 10);
    const long raw_item = std::strtol(cursor + 1, &cursor, 10);
    const double rating = std::strtod(cursor + 1, &cursor);
    if (rating < 3.5) continue;
    auto user = user_ids.emplace(raw_user, static_cast<std::int32_t>(user_ids.size())).first;
    auto item = item_ids.emplace(raw_item, static_cast<std::int32_t>(item_ids.size())).first;
    users.push_back(user->second);
    items.push_back(item->second);
  }
  PositiveGraph graph;
  graph.n_users = static_cast<std::int32_t>(user_ids.size());
  graph.n_items = static_cast<std::int32_t>(item_ids.size());
  graph.positives = Csr::from_coo(graph.n_users, graph.n_items, users, items);
  return graph;
}

// Loaded once for the whole suite; nullptr when the dataset is absent.
const PositiveGraph* movielens() {
  static const std::string path = testing::shared_dataset_path("ml-latest-small/ratings.csv");
  static const PositiveGraph* graph =
      path.empty() ? nullptr : new PositiveGraph(read_movielens_positives(path));
  return graph;
}

#define REQUIRE_MOVIELENS()                                                                 \
  if (movielens() == nullptr)                                                               \
  GTEST_SKIP() << "dataset ml-latest-small/ratings.csv not found under ../shared/datasets " \
                  "or .gpu/datasets"

// Negatives for `users` on `device` (the graph and the users copied there).
std::vector<std::int32_t> sample_on(Device device, const Csr& positives,
                                    const std::vector<std::int32_t>& users, std::int32_t n_items,
                                    std::uint64_t seed, std::uint64_t step) {
  const std::int64_t n = static_cast<std::int64_t>(users.size());
  const Csr graph = positives.to(device);
  Tensor user_ids = Tensor::from_vector(users, {n}, device);
  Tensor negatives = Tensor::zeros({n}, DType::I32, device);
  GNNREC_DISPATCH(device, sample_negatives, n, graph.view(), user_ids.data<std::int32_t>(), n_items,
                  seed, step, negatives.data<std::int32_t>());
  return negatives.to_vector<std::int32_t>();
}

// Every user, `per_user` times.
std::vector<std::int32_t> every_user(std::int32_t n_users, int per_user) {
  std::vector<std::int32_t> users;
  for (std::int32_t u = 0; u < n_users; ++u) users.insert(users.end(), per_user, u);
  return users;
}

class SamplingTest : public testing::DeviceTest {};

TEST(SamplingDataTest, MovieLensPositivesAsDocumented) {
  REQUIRE_MOVIELENS();
  EXPECT_EQ(movielens()->positives.nnz(), 61717);  // datasets/README.md
  EXPECT_EQ(movielens()->n_users, 610);
  EXPECT_EQ(movielens()->n_items, 7364);
}

TEST_P(SamplingTest, NegativesAreInRangeAndNeverPositives) {
  REQUIRE_MOVIELENS();
  const PositiveGraph& g = *movielens();
  const std::vector<std::int32_t> users = every_user(g.n_users, 64);
  for (std::uint64_t step = 0; step < 3; ++step) {
    const std::vector<std::int32_t> negatives =
        sample_on(device(), g.positives, users, g.n_items, 7, step);
    for (std::size_t i = 0; i < users.size(); ++i) {
      ASSERT_GE(negatives[i], 0) << "sample " << i;
      ASSERT_LT(negatives[i], g.n_items) << "sample " << i;
      ASSERT_FALSE(g.positives.contains(users[i], negatives[i]))
          << "sample " << i << ": item " << negatives[i] << " is a positive of user " << users[i];
    }
  }
}

TEST_P(SamplingTest, UniformOverNonPositivesChiSquare) {
  REQUIRE_MOVIELENS();
  const PositiveGraph& g = *movielens();
  // The heaviest user: the most rejections.
  const std::vector<std::int32_t> degrees = g.positives.row_degrees();
  const std::int32_t user =
      static_cast<std::int32_t>(std::max_element(degrees.begin(), degrees.end()) - degrees.begin());
  std::vector<std::int32_t> rank(g.n_items, -1);  // item -> rank among non-positives
  std::int32_t n_free = 0;
  for (std::int32_t item = 0; item < g.n_items; ++item) {
    if (!g.positives.contains(user, item)) rank[item] = n_free++;
  }
  ASSERT_GT(degrees[user], 1000) << "expected a heavy user";

  constexpr int n_samples = 200000;
  constexpr int n_bins = 50;
  const std::vector<std::int32_t> negatives = sample_on(
      device(), g.positives, std::vector<std::int32_t>(n_samples, user), g.n_items, 2024, 1);
  std::vector<double> counts(n_bins, 0.0), bin_size(n_bins, 0.0);
  for (std::int32_t r = 0; r < n_free; ++r)
    bin_size[static_cast<std::int64_t>(r) * n_bins / n_free] += 1;
  for (std::int32_t item : negatives) {
    ASSERT_GE(rank[item], 0) << "item " << item << " is a positive";
    counts[static_cast<std::int64_t>(rank[item]) * n_bins / n_free] += 1;
  }
  double chi_square = 0.0;
  for (int b = 0; b < n_bins; ++b) {
    const double expected = n_samples * bin_size[b] / n_free;
    chi_square += (counts[b] - expected) * (counts[b] - expected) / expected;
  }
  // 50 bins: 49 degrees of freedom; the critical value at p = 0.001 is 85.351.
  EXPECT_LT(chi_square, 85.351) << "user " << user << " with " << degrees[user] << " positives";
}

TEST_P(SamplingTest, SameSeedAndStepSameSamples) {
  REQUIRE_MOVIELENS();
  const PositiveGraph& g = *movielens();
  const std::vector<std::int32_t> users = every_user(g.n_users, 16);
  const auto first = sample_on(device(), g.positives, users, g.n_items, 99, 5);
  const auto again = sample_on(device(), g.positives, users, g.n_items, 99, 5);
  EXPECT_EQ(first, again);
  // Another step or seed: nearly all samples change (a repeat has
  // probability ~1 / (n_items - deg) ~ 1e-4 each).
  for (auto [seed, step] : {std::pair<std::uint64_t, std::uint64_t>{99, 6}, {100, 5}}) {
    const auto other = sample_on(device(), g.positives, users, g.n_items, seed, step);
    std::size_t n_same = 0;
    for (std::size_t i = 0; i < users.size(); ++i) n_same += first[i] == other[i];
    EXPECT_LT(n_same, users.size() / 100) << "seed " << seed << ", step " << step;
  }
}

TEST_P(SamplingTest, SameSamplesAsCpu) {
  REQUIRE_MOVIELENS();
  const PositiveGraph& g = *movielens();
  const std::vector<std::int32_t> users = every_user(g.n_users, 32);
  for (std::uint64_t step : {0ull, 1ull, 1ull << 40}) {
    EXPECT_EQ(sample_on(device(), g.positives, users, g.n_items, 12345, step),
              sample_on(Device::cpu(), g.positives, users, g.n_items, 12345, step))
        << "step " << step;
  }
}

TEST_P(SamplingTest, FullAndNearlyFullRows) {
  // 5 items. User 0 holds every item: -1. User 1 holds all but item 3: always
  // 3 (P(32 draws all positive) = 0.8^32 ~ 8e-4, so ~8 of 10,000 samples
  // take the fallback scan). User 2 holds nothing.
  constexpr std::int32_t n_items = 5;
  const Csr positives =
      Csr::from_coo(3, n_items, {0, 0, 0, 0, 0, 1, 1, 1, 1}, {0, 1, 2, 3, 4, 0, 1, 2, 4});
  constexpr int n_each = 10000;
  std::vector<std::int32_t> users = every_user(3, n_each);
  const std::vector<std::int32_t> negatives = sample_on(device(), positives, users, n_items, 3, 0);
  std::vector<int> free_counts(n_items, 0);
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (users[i] == 0) {
      ASSERT_EQ(negatives[i], -1) << "sample " << i;
    } else if (users[i] == 1) {
      ASSERT_EQ(negatives[i], 3) << "sample " << i;
    } else {
      ASSERT_GE(negatives[i], 0);
      ASSERT_LT(negatives[i], n_items);
      ++free_counts[negatives[i]];
    }
  }
  for (int count : free_counts) EXPECT_GT(count, n_each / n_items / 2);
  EXPECT_EQ(negatives, sample_on(Device::cpu(), positives, users, n_items, 3, 0));
}

GNNREC_INSTANTIATE_DEVICE_TESTS(SamplingTest);

}  // namespace
}  // namespace gnnrec
