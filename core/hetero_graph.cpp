#include "core/hetero_graph.h"

#include <algorithm>
#include <sstream>
#include <utility>

#include "core/error.h"
#include "core/hash.h"

namespace gnnrec {
namespace {

template <class Named>
std::string names_of(const std::vector<Named>& items) {
  std::ostringstream names;
  for (std::size_t i = 0; i < items.size(); ++i) names << (i ? ", " : "") << items[i].name;
  return names.str();
}

}  // namespace

std::string NodeType::label(std::int32_t node) const {
  const auto i = static_cast<std::size_t>(node);
  if (i < labels.size() && !labels[i].empty()) return labels[i];
  if (i < raw_ids.size()) return raw_ids[i];
  return std::to_string(node);
}

std::int32_t NodeType::find(const std::string& raw) const {
  if (raw_ids.empty()) {
    try {
      std::size_t used = 0;
      const long long id = std::stoll(raw, &used);
      if (used == raw.size() && id >= 0 && id < count) return static_cast<std::int32_t>(id);
    } catch (const std::exception&) {
    }
    return -1;
  }
  auto it = std::find(raw_ids.begin(), raw_ids.end(), raw);
  return it == raw_ids.end() ? -1 : static_cast<std::int32_t>(it - raw_ids.begin());
}

std::string Relation::str() const { return "(" + src_type + ", " + name + ", " + dst_type + ")"; }

int HeteroGraph::add_node_type(NodeType type) {
  GNNREC_CHECK(!type.name.empty(), "a node type needs a name");
  for (const NodeType& t : node_types_) {
    GNNREC_CHECK(t.name != type.name, "node type '" << type.name << "' is defined twice");
  }
  GNNREC_CHECK(type.count >= 0, "node type '" << type.name << "' has a negative count");
  GNNREC_CHECK(type.raw_ids.empty() || static_cast<std::int64_t>(type.raw_ids.size()) == type.count,
               "node type '" << type.name << "': " << type.raw_ids.size() << " raw ids for "
                             << type.count << " nodes");
  GNNREC_CHECK(type.labels.empty() || static_cast<std::int64_t>(type.labels.size()) == type.count,
               "node type '" << type.name << "': " << type.labels.size() << " labels for "
                             << type.count << " nodes");
  if (type.features.defined()) {
    GNNREC_CHECK(type.features.dtype() == DType::F32 && type.features.ndim() == 2 &&
                     type.features.device().is_cpu(),
                 "node type '" << type.name << "': features must be a 2-D f32 tensor on the CPU");
    GNNREC_CHECK(type.features.rows() == type.count,
                 "node type '" << type.name << "': features have " << type.features.rows()
                               << " rows but there are " << type.count << " nodes");
  }
  node_types_.push_back(std::move(type));
  return static_cast<int>(node_types_.size()) - 1;
}

int HeteroGraph::add_relation(Relation relation) {
  const NodeType& src = node_type(node_type_index(relation.src_type));
  const NodeType& dst = node_type(node_type_index(relation.dst_type));
  GNNREC_CHECK(!relation.name.empty(), "relation " << relation.str() << " needs a name");
  GNNREC_CHECK(!has_relation(relation.name), "relation '" << relation.name << "' is defined twice");
  GNNREC_CHECK(relation.src.size() == relation.dst.size(),
               "relation " << relation.str() << ": " << relation.src.size() << " sources but "
                           << relation.dst.size() << " destinations");
  for (std::size_t e = 0; e < relation.src.size(); ++e) {
    GNNREC_CHECK(relation.src[e] >= 0 && relation.src[e] < src.count && relation.dst[e] >= 0 &&
                     relation.dst[e] < dst.count,
                 "relation " << relation.str() << ": edge " << e << " (" << relation.src[e]
                             << " -> " << relation.dst[e] << ") is out of range for " << src.count
                             << " " << src.name << " and " << dst.count << " " << dst.name
                             << " nodes");
  }
  relations_.push_back(std::move(relation));
  return static_cast<int>(relations_.size()) - 1;
}

int HeteroGraph::node_type_index(const std::string& name) const {
  for (std::size_t i = 0; i < node_types_.size(); ++i) {
    if (node_types_[i].name == name) return static_cast<int>(i);
  }
  GNNREC_FAIL("unknown node type '" << name << "'; this graph has: " << names_of(node_types_));
}

int HeteroGraph::relation_index(const std::string& name) const {
  for (std::size_t i = 0; i < relations_.size(); ++i) {
    if (relations_[i].name == name) return static_cast<int>(i);
  }
  GNNREC_FAIL("unknown relation '" << name << "'; this graph has: " << names_of(relations_));
}

bool HeteroGraph::has_relation(const std::string& name) const {
  return std::any_of(relations_.begin(), relations_.end(),
                     [&](const Relation& r) { return r.name == name; });
}

void HeteroGraph::add_reverse_relations() {
  // Whether `r` is itself the reverse of another relation: a second call
  // must not add "rev_rev_" copies of the originals.
  auto is_reverse = [&](const Relation& r) {
    if (r.name.rfind("rev_", 0) != 0 || !has_relation(r.name.substr(4))) return false;
    const Relation& forward =
        relations_[static_cast<std::size_t>(relation_index(r.name.substr(4)))];
    return forward.src_type == r.dst_type && forward.dst_type == r.src_type;
  };
  const std::size_t n = relations_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Relation& r = relations_[i];
    if (r.src_type == r.dst_type || has_relation("rev_" + r.name) || is_reverse(r)) continue;
    Relation reverse{r.dst_type, "rev_" + r.name, r.src_type, r.dst, r.src};
    relations_.push_back(std::move(reverse));
  }
}

void HeteroGraph::make_symmetric(int index) {
  Relation& r = relation(index);
  GNNREC_CHECK(r.src_type == r.dst_type, "make_symmetric: relation " << r.str()
                                                                     << " joins two types; use "
                                                                     << "add_reverse_relations");
  std::vector<std::pair<std::int32_t, std::int32_t>> edges;
  edges.reserve(2 * r.src.size());
  for (std::size_t e = 0; e < r.src.size(); ++e) {
    edges.emplace_back(r.src[e], r.dst[e]);
    edges.emplace_back(r.dst[e], r.src[e]);
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  r.src.clear();
  r.dst.clear();
  for (auto [u, v] : edges) {
    r.src.push_back(u);
    r.dst.push_back(v);
  }
}

std::uint64_t HeteroGraph::fingerprint() const {
  std::uint64_t hash = kFnvOffset;
  for (const NodeType& t : node_types_) {
    hash = fnv1a64(t.name.data(), t.name.size(), hash);
    hash = fnv1a64(&t.count, sizeof t.count, hash);
  }
  for (const Relation& r : relations_) {
    hash = fnv1a64(r.name.data(), r.name.size(), hash);
    hash = fnv1a64(r.src.data(), r.src.size() * sizeof(std::int32_t), hash);
    hash = fnv1a64(r.dst.data(), r.dst.size() * sizeof(std::int32_t), hash);
  }
  return hash;
}

Csr mean_aggregation_csr(const HeteroGraph& graph, int relation, Device device) {
  const Relation& r = graph.relation(relation);
  const std::int32_t n_src = graph.node_type(graph.node_type_index(r.src_type)).count;
  const std::int32_t n_dst = graph.node_type(graph.node_type_index(r.dst_type)).count;
  return Csr::from_coo(n_dst, n_src, r.dst, r.src).row_normalized().to(device);
}

}  // namespace gnnrec
