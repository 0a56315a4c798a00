#include "io/link_split.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <unordered_set>
#include <utility>

#include "core/error.h"
#include "io/split.h"

namespace gnnrec::io {
namespace {

// An edge (src, dst) as one sortable key.
std::uint64_t pair_key(std::int32_t src, std::int32_t dst) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(src)) << 32) |
         static_cast<std::uint32_t>(dst);
}

// Uniform in [0, n), n > 0; the same numbers on every standard library
// (std::uniform_int_distribution's are implementation-defined).
std::int64_t uniform_below(std::mt19937_64& rng, std::int64_t n) {
  const auto range = static_cast<std::uint64_t>(n);
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t excess = (max % range + 1) % range;  // 2^64 mod range
  std::uint64_t x = rng();
  while (x > max - excess) x = rng();
  return static_cast<std::int64_t>(x % range);
}

// m distinct numbers of [0, n), in random order (Floyd's algorithm: exactly
// m draws, then a shuffle).
std::vector<std::int64_t> sample_distinct(std::int64_t n, std::int64_t m, std::mt19937_64& rng) {
  std::unordered_set<std::int64_t> chosen;
  chosen.reserve(static_cast<std::size_t>(m));
  std::vector<std::int64_t> picked;
  picked.reserve(static_cast<std::size_t>(m));
  for (std::int64_t j = n - m; j < n; ++j) {
    const std::int64_t t = uniform_below(rng, j + 1);
    const std::int64_t pick = chosen.count(t) ? j : t;  // j is new: earlier picks are < j
    chosen.insert(pick);
    picked.push_back(pick);
  }
  for (std::int64_t i = m - 1; i > 0; --i) {
    std::swap(picked[static_cast<std::size_t>(i)],
              picked[static_cast<std::size_t>(uniform_below(rng, i + 1))]);
  }
  return picked;
}

