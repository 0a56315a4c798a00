// Top-K per row and the row mask: a hand example with ties, -inf and NaN
// never selected, short rows padded with -inf / -1, padding columns (ld >
// n_cols) ignored, the mask with a row offset; random inputs against a
// brute-force full sort, and the GPU identical to the CPU reference; the
// fused score_topk_rows equal to gemm + mask + top-K.
#include "kernels/topk.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/csr.h"
#include "core/tensor.h"
#include "kernels/gemm.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

struct TopK {
  std::vector<float> values;          // (n_rows, k)
  std::vector<std::int32_t> indices;  // (n_rows, k)
};

TopK topk_on(Device device, std::int64_t n_rows, std::int64_t n_cols, std::int64_t ld,
             const std::vector<float>& scores, int k) {
  Tensor s = Tensor::from_vector(scores, {n_rows, ld}, device);
  Tensor values = Tensor::zeros({n_rows, k}, DType::F32, device);
  Tensor indices = Tensor::zeros({n_rows, k}, DType::I32, device);
  GNNREC_DISPATCH(device, topk_rows, n_rows, n_cols, ld, s.data<float>(), k, values.data<float>(),
                  indices.data<std::int32_t>());
  return {values.to_vector<float>(), indices.to_vector<std::int32_t>()};
}

// Brute force: every candidate of each row (not -inf, not NaN), fully
// sorted by (score descending, column ascending).
using SortedRows = std::vector<std::vector<std::pair<float, std::int32_t>>>;

