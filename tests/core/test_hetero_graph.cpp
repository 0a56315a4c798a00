// HeteroGraph (core/hetero_graph.h), on the CPU: node type and relation
// validation and their messages, name lookups, reverse relations,
// make_symmetric, the fingerprint, NodeType::label/find and the mean
// aggregation CSR.
#include <functional>
#include <string>
#include <vector>

#include "core/hetero_graph.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

// The message of the gnnrec::Error that `f` throws ("" and a failure if none).
std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a gnnrec::Error";
  return "";
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "in: " << (text)

NodeType node_type(const std::string& name, std::int32_t count) {
  NodeType type;
  type.name = name;
  type.count = count;
  return type;
}

// 3 users, 4 artists; users 0 -> artists {0, 1}, user 1 -> {1}, user 2 -> {3};
// users 0 -> 1 and 1 -> 2 are friends.
HeteroGraph small_graph() {
  HeteroGraph graph;
  graph.add_node_type(node_type("user", 3));
  graph.add_node_type(node_type("artist", 4));
  graph.add_relation({"user", "listens", "artist", {0, 0, 1, 2}, {0, 1, 1, 3}});
  graph.add_relation({"user", "friends", "user", {0, 1}, {1, 2}});
  return graph;
}

TEST(HeteroGraph, AddNodeTypeReturnsIndicesAndKeepsTheType) {
  HeteroGraph graph;
  EXPECT_EQ(graph.add_node_type(node_type("user", 3)), 0);
  NodeType artist = node_type("artist", 2);
  artist.raw_ids = {"a7", "a9"};
  artist.features = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(graph.add_node_type(artist), 1);
  ASSERT_EQ(graph.node_types().size(), 2u);
  EXPECT_EQ(graph.node_type(1).name, "artist");
  EXPECT_EQ(graph.node_type(1).count, 2);
  EXPECT_EQ(graph.node_type(1).features.rows(), 2);
  EXPECT_EQ(graph.node_type_index("artist"), 1);
  EXPECT_EQ(graph.node_type_index("user"), 0);
}

TEST(HeteroGraph, AddNodeTypeRejectsBadTypes) {
  HeteroGraph graph;
  graph.add_node_type(node_type("user", 3));
  EXPECT_CONTAINS(error_message([&] { graph.add_node_type(node_type("user", 5)); }),
                  "node type 'user' is defined twice");
  EXPECT_CONTAINS(error_message([&] { graph.add_node_type(node_type("", 5)); }), "needs a name");
  EXPECT_CONTAINS(error_message([&] { graph.add_node_type(node_type("tag", -1)); }),
                  "negative count");

  NodeType ids = node_type("artist", 3);
  ids.raw_ids = {"a", "b"};
  EXPECT_CONTAINS(error_message([&] { graph.add_node_type(ids); }), "2 raw ids for 3 nodes");

  NodeType labels = node_type("artist", 3);
  labels.labels = {"A", "B", "C", "D"};
  EXPECT_CONTAINS(error_message([&] { graph.add_node_type(labels); }), "4 labels for 3 nodes");

  NodeType rows = node_type("artist", 3);
  rows.features = Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2});
  EXPECT_CONTAINS(error_message([&] { graph.add_node_type(rows); }),
                  "features have 2 rows but there are 3 nodes");

  NodeType dtype = node_type("artist", 2);
  dtype.features = Tensor::from_vector<std::int32_t>({1, 2, 3, 4}, {2, 2});
  EXPECT_CONTAINS(error_message([&] { graph.add_node_type(dtype); }), "2-D f32 tensor");

  NodeType flat = node_type("artist", 2);
  flat.features = Tensor::from_vector<float>({1, 2}, {2});
  EXPECT_CONTAINS(error_message([&] { graph.add_node_type(flat); }), "2-D f32 tensor");

  // Nothing was added by the failures.
  EXPECT_EQ(graph.node_types().size(), 1u);
}

