// HeteroGraph: a graph with node types and typed relations, the input of
// (heterogeneous) GraphSAGE.
//
// A node type has a count, optional input features (count, n_features) and
// the raw id of each node (what a dataset file calls it, for lookups such as
// sage_train --score USER ITEM). A relation (src_type, name, dst_type) is a
// list of edges src -> dst, kept as coordinates; message passing turns it
// into a CSR with one row per destination node (mean_aggregation_csr).
//
// A homogeneous graph is the special case of one node type and one relation.
// Making a graph "undirected" is add_reverse_relations(): for every relation
// (s, name, d) it adds (d, "rev_" + name, s) with every edge flipped, so
// messages flow both ways, each direction with its own weights -- what
// PyTorch Geometric's ToUndirected does for a heterogeneous graph. A
// relation from a type to itself (users who are friends) is instead made
// symmetric in place: make_symmetric().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/csr.h"
#include "core/tensor.h"

namespace gnnrec {

struct NodeType {
  std::string name;
  std::int32_t count = 0;
  std::vector<std::string> raw_ids;  // size count, or empty (then the raw id is the index)
  std::vector<std::string> labels;   // display names (titles, artist names); empty or size count
  Tensor features;                   // optional f32 (count, n_features) on the CPU

  // labels[i] where there is one, else the raw id.
  std::string label(std::int32_t node) const;
  // The node whose raw id is `raw`, or -1.
  std::int32_t find(const std::string& raw) const;
};

struct Relation {
  std::string src_type, name, dst_type;
  std::vector<std::int32_t> src, dst;  // edge e goes src[e] -> dst[e]

  std::int64_t n_edges() const { return static_cast<std::int64_t>(src.size()); }
  std::string str() const;  // "(user, listens, artist)"
};

class HeteroGraph {
 public:
  // Adds a node type (names are unique; features, when given, have `count`
  // rows and live on the CPU). Returns its index.
  int add_node_type(NodeType type);
  // Adds a relation between existing node types, checking every id against
  // the types' counts (an Error names the relation and the edge). Returns
  // its index.
  int add_relation(Relation relation);

  const std::vector<NodeType>& node_types() const { return node_types_; }
  const std::vector<Relation>& relations() const { return relations_; }
  NodeType& node_type(int index) { return node_types_.at(static_cast<std::size_t>(index)); }
  const NodeType& node_type(int index) const {
    return node_types_.at(static_cast<std::size_t>(index));
  }
  const Relation& relation(int index) const {
    return relations_.at(static_cast<std::size_t>(index));
  }
  Relation& relation(int index) { return relations_.at(static_cast<std::size_t>(index)); }

  // Index of the node type / relation called `name`; an Error listing the
  // names there are ("unknown relation 'likes'; this graph has: ...").
  int node_type_index(const std::string& name) const;
  int relation_index(const std::string& name) const;
  bool has_relation(const std::string& name) const;

  // For every relation (s, name, d) with s != d, and no "rev_name" yet, adds
  // (d, "rev_" + name, s) with the edges flipped. A relation that is itself
  // such a reverse ("rev_x" from d to s beside x from s to d) gets none, so
  // a second call adds nothing.
  void add_reverse_relations();
  // Adds (v, u) for every edge (u, v) of a relation from a type to itself,
  // then drops repeated edges.
  void make_symmetric(int relation);

  // FNV-1a 64 over the node counts and every relation's edges.
  std::uint64_t fingerprint() const;

 private:
  std::vector<NodeType> node_types_;
  std::vector<Relation> relations_;
};

// The relation's mean aggregation as a CSR on `device`: (n_dst, n_src),
// entry (v, u) = 1 / in-degree(v) for each edge u -> v (repeated edges count
// once), so A·H_src is the mean of each destination's in-neighbours; a node
// without in-neighbours gets zeros.
Csr mean_aggregation_csr(const HeteroGraph& graph, int relation, Device device);

}  // namespace gnnrec
