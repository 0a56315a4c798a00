// What every loader shares: dropping repeated edges, the seeded split, the
// fingerprint, and item labels.
#include "io/dataset.h"

#include <sstream>

#include "core/error.h"
#include "io/files.h"
#include "io/split.h"

namespace gnnrec::io {
namespace {

enum class Part : unsigned char { Train, Validation, Test };

std::uint64_t hash_values(const std::vector<std::int32_t>& values, std::uint64_t hash) {
  return fnv1a64(values.data(), values.size() * sizeof(std::int32_t), hash);
}

}  // namespace

std::string RecDataset::item_label(std::int32_t item) const {
  const auto index = static_cast<std::size_t>(item);
  if (index < item_names.size() && !item_names[index].empty()) return item_names[index];
  return items.raw(item);
}

// The bytes hashed, in order: n_users and n_items (int32 each), then for
// train, validation and test: the edge count (int64), every user id, every
// item id (int32 each, in the machine's byte order).
std::uint64_t dataset_fingerprint(const RecDataset& data) {
  std::uint64_t hash = kFnvOffset;
  const std::int32_t counts[2] = {data.n_users(), data.n_items()};
  hash = fnv1a64(counts, sizeof(counts), hash);
  for (const EdgeList* edges : {&data.train, &data.validation, &data.test}) {
    const std::int64_t size = edges->size();
    hash = fnv1a64(&size, sizeof(size), hash);
    hash = hash_values(edges->user, hash);
    hash = hash_values(edges->item, hash);
  }
  return hash;
}

// Linear time: the edges are bucketed by user (stable, so each bucket keeps
// file order), and within a bucket an item already stamped with this user is
// a repeat.
EdgeList unique_edges(const EdgeList& edges, std::int32_t n_users, std::int32_t n_items) {
  const std::size_t n_edges = edges.user.size();
  std::vector<std::int64_t> bucket_start(static_cast<std::size_t>(n_users) + 1, 0);
  for (std::int32_t user : edges.user) ++bucket_start[static_cast<std::size_t>(user) + 1];
  for (std::size_t u = 0; u < static_cast<std::size_t>(n_users); ++u) {
    bucket_start[u + 1] += bucket_start[u];
  }
  std::vector<std::int64_t> next_slot(bucket_start.begin(), bucket_start.end() - 1);
  std::vector<std::size_t> by_user(n_edges);
  for (std::size_t e = 0; e < n_edges; ++e) {
    by_user[static_cast<std::size_t>(next_slot[static_cast<std::size_t>(edges.user[e])]++)] = e;
  }
  std::vector<std::int32_t> last_user_of_item(static_cast<std::size_t>(n_items), -1);
  std::vector<bool> keep(n_edges, false);
  for (std::size_t e : by_user) {
    std::int32_t& last_user = last_user_of_item[static_cast<std::size_t>(edges.item[e])];
    if (last_user != edges.user[e]) {
      last_user = edges.user[e];
      keep[e] = true;
    }
  }
  EdgeList unique;
  for (std::size_t e = 0; e < n_edges; ++e) {
    if (!keep[e]) continue;
    unique.user.push_back(edges.user[e]);
    unique.item.push_back(edges.item[e]);
  }
  return unique;
}

void split_positive_edges(const EdgeList& positives, const SplitOptions& split,
                          const std::string& source, RecDataset* data) {
  EdgeList unique = unique_edges(positives, data->n_users(), data->n_items());
  GNNREC_CHECK(unique.size() > 0, source << ": no positive edges");
  GNNREC_CHECK(split.validation_fraction + split.test_fraction < 1.0,
               source << ": the split (" << split_text(split) << ") leaves no training edges");
  EdgeSplit cut =
      random_edge_split(unique.size(), split.validation_fraction, split.test_fraction, split.seed);
  std::vector<Part> part_of_edge(static_cast<std::size_t>(unique.size()), Part::Train);
  for (std::int64_t e : cut.validation) {
    part_of_edge[static_cast<std::size_t>(e)] = Part::Validation;
  }
  for (std::int64_t e : cut.test) part_of_edge[static_cast<std::size_t>(e)] = Part::Test;
  data->train = EdgeList();
  data->validation = EdgeList();
  data->test = EdgeList();
  for (std::size_t e = 0; e < part_of_edge.size(); ++e) {
    EdgeList& part = part_of_edge[e] == Part::Train        ? data->train
                     : part_of_edge[e] == Part::Validation ? data->validation
                                                           : data->test;
    part.user.push_back(unique.user[e]);
    part.item.push_back(unique.item[e]);
  }
}

std::string split_text(const SplitOptions& split) {
  std::ostringstream text;
  text << "validation " << split.validation_fraction << ", test " << split.test_fraction
       << ", seed " << split.seed;
  return text.str();
}

std::int32_t add_raw_id(IdMap* ids, std::string_view raw, std::string* scratch) {
  scratch->assign(raw);
  const std::int32_t known = ids->find(*scratch);
  return known >= 0 ? known : ids->add(*scratch);
}

}  // namespace gnnrec::io