TEST(HeteroGraph, AddRelationValidatesTypesNamesAndIds) {
  HeteroGraph graph = small_graph();
  EXPECT_EQ(graph.add_relation({"artist", "tagged", "artist", {0}, {3}}), 2);

  EXPECT_CONTAINS(error_message([&] {
                    graph.add_relation({"user", "listens", "artist", {0}, {0}});
                  }),
                  "relation 'listens' is defined twice");
  EXPECT_CONTAINS(error_message([&] {
                    graph.add_relation({"user", "", "artist", {0}, {0}});
                  }),
                  "needs a name");
  const std::string unknown = error_message([&] {
    graph.add_relation({"user", "likes", "song", {0}, {0}});
  });
  EXPECT_CONTAINS(unknown, "unknown node type 'song'");
  EXPECT_CONTAINS(unknown, "user, artist");
  EXPECT_CONTAINS(error_message([&] {
                    graph.add_relation({"user", "likes", "artist", {0, 1}, {0}});
                  }),
                  "2 sources but 1 destinations");

  // Out of range on either side, or negative: the message names the relation and the edge.
  const std::string dst_range = error_message([&] {
    graph.add_relation({"user", "likes", "artist", {0, 2}, {1, 4}});
  });
  EXPECT_CONTAINS(dst_range, "(user, likes, artist)");
  EXPECT_CONTAINS(dst_range, "edge 1 (2 -> 4)");
  EXPECT_CONTAINS(dst_range, "3 user and 4 artist nodes");
  const std::string src_range = error_message([&] {
    graph.add_relation({"user", "likes", "artist", {3}, {0}});
  });
  EXPECT_CONTAINS(src_range, "(user, likes, artist)");
  EXPECT_CONTAINS(src_range, "edge 0 (3 -> 0)");
  EXPECT_CONTAINS(error_message([&] {
                    graph.add_relation({"user", "likes", "artist", {0}, {-1}});
                  }),
                  "edge 0 (0 -> -1)");

  EXPECT_EQ(graph.relations().size(), 3u);
}

TEST(HeteroGraph, LookupErrorsListTheKnownNames) {
  const HeteroGraph graph = small_graph();
  EXPECT_EQ(graph.relation_index("friends"), 1);
  EXPECT_TRUE(graph.has_relation("listens"));
  EXPECT_FALSE(graph.has_relation("likes"));

  const std::string relation = error_message([&] { graph.relation_index("likes"); });
  EXPECT_CONTAINS(relation, "unknown relation 'likes'");
  EXPECT_CONTAINS(relation, "this graph has: listens, friends");
  const std::string type = error_message([&] { graph.node_type_index("song"); });
  EXPECT_CONTAINS(type, "unknown node type 'song'");
  EXPECT_CONTAINS(type, "this graph has: user, artist");
}

TEST(HeteroGraph, RelationStr) {
  const HeteroGraph graph = small_graph();
  EXPECT_EQ(graph.relation(0).str(), "(user, listens, artist)");
  EXPECT_EQ(graph.relation(0).n_edges(), 4);
}

TEST(HeteroGraph, AddReverseRelationsFlipsEdgesAndSkipsSameTypeRelations) {
  HeteroGraph graph = small_graph();
  graph.add_reverse_relations();
  ASSERT_EQ(graph.relations().size(), 3u);  // rev_listens only: friends joins user to user
  const Relation& reverse = graph.relation(graph.relation_index("rev_listens"));
  EXPECT_EQ(reverse.src_type, "artist");
  EXPECT_EQ(reverse.dst_type, "user");
  EXPECT_EQ(reverse.src, (std::vector<std::int32_t>{0, 1, 1, 3}));
  EXPECT_EQ(reverse.dst, (std::vector<std::int32_t>{0, 0, 1, 2}));
  EXPECT_FALSE(graph.has_relation("rev_friends"));

  // Idempotent: a second call adds nothing (and no rev_rev_listens).
  graph.add_reverse_relations();
  EXPECT_EQ(graph.relations().size(), 3u);
  EXPECT_FALSE(graph.has_relation("rev_rev_listens"));
}

TEST(HeteroGraph, MakeSymmetricAddsReversesOnceAndRejectsTwoTypes) {
  HeteroGraph graph = small_graph();
  // friends: 0 -> 1, 1 -> 2, plus a repeat and an edge whose reverse exists.
  graph.relation(1).src = {0, 1, 0, 1};
  graph.relation(1).dst = {1, 2, 1, 0};
  graph.make_symmetric(1);
  const Relation& friends = graph.relation(1);
  EXPECT_EQ(friends.src, (std::vector<std::int32_t>{0, 1, 1, 2}));
  EXPECT_EQ(friends.dst, (std::vector<std::int32_t>{1, 0, 2, 1}));

  EXPECT_CONTAINS(error_message([&] { graph.make_symmetric(0); }), "joins two types");
}