SortedRows sort_rows(std::int64_t n_rows, std::int64_t n_cols, std::int64_t ld,
                     const std::vector<float>& scores) {
  SortedRows rows(n_rows);
  for (std::int64_t r = 0; r < n_rows; ++r) {
    for (std::int64_t c = 0; c < n_cols; ++c) {
      const float v = scores[r * ld + c];
      if (!std::isnan(v) && v != -kInf) rows[r].emplace_back(v, static_cast<std::int32_t>(c));
    }
    std::sort(rows[r].begin(), rows[r].end(), [](const auto& a, const auto& b) {
      return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
  }
  return rows;
}

// The first k of each sorted row, padded with -inf / -1.
TopK first_k(const SortedRows& rows, int k) {
  const std::int64_t n_rows = static_cast<std::int64_t>(rows.size());
  TopK out{std::vector<float>(n_rows * k, -kInf), std::vector<std::int32_t>(n_rows * k, -1)};
  for (std::int64_t r = 0; r < n_rows; ++r) {
    for (int j = 0; j < k && j < static_cast<int>(rows[r].size()); ++j) {
      out.values[r * k + j] = rows[r][j].first;
      out.indices[r * k + j] = rows[r][j].second;
    }
  }
  return out;
}

TopK topk_by_full_sort(std::int64_t n_rows, std::int64_t n_cols, std::int64_t ld,
                       const std::vector<float>& scores, int k) {
  return first_k(sort_rows(n_rows, n_cols, ld, scores), k);
}

// Random scores quantized to 1/16 so that ties are common, with some -inf
// and NaN, and `garbage` in the padding columns [n_cols, ld).
std::vector<float> random_scores(std::int64_t n_rows, std::int64_t n_cols, std::int64_t ld,
                                 std::uint64_t seed, float garbage) {
  std::vector<float> values = testing::random_floats(n_rows * ld, seed, -4.0f, 4.0f);
  std::vector<std::int32_t> kind = testing::random_ints(n_rows * ld, seed + 1, 0, 20);
  for (std::int64_t i = 0; i < n_rows * ld; ++i) {
    values[i] = std::round(values[i] * 16.0f) / 16.0f;
    if (kind[i] == 0) values[i] = -kInf;
    if (kind[i] == 1) values[i] = kNaN;
    if (i % ld >= n_cols) values[i] = garbage;
  }
  return values;
}

class TopKTest : public testing::DeviceTest {};

TEST_P(TopKTest, HandExampleWithTies) {
  // Ties are ordered by column ascending; NaN and -inf are skipped.
  const std::vector<float> scores = {1.0f, 3.0f, 3.0f, kNaN, -kInf, 2.0f, 3.0f, 0.5f};
  const TopK top = topk_on(device(), 1, 8, 8, scores, 4);
  EXPECT_EQ(top.values, (std::vector<float>{3.0f, 3.0f, 3.0f, 2.0f}));
  EXPECT_EQ(top.indices, (std::vector<std::int32_t>{1, 2, 6, 5}));
}

TEST_P(TopKTest, ShortRowsArePaddedWithMinusInfAndMinusOne) {
  // Row 0: one candidate. Row 1: none. Row 2: two, k = 3.
  const std::vector<float> scores = {-kInf, kNaN,  5.0f,  //
                                     kNaN,  -kInf, kNaN,  //
                                     -1.0f, -kInf, -2.0f};
  const TopK top = topk_on(device(), 3, 3, 3, scores, 3);
  EXPECT_EQ(top.values,
            (std::vector<float>{5.0f, -kInf, -kInf, -kInf, -kInf, -kInf, -1.0f, -2.0f, -kInf}));
  EXPECT_EQ(top.indices, (std::vector<std::int32_t>{2, -1, -1, -1, -1, -1, 0, 2, -1}));
}

TEST_P(TopKTest, KOneAndPlusInfinity) {
  // +inf is a score like any other (only -inf and NaN are excluded).
  const std::vector<float> scores = {1.0f, kInf, 7.0f, kInf, 2.0f, 2.0f};
  const TopK top = topk_on(device(), 2, 3, 3, scores, 1);
  EXPECT_EQ(top.values, (std::vector<float>{kInf, kInf}));
  EXPECT_EQ(top.indices, (std::vector<std::int32_t>{1, 0}));
}

TEST_P(TopKTest, PaddingColumnsAreIgnored) {
  // ld = 5 > n_cols = 3: the padding holds huge values and NaN.
  const std::vector<float> scores = {1.0f, 2.0f, 3.0f, 1e30f, kNaN,  //
                                     6.0f, 5.0f, 4.0f, kInf,  1e30f};
  const TopK top = topk_on(device(), 2, 3, 5, scores, 2);
  EXPECT_EQ(top.values, (std::vector<float>{3.0f, 2.0f, 6.0f, 5.0f}));
  EXPECT_EQ(top.indices, (std::vector<std::int32_t>{2, 1, 0, 1}));
}

TEST_P(TopKTest, RejectsKOutOfRange) {
  const std::vector<float> scores = {1.0f};
  EXPECT_THROW(topk_on(device(), 1, 1, 1, scores, 0), Error);
  EXPECT_THROW(topk_on(device(), 1, 1, 1, scores, kMaxTopK + 1), Error);
}

TEST_P(TopKTest, RandomRowsMatchFullSortAndCpu) {
  // k = 50 exercises the middle register-list capacity (64) on the GPU.
  for (std::int64_t n_rows : testing::test_row_counts()) {
    for (std::int64_t n_cols : {1, 17, 64, 1000, 40981}) {
      if (n_rows * n_cols > 1'300'000) continue;  // keep the suite fast
      const std::int64_t ld = n_cols + 3;
      const std::vector<float> scores =
          random_scores(n_rows, n_cols, ld, static_cast<std::uint64_t>(n_rows * n_cols), 1e30f);
      const SortedRows sorted = sort_rows(n_rows, n_cols, ld, scores);
      for (int k : {1, 20, 50, 128}) {
        const TopK got = topk_on(device(), n_rows, n_cols, ld, scores, k);
        const TopK ref = first_k(sorted, k);
        EXPECT_EQ(got.indices, ref.indices) << n_rows << " x " << n_cols << ", k = " << k;
        EXPECT_EQ(got.values, ref.values) << n_rows << " x " << n_cols << ", k = " << k;
        if (device().is_cuda()) {  // the CPU reference itself, for identical output
          const TopK cpu = topk_on(Device::cpu(), n_rows, n_cols, ld, scores, k);
          EXPECT_EQ(got.indices, cpu.indices) << n_rows << " x " << n_cols << ", k = " << k;
          EXPECT_EQ(got.values, cpu.values) << n_rows << " x " << n_cols << ", k = " << k;
        }
      }
    }
  }
}

TEST_P(TopKTest, AscendingAndDescendingRows) {
  // Worst and best orders for the per-lane insertion lists: a row that
  // increases makes every column an insertion.
  constexpr std::int64_t n_cols = 5000;
  std::vector<float> scores(2 * n_cols);
  for (std::int64_t c = 0; c < n_cols; ++c) {
    scores[c] = static_cast<float>(c);
    scores[n_cols + c] = static_cast<float>(n_cols - c);
  }
  for (int k : {1, 32, 33, 64, 65, 128}) {
    const TopK got = topk_on(device(), 2, n_cols, n_cols, scores, k);
    EXPECT_EQ(got.indices, topk_by_full_sort(2, n_cols, n_cols, scores, k).indices) << k;
  }
}

TEST_P(TopKTest, RowMaskWithOffset) {
  // A mask of 6 users; the chunk is users 2..4 (row_offset 2).
  constexpr std::int64_t n_rows = 3, n_cols = 6, ld = 8;
  const Csr mask = Csr::from_coo(6, n_cols, {0, 2, 2, 3, 4, 4, 4, 5}, {1, 0, 5, 3, 1, 2, 4, 0});
  const std::vector<float> scores = testing::random_floats(n_rows * ld, 5);
  const Csr device_mask = mask.to(device());
  Tensor s = Tensor::from_vector(scores, {n_rows, ld}, device());
  GNNREC_DISPATCH(device(), apply_row_mask, n_rows, ld, device_mask.view(), 2, s.data<float>());
  const std::vector<float> masked = s.to_vector<float>();
  for (std::int64_t r = 0; r < n_rows; ++r) {
    for (std::int64_t c = 0; c < ld; ++c) {
      const bool in_mask = c < n_cols && mask.contains(static_cast<std::int32_t>(r + 2),
                                                       static_cast<std::int32_t>(c));
      if (in_mask) {
        EXPECT_EQ(masked[r * ld + c], -kInf) << r << ", " << c;
      } else {
        EXPECT_EQ(masked[r * ld + c], scores[r * ld + c]) << r << ", " << c;
      }
    }
  }
  // Top-K after the mask never returns a masked item.
  const TopK top = topk_on(device(), n_rows, n_cols, ld, masked, 6);
  for (std::int64_t r = 0; r < n_rows; ++r) {
    for (int j = 0; j < 6; ++j) {
      const std::int32_t item = top.indices[r * 6 + j];
      if (item >= 0) {
        EXPECT_FALSE(mask.contains(static_cast<std::int32_t>(r + 2), item));
      }
    }
  }
  EXPECT_THROW(
      GNNREC_DISPATCH(device(), apply_row_mask, n_rows, ld, device_mask.view(), 4, s.data<float>()),
      Error);
}

TEST_P(TopKTest, MaskedRandomChunkMatchesCpu) {
  constexpr std::int64_t n_users = 300, n_rows = 100, n_cols = 2000;
  constexpr std::int32_t row_offset = 150;
  const std::vector<std::int32_t> mask_users = testing::random_ints(20000, 1, 0, n_users);
  const std::vector<std::int32_t> mask_items = testing::random_ints(20000, 2, 0, n_cols);
  const Csr mask = Csr::from_coo(n_users, n_cols, mask_users, mask_items);
  std::vector<float> scores = testing::random_floats(n_rows * n_cols, 3);
  std::vector<float> cpu_scores = scores;
  apply_row_mask<Cpu>(n_rows, n_cols, mask.view(), row_offset, cpu_scores.data());
  const Csr device_mask = mask.to(device());
  Tensor s = Tensor::from_vector(scores, {n_rows, n_cols}, device());
  GNNREC_DISPATCH(device(), apply_row_mask, n_rows, n_cols, device_mask.view(), row_offset,
                  s.data<float>());
  const std::vector<float> masked = s.to_vector<float>();
  EXPECT_EQ(masked, cpu_scores);
  const TopK got = topk_on(device(), n_rows, n_cols, n_cols, masked, 20);
  const TopK ref = topk_by_full_sort(n_rows, n_cols, n_cols, cpu_scores, 20);
  EXPECT_EQ(got.indices, ref.indices);
  EXPECT_EQ(got.values, ref.values);
}

GNNREC_INSTANTIATE_DEVICE_TESTS(TopKTest);

// score_topk_rows (CPU only) against what it replaces: gemm, apply_row_mask
// and topk_rows, and against a full sort of the masked scores. Embeddings
// are multiples of 1/4, so many scores tie exactly. Sizes cross the user
// blocks (96 rows), the item blocks (256 columns) and the 6 x 16 tiles
// raggedly; some rows are masked almost entirely, so their lists end in -1.
TEST(ScoreTopK, EqualsGemmMaskAndTopK) {
  struct Size {
    std::int64_t n_users, n_rows, n_cols, dim;
  };
  for (const Size& size : {Size{1, 1, 1, 1}, Size{9, 5, 17, 3}, Size{120, 97, 300, 64},
                           Size{260, 200, 529, 16}, Size{13, 13, 1000, 33}}) {
    const auto [n_users, n_rows, n_cols, dim] = size;
    const std::int32_t row_offset = static_cast<std::int32_t>(n_users - n_rows);
    const auto seed = static_cast<std::uint64_t>(n_rows * n_cols + dim);
    std::vector<float> users = testing::random_floats(n_rows * dim, seed, -2.0f, 2.0f);
    std::vector<float> items = testing::random_floats(n_cols * dim, seed + 1, -2.0f, 2.0f);
    for (float& x : users) x = std::round(x * 4.0f) / 4.0f;
    for (float& x : items) x = std::round(x * 4.0f) / 4.0f;
    // Each user masks a random number of items, up to all of them.
    std::vector<std::int32_t> mask_users, mask_items;
    const std::vector<std::int32_t> counts =
        testing::random_ints(n_users, seed + 2, 0, static_cast<std::int32_t>(n_cols + 1));
    for (std::int32_t u = 0; u < n_users; ++u) {
      const std::vector<std::int32_t> picked =
          testing::random_ints(counts[u], seed + 3 + u, 0, static_cast<std::int32_t>(n_cols));
      for (std::int32_t item : picked) {
        mask_users.push_back(u);
        mask_items.push_back(item);
      }
    }
    const Csr mask = Csr::from_coo(static_cast<std::int32_t>(n_users),
                                   static_cast<std::int32_t>(n_cols), mask_users, mask_items);
    std::vector<float> scores(static_cast<std::size_t>(n_rows * n_cols));
    gemm<Cpu>(false, true, n_rows, n_cols, dim, 1.0f, users.data(), items.data(), 0.0f,
              scores.data());
    apply_row_mask<Cpu>(n_rows, n_cols, mask.view(), row_offset, scores.data());
    const SortedRows sorted = sort_rows(n_rows, n_cols, n_cols, scores);
    for (int k : {1, 20, 128}) {
      SCOPED_TRACE(std::to_string(n_rows) + " x " + std::to_string(n_cols) + ", dim " +
                   std::to_string(dim) + ", k " + std::to_string(k));
      const TopK want = topk_on(Device::cpu(), n_rows, n_cols, n_cols, scores, k);
      TopK got{std::vector<float>(n_rows * k), std::vector<std::int32_t>(n_rows * k)};
      score_topk_rows<Cpu>(n_rows, n_cols, dim, users.data(), items.data(), mask.view(), row_offset,
                           k, got.values.data(), got.indices.data());
      EXPECT_EQ(got.indices, want.indices);
      EXPECT_EQ(got.values, want.values);
      EXPECT_EQ(got.indices, first_k(sorted, k).indices);
    }
  }
}

TEST(ScoreTopK, RejectsBadKAndMaskRows) {
  const std::vector<float> users = {1.0f, 2.0f}, items = {3.0f, 4.0f};
  const Csr mask = Csr::from_coo(1, 2, {0}, {1});
  std::vector<float> values(4);
  std::vector<std::int32_t> indices(4);
  EXPECT_THROW(score_topk_rows<Cpu>(1, 2, 1, users.data(), items.data(), mask.view(), 0, 0,
                                    values.data(), indices.data()),
               Error);
  EXPECT_THROW(score_topk_rows<Cpu>(1, 2, 1, users.data(), items.data(), mask.view(), 1, 2,
                                    values.data(), indices.data()),
               Error);
  score_topk_rows<Cpu>(1, 2, 1, users.data(), items.data(), mask.view(), 0, 2, values.data(),
                       indices.data());
  EXPECT_EQ(indices[0], 0);  // item 1 is masked
  EXPECT_EQ(indices[1], -1);
}

}  // namespace
}  // namespace gnnrec
