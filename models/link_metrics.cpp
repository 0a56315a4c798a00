#include "models/link_metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include "core/error.h"

namespace gnnrec {

double roc_auc(const std::vector<float>& scores, const std::vector<float>& labels) {
  GNNREC_CHECK(scores.size() == labels.size(),
               "roc_auc: " << scores.size() << " scores but " << labels.size() << " labels");
  std::int64_t n_pos = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    GNNREC_CHECK(labels[i] == 0.0f || labels[i] == 1.0f,
                 "roc_auc: label " << i << " is " << labels[i] << ", not 0 or 1");
    GNNREC_CHECK(!std::isnan(scores[i]), "roc_auc: score " << i << " is NaN");
    if (labels[i] == 1.0f) ++n_pos;
  }
  const auto n_neg = static_cast<std::int64_t>(scores.size()) - n_pos;
  GNNREC_CHECK(n_pos > 0 && n_neg > 0, "roc_auc: needs positives and negatives, got "
                                           << n_pos << " positives and " << n_neg << " negatives");

  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });

  // Walk the tie groups in ascending order. With average ranks, R_pos -
  // n_pos (n_pos + 1) / 2 = U = sum over positives of (negatives below +
  // half the negatives tied with it); kept doubled, in integers, it is exact.
  std::int64_t twice_u = 0;
  std::int64_t neg_below = 0;
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin;
    std::int64_t pos_in_group = 0;
    while (end < order.size() && scores[order[end]] == scores[order[begin]]) {
      if (labels[order[end]] == 1.0f) ++pos_in_group;
      ++end;
    }
    const std::int64_t neg_in_group = static_cast<std::int64_t>(end - begin) - pos_in_group;
    twice_u += pos_in_group * (2 * neg_below + neg_in_group);
    neg_below += neg_in_group;
    begin = end;
  }
  return static_cast<double>(twice_u) /
         (2.0 * static_cast<double>(n_pos) * static_cast<double>(n_neg));
}

}  // namespace gnnrec
