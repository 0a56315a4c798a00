// Seeded random splits of an edge list.
#pragma once

#include <cstdint>
#include <vector>

namespace gnnrec::io {

struct EdgeSplit {
  std::vector<std::int64_t> train, validation, test;  // edge indices
};

// Shuffles 0..n_edges-1 with `seed` and cuts it: the first
// validation_fraction * n edges go to validation, the next test_fraction * n
// to test, the rest to train. The same seed gives the same split.
EdgeSplit random_edge_split(std::int64_t n_edges, double validation_fraction, double test_fraction,
                            std::uint64_t seed);

}  // namespace gnnrec::io
