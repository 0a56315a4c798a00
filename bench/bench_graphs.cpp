// Benchmark inputs (bench_graphs.h).
//
// The synthetic graph draws each edge's user and item independently with
// rank = floor(n * u^kExponent), u uniform in [0, 1): the r-th most popular
// node then has an expected degree proportional to r^(1/kExponent - 1) =
// r^-0.375. With kExponent = 1.6 a Gowalla-sized graph gets top degrees
// near 1,000-1,300 (Gowalla: 1,415 for an item, 811 for a user) over a mean
// of about 23. Repeated pairs are dropped and drawn again until the graph has
// exactly n_edges distinct edges. Ranks go through a random permutation, so
// the popular nodes' rows are scattered over memory as in real data.
#include "bench/bench_graphs.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <random>
#include <sstream>

#include "core/error.h"
#include "io/dataset.h"
#include "models/lightgcn.h"

namespace gnnrec::bench {
namespace {

constexpr double kExponent = 1.6;
// Gowalla's normalized adjacency: 70,839 nodes (29,858 users), 1,620,256 non-zeros.
constexpr double kGowallaNodes = 70839.0;
constexpr double kGowallaUsers = 29858.0;
constexpr double kGowallaNnz = 1620256.0;

std::vector<std::int32_t> shuffled_ids(std::int32_t n, std::mt19937_64& rng) {
  std::vector<std::int32_t> ids(static_cast<std::size_t>(n));
  std::iota(ids.begin(), ids.end(), 0);
  std::shuffle(ids.begin(), ids.end(), rng);
  return ids;
}

}  // namespace

std::string find_gowalla_dir() {
  std::vector<std::string> candidates;
  if (const char* dir = std::getenv("GNNREC_GOWALLA_DIR")) candidates.push_back(dir);
  candidates.push_back(std::string(GNNREC_SOURCE_DIR) + "/../shared/datasets/gowalla");
  candidates.push_back(std::string(GNNREC_SOURCE_DIR) + "/.gpu/datasets/gowalla");
  for (const std::string& dir : candidates) {
    if (std::filesystem::exists(dir + "/train.txt") && std::filesystem::exists(dir + "/test.txt")) {
      return dir;
    }
  }
  return "";
}

BenchGraph load_gowalla(const std::string& dir) {
  const io::SplitOptions no_validation{0.0, 0.0, 42};
  const io::RecDataset data =
      io::load_lightgcn_txt(dir + "/train.txt", dir + "/test.txt", no_validation);
  BenchGraph graph;
  graph.name = "gowalla";
  graph.train = Csr::from_coo(data.n_users(), data.n_items(), data.train.user, data.train.item);
  graph.adjacency = LightGcn::normalized_adjacency(graph.train, Device::cpu());
  return graph;
}

BenchGraph synthetic_power_law(std::int32_t n_users, std::int32_t n_items, std::int64_t n_edges,
                               std::uint64_t seed) {
  GNNREC_CHECK(
      n_users > 0 && n_items > 0 && n_edges <= static_cast<std::int64_t>(n_users) * n_items / 2,
      "synthetic_power_law: " << n_edges << " edges do not fit " << n_users << " x " << n_items
                              << " comfortably");
  std::mt19937_64 rng(seed);
  const std::vector<std::int32_t> users = shuffled_ids(n_users, rng);
  const std::vector<std::int32_t> items = shuffled_ids(n_items, rng);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  auto draw = [&](const std::vector<std::int32_t>& ids) {
    const auto n = static_cast<std::int32_t>(ids.size());
    const auto rank = static_cast<std::int32_t>(n * std::pow(uniform(rng), kExponent));
    return static_cast<std::int64_t>(ids[static_cast<std::size_t>(std::min(rank, n - 1))]);
  };
  // Edge keys user * n_items + item, sorted and distinct: CSR order.
  std::vector<std::int64_t> keys;
  while (static_cast<std::int64_t>(keys.size()) < n_edges) {
    const std::int64_t missing = n_edges - static_cast<std::int64_t>(keys.size());
    for (std::int64_t e = 0; e < missing; ++e) keys.push_back(draw(users) * n_items + draw(items));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  }
  std::vector<std::int32_t> row_ptr(static_cast<std::size_t>(n_users) + 1, 0);
  std::vector<std::int32_t> col_idx(keys.size());
  for (std::size_t e = 0; e < keys.size(); ++e) {
    ++row_ptr[static_cast<std::size_t>(keys[e] / n_items) + 1];
    col_idx[e] = static_cast<std::int32_t>(keys[e] % n_items);
  }
  std::partial_sum(row_ptr.begin(), row_ptr.end(), row_ptr.begin());

  BenchGraph graph;
  graph.name = "power-law";
  graph.train = Csr::from_arrays(n_users, n_items, std::move(row_ptr), std::move(col_idx));
  graph.adjacency = LightGcn::normalized_adjacency(graph.train, Device::cpu());
  return graph;
}

BenchGraph synthetic_like_gowalla(std::int64_t nnz, std::uint64_t seed) {
  const double n_nodes = static_cast<double>(nnz) * kGowallaNodes / kGowallaNnz;
  const auto n_users =
      static_cast<std::int32_t>(std::lround(n_nodes * kGowallaUsers / kGowallaNodes));
  const auto n_items = static_cast<std::int32_t>(std::lround(n_nodes)) - n_users;
  return synthetic_power_law(n_users, n_items, nnz / 2, seed);
}

BenchGraph gowalla_or_synthetic() {
  const std::string dir = find_gowalla_dir();
  if (!dir.empty()) return load_gowalla(dir);
  BenchGraph graph = synthetic_like_gowalla(static_cast<std::int64_t>(kGowallaNnz), 42);
  graph.name = "synthetic power-law (Gowalla not found)";
  return graph;
}

std::string describe(const BenchGraph& graph) {
  std::ostringstream text;
  text << graph.name << ": " << graph.adjacency.n_rows() << " nodes, " << graph.adjacency.nnz()
       << " nnz";
  return text.str();
}

std::vector<float> random_floats(std::int64_t n, std::uint64_t seed, float lo, float hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(lo, hi);
  std::vector<float> values(static_cast<std::size_t>(n));
  for (float& value : values) value = uniform(rng);
  return values;
}

std::vector<std::int32_t> random_ints(std::int64_t n, std::uint64_t seed, std::int32_t lo,
                                      std::int32_t hi) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int32_t> uniform(lo, hi - 1);
  std::vector<std::int32_t> values(static_cast<std::size_t>(n));
  for (std::int32_t& value : values) value = uniform(rng);
  return values;
}

std::vector<std::int32_t> distinct_ints(std::int64_t n, std::uint64_t seed, std::int32_t range) {
  GNNREC_CHECK(n <= range, "distinct_ints: " << n << " distinct values in [0, " << range << ")");
  std::mt19937_64 rng(seed);
  std::vector<std::int32_t> values = shuffled_ids(range, rng);
  values.resize(static_cast<std::size_t>(n));
  return values;
}

}  // namespace gnnrec::bench
