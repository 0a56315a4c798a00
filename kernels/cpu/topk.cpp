// CPU reference of kernels/topk.h (the math is there). Per row, one pass
// over the columns keeps the best k seen so far, sorted by (score
// descending, column ascending): a column enters only when it ranks before
// the current k-th, so most columns cost one comparison and nothing is
// copied. Scores of -inf or NaN (not > -inf) are never candidates; the list
// is padded with -inf / -1. OpenMP over rows. The mask writes -inf at each
// (row, item) of the mask's rows row_offset .. row_offset + n_rows - 1.
//
// score_topk_rows does the same as gemm (U·Iᵀ), apply_row_mask and
// topk_rows, without the score matrix: a block of kRowBlock users is scored
// against kColumnBlock items at a time by the gemm's register tiles
// (kernels/cpu/gemm_tiles.h) into a buffer that stays in L2, masked there
// (each mask row is sorted, so a cursor per user walks it block by block),
// and offered to each user's running best k. The scores are the same floats
// as gemm's (the same fma sequence), so the result is the same as the three
// kernels'. The item table is packed once per call.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu/gemm_tiles.h"
#include "kernels/topk.h"

namespace gnnrec {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct Candidate {
  float value;
  std::int32_t index;
};

// The order of the output: higher score first, then lower column.
bool ranks_before(const Candidate& a, const Candidate& b) {
  return a.value > b.value || (a.value == b.value && a.index < b.index);
}

// One row's best k so far, in output order. Columns must be offered in
// ascending order: then a score equal to the k-th ranks after it.
class BestK {
 public:
  explicit BestK(int k) : k_(static_cast<std::size_t>(k)) { best_.reserve(k_ + 1); }

  void clear() {
    best_.clear();
    kth_value_ = kNegInf;
  }

  // Scores of columns first_column .. first_column + n - 1. Once the list
  // is full, most groups of kGroup scores hold none above the k-th: one
  // vector comparison skips them.
  void offer(const float* scores, std::int64_t n, std::int64_t first_column) {
    constexpr std::int64_t kGroup = 16;
    for (std::int64_t group = 0; group < n; group += kGroup) {
      const std::int64_t group_end = std::min(n, group + kGroup);
      const float kth_value = kth_value_;
      int n_above = 0;
#pragma omp simd reduction(+ : n_above)
      for (std::int64_t c = group; c < group_end; ++c) n_above += scores[c] > kth_value ? 1 : 0;
      if (n_above == 0) continue;
      for (std::int64_t c = group; c < group_end; ++c) {
        if (!(scores[c] > kth_value_)) continue;
        const Candidate candidate{scores[c], static_cast<std::int32_t>(first_column + c)};
        best_.insert(std::upper_bound(best_.begin(), best_.end(), candidate, ranks_before),
                     candidate);
        if (best_.size() > k_) best_.pop_back();
        if (best_.size() == k_) kth_value_ = best_.back().value;
      }
    }
  }

  // k values and indices, padded with -inf / -1.
  void write(float* values, std::int32_t* indices) const {
    for (std::size_t j = 0; j < k_; ++j) {
      const bool present = j < best_.size();
      values[j] = present ? best_[j].value : kNegInf;
      indices[j] = present ? best_[j].index : -1;
    }
  }

 private:
  std::size_t k_;
  std::vector<Candidate> best_;
  float kth_value_ = kNegInf;  // the k-th best score once there are k
};

void check_k(const char* name, int k) {
  GNNREC_CHECK(k >= 1 && k <= kMaxTopK,
               name << ": k = " << k << " outside [1, " << kMaxTopK << "]");
}

}  // namespace

template <>
void apply_row_mask<Cpu>(std::int64_t n_rows, std::int64_t ld, const CsrView& mask,
                         std::int32_t row_offset, float* scores) {
  check_row_mask_arguments(n_rows, ld, mask, row_offset);
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < n_rows; ++r) {
    const std::int32_t mask_row = row_offset + static_cast<std::int32_t>(r);
    for (std::int32_t p = mask.row_ptr[mask_row]; p < mask.row_ptr[mask_row + 1]; ++p) {
      scores[r * ld + mask.col_idx[p]] = kNegInf;
    }
  }
}

