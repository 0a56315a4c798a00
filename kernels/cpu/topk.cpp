// CPU reference of kernels/topk.h (the math is there). Per row: collect the
// candidates (every column whose score is neither -inf nor NaN, i.e.
// score > -inf), std::partial_sort the best k by (score descending, column
// ascending), pad with -inf / -1. OpenMP over rows. The mask writes -inf at
// each (row, item) of the mask's rows row_offset .. row_offset + n_rows - 1.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/topk.h"

namespace gnnrec {

namespace {

struct Candidate {
  float value;
  std::int32_t index;
};

// The order of the output: higher score first, then lower column.
bool ranks_before(const Candidate& a, const Candidate& b) {
  return a.value > b.value || (a.value == b.value && a.index < b.index);
}

}  // namespace

template <>
void apply_row_mask<Cpu>(std::int64_t n_rows, std::int64_t ld, const CsrView& mask,
                         std::int32_t row_offset, float* scores) {
  check_row_mask_arguments(n_rows, ld, mask, row_offset);
  const float neg_inf = -std::numeric_limits<float>::infinity();
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < n_rows; ++r) {
    const std::int32_t mask_row = row_offset + static_cast<std::int32_t>(r);
    for (std::int32_t p = mask.row_ptr[mask_row]; p < mask.row_ptr[mask_row + 1]; ++p) {
      scores[r * ld + mask.col_idx[p]] = neg_inf;
    }
  }
}

template <>
void topk_rows<Cpu>(std::int64_t n_rows, std::int64_t n_cols, std::int64_t ld, const float* scores,
                    int k, float* top_values, std::int32_t* top_indices) {
  GNNREC_CHECK(k >= 1 && k <= kMaxTopK,
               "topk_rows: k = " << k << " outside [1, " << kMaxTopK << "]");
  GNNREC_CHECK(ld >= n_cols, "topk_rows: ld " << ld << " < n_cols " << n_cols);
  const float neg_inf = -std::numeric_limits<float>::infinity();
#pragma omp parallel
  {
    std::vector<Candidate> candidates;
#pragma omp for schedule(dynamic, 16)
    for (std::int64_t r = 0; r < n_rows; ++r) {
      const float* row = scores + r * ld;
      candidates.clear();
      for (std::int64_t c = 0; c < n_cols; ++c) {
        if (row[c] > neg_inf) candidates.push_back({row[c], static_cast<std::int32_t>(c)});
      }
      const std::size_t n_top = std::min(candidates.size(), static_cast<std::size_t>(k));
      std::partial_sort(candidates.begin(), candidates.begin() + n_top, candidates.end(),
                        ranks_before);
      for (int j = 0; j < k; ++j) {
        const bool present = static_cast<std::size_t>(j) < n_top;
        top_values[r * k + j] = present ? candidates[j].value : neg_inf;
        top_indices[r * k + j] = present ? candidates[j].index : -1;
      }
    }
  }
}

}  // namespace gnnrec