TEST(HeteroGraph, FingerprintFollowsEdgesAndCounts) {
  const HeteroGraph a = small_graph();
  const HeteroGraph b = small_graph();
  EXPECT_EQ(a.fingerprint(), b.fingerprint());

  HeteroGraph moved = small_graph();
  moved.relation(0).dst[2] = 2;  // user 1 -> artist 2 instead of artist 1
  EXPECT_NE(moved.fingerprint(), a.fingerprint());

  HeteroGraph flipped = small_graph();
  flipped.relation(1).src = {1, 0};  // 1 -> 1, 0 -> 2
  EXPECT_NE(flipped.fingerprint(), a.fingerprint());

  HeteroGraph dropped = small_graph();
  dropped.relation(0).src.pop_back();
  dropped.relation(0).dst.pop_back();
  EXPECT_NE(dropped.fingerprint(), a.fingerprint());

  HeteroGraph recounted = small_graph();
  recounted.node_type(1).count = 5;
  EXPECT_NE(recounted.fingerprint(), a.fingerprint());
}

TEST(HeteroGraph, NodeTypeLabelAndFind) {
  NodeType plain = node_type("user", 3);
  EXPECT_EQ(plain.label(2), "2");
  EXPECT_EQ(plain.find("2"), 2);
  EXPECT_EQ(plain.find("3"), -1);   // out of range
  EXPECT_EQ(plain.find("-1"), -1);  // negative
  EXPECT_EQ(plain.find("1x"), -1);  // not all digits
  EXPECT_EQ(plain.find(""), -1);
  EXPECT_EQ(plain.find("x"), -1);

  NodeType artist = node_type("artist", 3);
  artist.raw_ids = {"51", "7", "1001"};
  artist.labels = {"Duran Duran", "", "Madonna"};
  EXPECT_EQ(artist.label(0), "Duran Duran");
  EXPECT_EQ(artist.label(1), "7");  // empty label: the raw id
  EXPECT_EQ(artist.label(2), "Madonna");
  EXPECT_EQ(artist.find("7"), 1);
  EXPECT_EQ(artist.find("1001"), 2);
  EXPECT_EQ(artist.find("1"), -1);  // raw ids are looked up, not indices
  EXPECT_EQ(artist.find("Madonna"), -1);

  NodeType ids_only = node_type("tag", 2);
  ids_only.raw_ids = {"rock", "pop"};
  EXPECT_EQ(ids_only.label(1), "pop");
  EXPECT_EQ(ids_only.find("rock"), 0);
}

TEST(HeteroGraph, MeanAggregationCsrOnTheCpu) {
  // listens: user -> artist, edges 0->0, 0->1, 1->1, 2->3, and 0->1 again.
  HeteroGraph graph = small_graph();
  graph.relation(0).src.push_back(0);
  graph.relation(0).dst.push_back(1);
  const Csr a = mean_aggregation_csr(graph, 0, Device::cpu());
  EXPECT_EQ(a.n_rows(), 4);  // one row per artist (destination)
  EXPECT_EQ(a.n_cols(), 3);  // one column per user (source)
  EXPECT_EQ(a.nnz(), 4);     // the repeated edge once
  EXPECT_EQ(a.row_ptr().to_vector<std::int32_t>(), (std::vector<std::int32_t>{0, 1, 3, 3, 4}));
  EXPECT_EQ(a.col_idx().to_vector<std::int32_t>(), (std::vector<std::int32_t>{0, 0, 1, 2}));
  // artist 0: in-degree 1; artist 1: users 0 and 1 (1/2 each); artist 2: none; artist 3: 1.
  EXPECT_EQ(a.values().to_vector<float>(), (std::vector<float>{1.0f, 0.5f, 0.5f, 1.0f}));

  // The reverse direction: rows are users, a user's artists averaged.
  graph.add_reverse_relations();
  const Csr r = mean_aggregation_csr(graph, graph.relation_index("rev_listens"), Device::cpu());
  EXPECT_EQ(r.n_rows(), 3);
  EXPECT_EQ(r.n_cols(), 4);
  EXPECT_EQ(r.row_ptr().to_vector<std::int32_t>(), (std::vector<std::int32_t>{0, 2, 3, 4}));
  EXPECT_EQ(r.col_idx().to_vector<std::int32_t>(), (std::vector<std::int32_t>{0, 1, 1, 3}));
  EXPECT_EQ(r.values().to_vector<float>(), (std::vector<float>{0.5f, 0.5f, 1.0f, 1.0f}));

  // A type to itself: friends 0 -> 1, 1 -> 2; user 0 has no in-neighbours.
  const Csr f = mean_aggregation_csr(graph, graph.relation_index("friends"), Device::cpu());
  EXPECT_EQ(f.row_ptr().to_vector<std::int32_t>(), (std::vector<std::int32_t>{0, 0, 1, 2}));
  EXPECT_EQ(f.col_idx().to_vector<std::int32_t>(), (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(f.values().to_vector<float>(), (std::vector<float>{1.0f, 1.0f}));
}

}  // namespace
}  // namespace gnnrec
