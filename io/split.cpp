#include "io/split.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "core/error.h"

namespace gnnrec::io {

EdgeSplit random_edge_split(std::int64_t n_edges, double validation_fraction, double test_fraction,
                            std::uint64_t seed) {
  GNNREC_CHECK(
      validation_fraction >= 0 && test_fraction >= 0 && validation_fraction + test_fraction < 1.0,
      "split fractions (validation " << validation_fraction << ", test " << test_fraction
                                     << ") must be >= 0 and leave edges for training");
  std::vector<std::int64_t> order(static_cast<std::size_t>(n_edges));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  auto n_validation = static_cast<std::int64_t>(validation_fraction * static_cast<double>(n_edges));
  auto n_test = static_cast<std::int64_t>(test_fraction * static_cast<double>(n_edges));
  EdgeSplit split;
  split.validation.assign(order.begin(), order.begin() + n_validation);
  split.test.assign(order.begin() + n_validation, order.begin() + n_validation + n_test);
  split.train.assign(order.begin() + n_validation + n_test, order.end());
  return split;
}

}  // namespace gnnrec::io
