// Inputs shared by the kernel benchmarks (bench/cpu_kernels.cpp,
// bench/gpu_kernels.cu): LightGCN graphs and seeded random arrays, built on
// the CPU.
//
//   gowalla_or_synthetic()   Gowalla's training graph from the LightGCN
//                            paper's train.txt when the dataset is found
//                            (29,858 users, 40,981 items; the normalized
//                            adjacency has 70,839 nodes and 1,620,256
//                            non-zeros), else a synthetic power-law graph of
//                            the same size, and its name says so.
//   synthetic_power_law()    a bipartite user-item graph whose degrees fall
//                            off as a power of the rank (see the .cpp), with
//                            node ids shuffled so popular nodes are not
//                            neighbours in memory.
//
// Where Gowalla is looked for: $GNNREC_GOWALLA_DIR, else
// <source root>/../shared/datasets/gowalla (our machines), else
// <source root>/.gpu/datasets/gowalla (where tools/gpu_suite.sh pack puts it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/csr.h"

namespace gnnrec::bench {

struct BenchGraph {
  std::string name;  // "gowalla", or "synthetic power-law ..." saying why
  Csr train;         // (n_users, n_items): the positives, on the CPU
  Csr adjacency;     // LightGCN's D^-1/2 A D^-1/2, (n_users + n_items) square, on the CPU
};

// The folder holding train.txt and test.txt, or "" when none is found.
std::string find_gowalla_dir();

BenchGraph load_gowalla(const std::string& dir);

// Exactly `n_edges` distinct (user, item) edges, so the adjacency has
// 2 * n_edges non-zeros. Deterministic in `seed`.
BenchGraph synthetic_power_law(std::int32_t n_users, std::int32_t n_items, std::int64_t n_edges,
                               std::uint64_t seed);

// A synthetic graph whose adjacency has about `nnz` non-zeros, with Gowalla's
// mean degree (22.9) and user:item ratio (29,858 : 40,981).
BenchGraph synthetic_like_gowalla(std::int64_t nnz, std::uint64_t seed);

// Gowalla when found, else synthetic_like_gowalla(1,620,256).
BenchGraph gowalla_or_synthetic();

// "gowalla: 70839 nodes, 1620256 nnz" (the adjacency's size).
std::string describe(const BenchGraph& graph);

// Seeded uniform values in [lo, hi) and ints in [lo, hi).
std::vector<float> random_floats(std::int64_t n, std::uint64_t seed, float lo = -1.0f,
                                 float hi = 1.0f);
std::vector<std::int32_t> random_ints(std::int64_t n, std::uint64_t seed, std::int32_t lo,
                                      std::int32_t hi);
// `n` distinct ints of [0, range), in random order (n <= range).
std::vector<std::int32_t> distinct_ints(std::int64_t n, std::uint64_t seed, std::int32_t range);

}  // namespace gnnrec::bench