template <>
void topk_rows<Cpu>(std::int64_t n_rows, std::int64_t n_cols, std::int64_t ld, const float* scores,
                    int k, float* top_values, std::int32_t* top_indices) {
  check_k("topk_rows", k);
  GNNREC_CHECK(ld >= n_cols, "topk_rows: ld " << ld << " < n_cols " << n_cols);
#pragma omp parallel
  {
    BestK best(k);
#pragma omp for schedule(dynamic, 16)
    for (std::int64_t r = 0; r < n_rows; ++r) {
      best.clear();
      best.offer(scores + r * ld, n_cols, 0);
      best.write(top_values + r * k, top_indices + r * k);
    }
  }
}

template <>
void score_topk_rows<Cpu>(std::int64_t n_rows, std::int64_t n_cols, std::int64_t dim,
                          const float* users, const float* items, const CsrView& mask,
                          std::int32_t row_offset, int k, float* top_values,
                          std::int32_t* top_indices) {
  using namespace cpu_gemm;
  check_k("score_topk_rows", k);
  check_row_mask_arguments(n_rows, n_cols, mask, row_offset);
  if (n_rows <= 0) return;
  std::vector<float> packed_items;  // B' = itemsᵀ in strips (gemm_tiles.h)
  pack_transpose(items, n_cols, dim, packed_items);
  const std::int64_t strip_step = kTileColumns * dim;
  const std::int64_t row_blocks = (n_rows + kRowBlock - 1) / kRowBlock;
#pragma omp parallel
  {
    std::vector<float> block_scores(static_cast<std::size_t>(kRowBlock * kColumnBlock));
    std::vector<BestK> best(static_cast<std::size_t>(kRowBlock), BestK(k));
    std::vector<std::int32_t> mask_cursor(static_cast<std::size_t>(kRowBlock));
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t ib = 0; ib < row_blocks; ++ib) {
      const std::int64_t first_row = ib * kRowBlock;
      const std::int64_t n_block_rows = std::min(kRowBlock, n_rows - first_row);
      const RowMajor block_users{users + first_row * dim, dim};  // rows of block_scores
      for (std::int64_t r = 0; r < n_block_rows; ++r) {
        best[static_cast<std::size_t>(r)].clear();
        mask_cursor[static_cast<std::size_t>(r)] =
            mask.row_ptr[row_offset + static_cast<std::int32_t>(first_row + r)];
      }
      for (std::int64_t first_col = 0; first_col < n_cols; first_col += kColumnBlock) {
        const std::int64_t n_block_cols = std::min(kColumnBlock, n_cols - first_col);
        // The block's scores, (n_block_rows, n_block_cols) with row stride
        // kColumnBlock; first_col is a multiple of kTileColumns.
        const ColumnStrips block_items{
            packed_items.data() + (first_col / kTileColumns) * strip_step, kTileColumns,
            strip_step};
        block_product(block_users, 0, n_block_rows, block_items, 0, n_block_cols, 0, dim, 1.0f,
                      0.0f, block_scores.data(), kColumnBlock);
        for (std::int64_t r = 0; r < n_block_rows; ++r) {
          float* row_scores = block_scores.data() + r * kColumnBlock;
          const std::int32_t mask_end =
              mask.row_ptr[row_offset + static_cast<std::int32_t>(first_row + r) + 1];
          std::int32_t& p = mask_cursor[static_cast<std::size_t>(r)];
          for (; p < mask_end && mask.col_idx[p] < first_col + n_block_cols; ++p) {
            row_scores[mask.col_idx[p] - first_col] = kNegInf;
          }
          best[static_cast<std::size_t>(r)].offer(row_scores, n_block_cols, first_col);
        }
      }
      for (std::int64_t r = 0; r < n_block_rows; ++r) {
        best[static_cast<std::size_t>(r)].write(top_values + (first_row + r) * k,
                                                top_indices + (first_row + r) * k);
      }
    }
  }
}

}  // namespace gnnrec