std::vector<std::int32_t> sorted_unique(std::vector<std::int32_t> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

// The allowed pairs of candidate_src × candidate_dst (not an edge, not a
// node with itself), numbered row by row, so that a uniform number in
// [0, count()) is a uniform allowed pair.
class NonEdges {
 public:
  // `edge_keys`: the relation's distinct edges as pair_key()s; every
  // endpoint is a candidate. `same_type`: forbid (v, v) too.
  NonEdges(const std::vector<std::int32_t>& candidate_src,
           const std::vector<std::int32_t>& candidate_dst,
           const std::vector<std::uint64_t>& edge_keys, bool same_type)
      : candidate_src_(candidate_src), candidate_dst_(candidate_dst) {
    // Forbidden pairs as (row, column) positions in the candidate lists.
    std::vector<std::pair<std::int32_t, std::int32_t>> forbidden;
    forbidden.reserve(edge_keys.size());
    for (std::uint64_t key : edge_keys) {
      forbidden.emplace_back(position(candidate_src, static_cast<std::int32_t>(key >> 32)),
                             position(candidate_dst, static_cast<std::int32_t>(key & 0xffffffffu)));
    }
    if (same_type) {
      for (std::size_t row = 0; row < candidate_src.size(); ++row) {
        auto it = std::lower_bound(candidate_dst.begin(), candidate_dst.end(), candidate_src[row]);
        if (it != candidate_dst.end() && *it == candidate_src[row]) {
          forbidden.emplace_back(static_cast<std::int32_t>(row),
                                 static_cast<std::int32_t>(it - candidate_dst.begin()));
        }
      }
    }
    std::sort(forbidden.begin(), forbidden.end());
    forbidden.erase(std::unique(forbidden.begin(), forbidden.end()), forbidden.end());

    const std::size_t n_rows = candidate_src.size();
    const auto n_cols = static_cast<std::int64_t>(candidate_dst.size());
    row_ptr_.assign(n_rows + 1, 0);
    for (auto [row, col] : forbidden) ++row_ptr_[static_cast<std::size_t>(row) + 1];
    for (std::size_t row = 0; row < n_rows; ++row) row_ptr_[row + 1] += row_ptr_[row];
    forbidden_col_.reserve(forbidden.size());
    for (auto [row, col] : forbidden) forbidden_col_.push_back(col);
    allowed_before_.assign(n_rows + 1, 0);
    for (std::size_t row = 0; row < n_rows; ++row) {
      allowed_before_[row + 1] =
          allowed_before_[row] + n_cols - (row_ptr_[row + 1] - row_ptr_[row]);
    }
  }

  std::int64_t count() const { return allowed_before_.back(); }

  // The allowed pair numbered `index` (0 <= index < count()).
  std::pair<std::int32_t, std::int32_t> at(std::int64_t index) const {
    const auto row = static_cast<std::size_t>(
        std::upper_bound(allowed_before_.begin(), allowed_before_.end(), index) -
        allowed_before_.begin() - 1);
    const std::int64_t k = index - allowed_before_[row];  // the k-th allowed column of the row
    // With the row's forbidden columns f_0 < f_1 < ..., f_i - i allowed
    // columns come before f_i; the k-th allowed column is k plus the number
    // of forbidden columns with f_i - i <= k.
    const std::int32_t* f = forbidden_col_.data() + row_ptr_[row];
    const std::int64_t n_forbidden = row_ptr_[row + 1] - row_ptr_[row];
    std::int64_t lo = 0, hi = n_forbidden;
    while (lo < hi) {
      const std::int64_t mid = (lo + hi) / 2;
      if (f[mid] - mid <= k) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    const std::int64_t col = k + lo;
    return {candidate_src_[row], candidate_dst_[static_cast<std::size_t>(col)]};
  }

 private:
  static std::int32_t position(const std::vector<std::int32_t>& sorted, std::int32_t value) {
    return static_cast<std::int32_t>(std::lower_bound(sorted.begin(), sorted.end(), value) -
                                     sorted.begin());
  }

  const std::vector<std::int32_t>& candidate_src_;
  const std::vector<std::int32_t>& candidate_dst_;
  std::vector<std::int64_t> row_ptr_;         // (n_rows + 1) into forbidden_col_
  std::vector<std::int32_t> forbidden_col_;   // sorted within a row
  std::vector<std::int64_t> allowed_before_;  // (n_rows + 1) allowed pairs in earlier rows
};

void add_positives(const Relation& relation, const std::vector<std::int64_t>& edges,
                   LinkExamples& examples) {
  for (std::int64_t e : edges) {
    examples.src.push_back(relation.src[static_cast<std::size_t>(e)]);
    examples.dst.push_back(relation.dst[static_cast<std::size_t>(e)]);
    examples.label.push_back(1.0f);
  }
}

}  // namespace

LinkSplit random_link_split(const HeteroGraph& graph, const std::string& target,
                            const LinkSplitOptions& options) {
  const int target_index = graph.relation_index(target);
  const Relation& relation = graph.relation(target_index);
  const double val_fraction = options.validation_fraction;
  const double test_fraction = options.test_fraction;
  GNNREC_CHECK(val_fraction >= 0 && test_fraction >= 0 && val_fraction + test_fraction < 1.0,
               "random_link_split: relation " << relation.str() << ": fractions (validation "
                                              << val_fraction << ", test " << test_fraction
                                              << ") must be >= 0 and leave edges for training");
  GNNREC_CHECK(options.disjoint_train_ratio >= 0 && options.disjoint_train_ratio < 1.0,
               "random_link_split: disjoint_train_ratio " << options.disjoint_train_ratio
                                                          << " is not in [0, 1)");
  GNNREC_CHECK(options.eval_negatives_per_positive >= 0,
               "random_link_split: eval_negatives_per_positive "
                   << options.eval_negatives_per_positive << " is negative");
  GNNREC_CHECK(relation.n_edges() > 0,
               "random_link_split: relation " << relation.str() << " has no edges");

  // The distinct edges (first occurrences, in their order) and their sorted keys.
  std::vector<std::pair<std::uint64_t, std::int64_t>> keyed;
  keyed.reserve(relation.src.size());
  for (std::size_t e = 0; e < relation.src.size(); ++e) {
    keyed.emplace_back(pair_key(relation.src[e], relation.dst[e]), static_cast<std::int64_t>(e));
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::uint64_t> edge_keys;
  std::vector<std::int64_t> distinct;
  for (std::size_t i = 0; i < keyed.size(); ++i) {
    if (i > 0 && keyed[i].first == keyed[i - 1].first) continue;
    edge_keys.push_back(keyed[i].first);
    distinct.push_back(keyed[i].second);
  }
  std::sort(distinct.begin(), distinct.end());
  const auto n_distinct = static_cast<std::int64_t>(distinct.size());

  // Cut the shuffled distinct edges; parts hold positions in `distinct`.
  EdgeSplit parts = random_edge_split(n_distinct, val_fraction, test_fraction, options.seed);
  for (auto* part : {&parts.train, &parts.validation, &parts.test}) {
    for (std::int64_t& e : *part) e = distinct[static_cast<std::size_t>(e)];
  }
  const auto n_train = static_cast<std::int64_t>(parts.train.size());
  const auto n_disjoint = static_cast<std::int64_t>(
      std::floor(options.disjoint_train_ratio * static_cast<double>(n_train)));
  GNNREC_CHECK(n_train - n_disjoint > 0, "random_link_split: relation "
                                             << relation.str() << ": " << n_distinct
                                             << " edges leave no train message edges");

  LinkSplit split;
  split.target = target_index;
  split.message_graph = graph;

  // Supervision: the disjoint share, or every train edge.
  const auto supervision_end = parts.train.begin() + (n_disjoint > 0 ? n_disjoint : n_train);
  for (auto it = parts.train.begin(); it != supervision_end; ++it) {
    split.train_src.push_back(relation.src[static_cast<std::size_t>(*it)]);
    split.train_dst.push_back(relation.dst[static_cast<std::size_t>(*it)]);
  }

  // Messages: the train edges after the disjoint share, in the input's order.
  std::vector<std::int64_t> message(parts.train.begin() + n_disjoint, parts.train.end());
  std::sort(message.begin(), message.end());
  Relation& message_relation = split.message_graph.relation(target_index);
  message_relation.src.clear();
  message_relation.dst.clear();
  message_relation.src.reserve(message.size());
  message_relation.dst.reserve(message.size());
  for (std::int64_t e : message) {
    message_relation.src.push_back(relation.src[static_cast<std::size_t>(e)]);
    message_relation.dst.push_back(relation.dst[static_cast<std::size_t>(e)]);
  }

  split.candidate_src = sorted_unique(relation.src);
  split.candidate_dst = sorted_unique(relation.dst);
  add_positives(relation, parts.validation, split.validation);
  add_positives(relation, parts.test, split.test);

  // Negatives: distinct allowed pairs, the first ones for validation.
  const std::int64_t k = options.eval_negatives_per_positive;
  const std::int64_t n_val_negatives = k * static_cast<std::int64_t>(parts.validation.size());
  const std::int64_t n_negatives =
      n_val_negatives + k * static_cast<std::int64_t>(parts.test.size());
  const NonEdges non_edges(split.candidate_src, split.candidate_dst, edge_keys,
                           relation.src_type == relation.dst_type);
  GNNREC_CHECK(n_negatives <= non_edges.count(),
               "random_link_split: relation "
                   << relation.str() << ": " << n_negatives
                   << " evaluation negatives asked for, but " << split.candidate_src.size()
                   << " sources x " << split.candidate_dst.size() << " destinations hold only "
                   << non_edges.count() << " non-edges");
  std::mt19937_64 rng(options.seed ^ 0x9e3779b97f4a7c15ull);  // not the edge shuffle's stream
  const std::vector<std::int64_t> picked = sample_distinct(non_edges.count(), n_negatives, rng);
  for (std::int64_t i = 0; i < n_negatives; ++i) {
    LinkExamples& examples = i < n_val_negatives ? split.validation : split.test;
    const auto [src, dst] = non_edges.at(picked[static_cast<std::size_t>(i)]);
    examples.src.push_back(src);
    examples.dst.push_back(dst);
    examples.label.push_back(0.0f);
  }
  return split;
}

}  // namespace gnnrec::io
