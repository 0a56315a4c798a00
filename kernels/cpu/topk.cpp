// CPU reference of kernels/topk.h (the math is there). Per row, one pass
// over the columns keeps the best k seen so far, sorted by (score
// descending, column ascending): a column enters only when it ranks before
// the current k-th, so most columns cost one comparison and nothing is
// copied. Scores of -inf or NaN (not > -inf) are never candidates; the list
// is padded with -inf / -1. OpenMP over rows. The mask writes -inf at each
// (row, item) of the mask's rows row_offset .. row_offset + n_rows - 1.
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
    std::vector<Candidate> best;  // the row's best so far, in output order
    best.reserve(static_cast<std::size_t>(k) + 1);
#pragma omp for schedule(dynamic, 16)
    for (std::int64_t r = 0; r < n_rows; ++r) {
      const float* row = scores + r * ld;
      best.clear();
      float kth_value = neg_inf;  // the k-th best score once there are k
      for (std::int64_t c = 0; c < n_cols; ++c) {
        // Columns ascend, so a score equal to the k-th ranks after it.
        if (!(row[c] > kth_value)) continue;
        const Candidate candidate{row[c], static_cast<std::int32_t>(c)};
        best.insert(std::upper_bound(best.begin(), best.end(), candidate, ranks_before), candidate);
        if (best.size() > static_cast<std::size_t>(k)) best.pop_back();
        if (best.size() == static_cast<std::size_t>(k)) kth_value = best.back().value;
      }
      for (int j = 0; j < k; ++j) {
        const bool present = static_cast<std::size_t>(j) < best.size();
        top_values[r * k + j] = present ? best[j].value : neg_inf;
        top_indices[r * k + j] = present ? best[j].index : -1;
      }
    }
  }
}

}  // namespace gnnrec
