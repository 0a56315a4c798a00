// Link prediction metrics.
//
//   ROC-AUC = P(score of a random positive > score of a random negative),
//             ties counting 1/2
// computed exactly from the sorted scores (the Mann-Whitney U statistic with
// average ranks for ties): AUC = (R_pos - n_pos (n_pos + 1) / 2) / (n_pos · n_neg),
// R_pos the sum of the positives' ranks (1-based, ascending).
#pragma once

#include <vector>

namespace gnnrec {

// labels are 1 (positive) or 0 (negative); an Error when one class is
// missing, sizes differ, a label is neither, or a score is NaN.
double roc_auc(const std::vector<float>& scores, const std::vector<float>& labels);

}  // namespace gnnrec
