// random_link_split (io/link_split.h): part sizes, disjoint positives, the
// message graph (and disjoint_train_ratio), untouched other relations,
// evaluation negatives (non-edges, from the candidates, exact count,
// distinct), seeds, the leak check after making the message graph
// undirected, a relation within one node type, and errors.
#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "io/link_split.h"
#include "tests/test_util.h"

namespace gnnrec::io {
namespace {

using Pair = std::pair<std::int32_t, std::int32_t>;

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

std::vector<Pair> pairs_of(const std::vector<std::int32_t>& src,
                           const std::vector<std::int32_t>& dst) {
  std::vector<Pair> pairs;
  for (std::size_t e = 0; e < src.size(); ++e) pairs.emplace_back(src[e], dst[e]);
  return pairs;
}

std::set<Pair> set_of(const std::vector<Pair>& pairs) { return {pairs.begin(), pairs.end()}; }

// The examples with label `label`, checking that positives come first.
std::vector<Pair> examples_with(const LinkExamples& examples, float label) {
  EXPECT_TRUE(std::is_sorted(examples.label.begin(), examples.label.end(), std::greater<float>()))
      << "positives first, then negatives";
  std::vector<Pair> pairs;
  for (std::int64_t i = 0; i < examples.size(); ++i) {
    if (examples.label[static_cast<std::size_t>(i)] == label) {
      pairs.emplace_back(examples.src[static_cast<std::size_t>(i)],
                         examples.dst[static_cast<std::size_t>(i)]);
    }
  }
  return pairs;
}

// n_edges distinct random (user, artist) pairs among the first
// n_users - idle_users users and n_artists - 1 artists (the rest have no edge).
std::vector<Pair> random_pairs(std::int32_t n_users, std::int32_t n_artists, int n_edges,
                               std::int32_t idle_users, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int32_t> user(0, n_users - idle_users - 1);
  std::uniform_int_distribution<std::int32_t> artist(0, n_artists - 2);
  std::set<Pair> seen;
  std::vector<Pair> pairs;
  while (static_cast<int>(pairs.size()) < n_edges) {
    const Pair p{user(rng), artist(rng)};
    if (seen.insert(p).second) pairs.push_back(p);
  }
  return pairs;
}

constexpr std::int32_t kUsers = 50;
constexpr std::int32_t kArtists = 80;
constexpr std::int32_t kIdleUsers = 5;

// user -listens-> artist (the target, 1000 edges), user -friends-> user,
// artist -tagged-> tag.
HeteroGraph listening_graph(int n_edges = 1000) {
  HeteroGraph graph;
  graph.add_node_type(node_type("user", kUsers));
  graph.add_node_type(node_type("artist", kArtists));
  graph.add_node_type(node_type("tag", 3));
  Relation listens{"user", "listens", "artist", {}, {}};
  for (auto [u, a] : random_pairs(kUsers, kArtists, n_edges, kIdleUsers, 7)) {
    listens.src.push_back(u);
    listens.dst.push_back(a);
  }
  graph.add_relation(listens);
  graph.add_relation({"user", "friends", "user", {0, 1, 2, 3}, {1, 2, 3, 0}});
  graph.add_relation({"artist", "tagged", "tag", {0, 5, 9}, {2, 1, 0}});
  return graph;
}

// The checks every split of a relation must pass.
void expect_valid_split(const HeteroGraph& graph, const std::string& target,
                        const LinkSplitOptions& options, const LinkSplit& split) {
  const int t = graph.relation_index(target);
  ASSERT_EQ(split.target, t);
  const Relation& relation = graph.relation(t);
  const std::set<Pair> all = set_of(pairs_of(relation.src, relation.dst));

  const std::vector<Pair> train = pairs_of(split.train_src, split.train_dst);
  const std::vector<Pair> message =
      pairs_of(split.message_graph.relation(t).src, split.message_graph.relation(t).dst);
  const std::vector<Pair> val_pos = examples_with(split.validation, 1.0f);
  const std::vector<Pair> test_pos = examples_with(split.test, 1.0f);
  const std::vector<Pair> val_neg = examples_with(split.validation, 0.0f);
  const std::vector<Pair> test_neg = examples_with(split.test, 0.0f);

  // Sizes: validation and test are fractions of the distinct edges, rounded down.
  const auto n = static_cast<std::int64_t>(all.size());
  const auto n_val = static_cast<std::int64_t>(options.validation_fraction * n);
  const auto n_test = static_cast<std::int64_t>(options.test_fraction * n);
  const std::int64_t n_train = n - n_val - n_test;
  const auto n_disjoint = static_cast<std::int64_t>(options.disjoint_train_ratio * n_train);
  EXPECT_EQ(static_cast<std::int64_t>(val_pos.size()), n_val);
  EXPECT_EQ(static_cast<std::int64_t>(test_pos.size()), n_test);
  EXPECT_EQ(static_cast<std::int64_t>(message.size()), n_train - n_disjoint);
  EXPECT_EQ(static_cast<std::int64_t>(train.size()), n_disjoint > 0 ? n_disjoint : n_train);

  // Negatives: exactly the requested count.
  const std::int64_t k = options.eval_negatives_per_positive;
  EXPECT_EQ(static_cast<std::int64_t>(val_neg.size()), k * n_val);
  EXPECT_EQ(static_cast<std::int64_t>(test_neg.size()), k * n_test);
  EXPECT_EQ(split.validation.size(), (k + 1) * n_val);
  EXPECT_EQ(split.test.size(), (k + 1) * n_test);

  // Positives: edges, no pair twice, the parts disjoint, together every edge.
  std::vector<Pair> supervised_or_message = message;
  if (n_disjoint > 0)
    supervised_or_message.insert(supervised_or_message.end(), train.begin(), train.end());
  std::vector<Pair> positives = supervised_or_message;
  positives.insert(positives.end(), val_pos.begin(), val_pos.end());
  positives.insert(positives.end(), test_pos.begin(), test_pos.end());
  EXPECT_EQ(set_of(positives).size(), positives.size()) << "a positive in two parts";
  EXPECT_EQ(set_of(positives), all);
  if (n_disjoint == 0) {
    EXPECT_EQ(set_of(train), set_of(message));
  }

  // Candidates: the sorted sources and destinations of the relation.
  std::set<std::int32_t> sources(relation.src.begin(), relation.src.end());
  std::set<std::int32_t> destinations(relation.dst.begin(), relation.dst.end());
  EXPECT_EQ(split.candidate_src, std::vector<std::int32_t>(sources.begin(), sources.end()));
  EXPECT_EQ(split.candidate_dst,
            std::vector<std::int32_t>(destinations.begin(), destinations.end()));

  // Negatives: non-edges of the whole relation, from the candidates, distinct.
  std::vector<Pair> negatives = val_neg;
  negatives.insert(negatives.end(), test_neg.begin(), test_neg.end());
  for (const Pair& p : negatives) {
    EXPECT_EQ(all.count(p), 0u) << "negative (" << p.first << ", " << p.second << ") is an edge";
    EXPECT_EQ(sources.count(p.first), 1u) << "negative source " << p.first;
    EXPECT_EQ(destinations.count(p.second), 1u) << "negative destination " << p.second;
    if (relation.src_type == relation.dst_type) {
      EXPECT_NE(p.first, p.second);
    }
  }
  EXPECT_EQ(set_of(negatives).size(), negatives.size()) << "a negative drawn twice";

  // The other relations and the node types are copied unchanged.
  ASSERT_EQ(split.message_graph.relations().size(), graph.relations().size());
  for (std::size_t r = 0; r < graph.relations().size(); ++r) {
    const Relation& before = graph.relation(static_cast<int>(r));
    const Relation& after = split.message_graph.relation(static_cast<int>(r));
    EXPECT_EQ(after.name, before.name);
    EXPECT_EQ(after.src_type, before.src_type);
    EXPECT_EQ(after.dst_type, before.dst_type);
    if (static_cast<int>(r) == t) continue;
    EXPECT_EQ(after.src, before.src) << before.str();
    EXPECT_EQ(after.dst, before.dst) << before.str();
  }
  ASSERT_EQ(split.message_graph.node_types().size(), graph.node_types().size());
  for (std::size_t i = 0; i < graph.node_types().size(); ++i) {
    EXPECT_EQ(split.message_graph.node_type(static_cast<int>(i)).name,
              graph.node_type(static_cast<int>(i)).name);
    EXPECT_EQ(split.message_graph.node_type(static_cast<int>(i)).count,
              graph.node_type(static_cast<int>(i)).count);
  }
}

TEST(LinkSplit, EightyTenTenSplitIsValid) {
  const HeteroGraph graph = listening_graph();
  const LinkSplitOptions options;  // 0.1 / 0.1, one negative per positive
  const LinkSplit split = random_link_split(graph, "listens", options);
  EXPECT_EQ(split.train_src.size(), 800u);
  EXPECT_EQ(split.message_graph.relation(split.target).n_edges(), 800);
  EXPECT_EQ(split.validation.size(), 200);  // 100 positives, 100 negatives
  EXPECT_EQ(split.test.size(), 200);
  expect_valid_split(graph, "listens", options, split);
  // Idle users (no edge) are no candidates, nor the last artist.
  EXPECT_EQ(split.candidate_src.back(), kUsers - kIdleUsers - 1);
  EXPECT_EQ(split.candidate_dst.back(), kArtists - 2);
}

TEST(LinkSplit, SeveralNegativesPerPositiveAndOtherFractions) {
  const HeteroGraph graph = listening_graph();
  for (int k : {0, 1, 3}) {
    LinkSplitOptions options;
    options.validation_fraction = 0.05;
    options.test_fraction = 0.15;
    options.eval_negatives_per_positive = k;
    SCOPED_TRACE("negatives per positive " + std::to_string(k));
    const LinkSplit split = random_link_split(graph, "listens", options);
    EXPECT_EQ(split.validation.size(), 50 * (k + 1));
    EXPECT_EQ(split.test.size(), 150 * (k + 1));
    expect_valid_split(graph, "listens", options, split);
  }
}

TEST(LinkSplit, DisjointTrainRatioSeparatesSupervisionFromMessages) {
  const HeteroGraph graph = listening_graph();
  LinkSplitOptions options;
  options.disjoint_train_ratio = 0.3;
  const LinkSplit split = random_link_split(graph, "listens", options);
  // 800 train edges: the first 240 shuffled ones supervise, the other 560 pass messages.
  EXPECT_EQ(split.train_src.size(), 240u);
  EXPECT_EQ(split.message_graph.relation(split.target).n_edges(), 560);
  expect_valid_split(graph, "listens", options, split);

  // The same seed without the disjoint share: supervision + messages = its train edges.
  const LinkSplit plain = random_link_split(graph, "listens", LinkSplitOptions{});
  std::set<Pair> both = set_of(pairs_of(split.train_src, split.train_dst));
  const Relation& message = split.message_graph.relation(split.target);
  for (const Pair& p : pairs_of(message.src, message.dst)) EXPECT_TRUE(both.insert(p).second);
  EXPECT_EQ(both, set_of(pairs_of(plain.train_src, plain.train_dst)));
  EXPECT_EQ(split.validation.src, plain.validation.src);
  EXPECT_EQ(split.test.dst, plain.test.dst);
}

TEST(LinkSplit, TinyDisjointShareKeepsEveryTrainEdgeAsSupervision) {
  // 10 edges, 8 train: floor(0.1 * 8) = 0 disjoint edges, as with ratio 0 (PyG's rule).
  const HeteroGraph graph = listening_graph(10);
  LinkSplitOptions options;
  options.disjoint_train_ratio = 0.1;
  const LinkSplit split = random_link_split(graph, "listens", options);
  EXPECT_EQ(split.train_src.size(), 8u);
  EXPECT_EQ(split.message_graph.relation(split.target).n_edges(), 8);
  expect_valid_split(graph, "listens", options, split);
}

TEST(LinkSplit, SameSeedSameSplitOtherSeedOtherSplit) {
  const HeteroGraph graph = listening_graph();
  LinkSplitOptions options;
  options.eval_negatives_per_positive = 2;
  const LinkSplit a = random_link_split(graph, "listens", options);
  const LinkSplit b = random_link_split(graph, "listens", options);
  EXPECT_EQ(a.train_src, b.train_src);
  EXPECT_EQ(a.train_dst, b.train_dst);
  EXPECT_EQ(a.validation.src, b.validation.src);
  EXPECT_EQ(a.validation.dst, b.validation.dst);
  EXPECT_EQ(a.test.src, b.test.src);
  EXPECT_EQ(a.test.dst, b.test.dst);
  EXPECT_EQ(a.message_graph.fingerprint(), b.message_graph.fingerprint());

  options.seed = 43;
  const LinkSplit c = random_link_split(graph, "listens", options);
  EXPECT_NE(set_of(pairs_of(a.train_src, a.train_dst)), set_of(pairs_of(c.train_src, c.train_dst)));
  EXPECT_NE(set_of(examples_with(a.test, 1.0f)), set_of(examples_with(c.test, 1.0f)));
  EXPECT_NE(set_of(examples_with(a.test, 0.0f)), set_of(examples_with(c.test, 0.0f)));
  EXPECT_NE(a.message_graph.fingerprint(), c.message_graph.fingerprint());
  expect_valid_split(graph, "listens", options, c);
}

TEST(LinkSplit, ReverseRelationsCarryNoEvaluationEdge) {
  const HeteroGraph graph = listening_graph();
  LinkSplit split = random_link_split(graph, "listens", LinkSplitOptions{});
  split.message_graph.add_reverse_relations();
  const Relation& forward = split.message_graph.relation(split.target);
  const Relation& reverse =
      split.message_graph.relation(split.message_graph.relation_index("rev_listens"));
  const std::set<Pair> messages_forward = set_of(pairs_of(forward.src, forward.dst));
  const std::set<Pair> messages_backward = set_of(pairs_of(reverse.dst, reverse.src));
  EXPECT_EQ(messages_forward, messages_backward);
  for (const LinkExamples* examples : {&split.validation, &split.test}) {
    for (const Pair& p : examples_with(*examples, 1.0f)) {
      EXPECT_EQ(messages_forward.count(p), 0u) << "evaluation edge passes a message";
      EXPECT_EQ(messages_backward.count(p), 0u) << "reverse of an evaluation edge passes one";
    }
  }
}

TEST(LinkSplit, RelationWithinOneNodeType) {
  // Users 0..49 and artists 50..129 in one node type.
  HeteroGraph graph;
  graph.add_node_type(node_type("node", kUsers + kArtists));
  Relation listens{"node", "listens", "node", {}, {}};
  for (auto [u, a] : random_pairs(kUsers, kArtists, 1000, kIdleUsers, 7)) {
    listens.src.push_back(u);
    listens.dst.push_back(kUsers + a);
  }
  graph.add_relation(listens);
  LinkSplitOptions options;
  options.eval_negatives_per_positive = 2;
  LinkSplit split = random_link_split(graph, "listens", options);
  expect_valid_split(graph, "listens", options, split);
  for (const LinkExamples* examples : {&split.validation, &split.test}) {
    for (const Pair& p : examples_with(*examples, 0.0f)) {
      EXPECT_LT(p.first, kUsers) << "a negative's source is a user";
      EXPECT_GE(p.second, kUsers) << "a negative's destination is an artist";
    }
  }

  // Made symmetric, the message relation holds neither an evaluation edge nor its reverse.
  split.message_graph.make_symmetric(split.target);
  const Relation& message = split.message_graph.relation(split.target);
  EXPECT_EQ(message.n_edges(), 1600);
  const std::set<Pair> messages = set_of(pairs_of(message.src, message.dst));
  for (const LinkExamples* examples : {&split.validation, &split.test}) {
    for (const Pair& p : examples_with(*examples, 1.0f)) {
      EXPECT_EQ(messages.count(p), 0u);
      EXPECT_EQ(messages.count({p.second, p.first}), 0u);
    }
  }
}

TEST(LinkSplit, NegativesOfASameTypeRelationAvoidSelfPairs) {
  // Friends among 4 users: of the 16 pairs 4 are self pairs and 10 are
  // edges, which leaves 2 allowed non-edges, (0, 2) and (2, 0). The 10 edges
  // give 1 validation and 1 test positive, one negative each: both non-edges.
  HeteroGraph graph;
  graph.add_node_type(node_type("user", 4));
  Relation friends{"user", "friends", "user", {}, {}};
  for (std::int32_t u = 0; u < 4; ++u) {
    for (std::int32_t v = 0; v < 4; ++v) {
      if (u == v || (u == 0 && v == 2) || (u == 2 && v == 0)) continue;
      friends.src.push_back(u);
      friends.dst.push_back(v);
    }
  }
  graph.add_relation(friends);
  ASSERT_EQ(graph.relation(0).n_edges(), 10);
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    LinkSplitOptions options;
    options.seed = seed;
    const LinkSplit split = random_link_split(graph, "friends", options);
    expect_valid_split(graph, "friends", options, split);
    std::vector<Pair> negatives = examples_with(split.validation, 0.0f);
    for (const Pair& p : examples_with(split.test, 0.0f)) negatives.push_back(p);
    EXPECT_EQ(set_of(negatives), (std::set<Pair>{{0, 2}, {2, 0}}));
  }
  LinkSplitOptions more;
  more.eval_negatives_per_positive = 2;
  EXPECT_CONTAINS(error_message([&] { random_link_split(graph, "friends", more); }),
                  "hold only 2 non-edges");
}

// A 4 x 5 bipartite relation with 16 edges: 4 non-edges (0, 4), (1, 3), (2, 2), (3, 1).
HeteroGraph dense_graph() {
  HeteroGraph graph;
  graph.add_node_type(node_type("user", 4));
  graph.add_node_type(node_type("artist", 5));
  Relation listens{"user", "listens", "artist", {}, {}};
  for (std::int32_t u = 0; u < 4; ++u) {
    for (std::int32_t a = 0; a < 5; ++a) {
      if (u + a == 4) continue;
      listens.src.push_back(u);
      listens.dst.push_back(a);
    }
  }
  graph.add_relation(listens);
  return graph;
}

TEST(LinkSplit, NegativesCanUseUpANearlyFullCandidateSpace) {
  const HeteroGraph graph = dense_graph();
  ASSERT_EQ(graph.relation(0).n_edges(), 16);
  // 1 validation and 1 test positive (floor(0.1 * 16)), 2 negatives each: all 4 non-edges.
  LinkSplitOptions options;
  options.eval_negatives_per_positive = 2;
  const LinkSplit split = random_link_split(graph, "listens", options);
  expect_valid_split(graph, "listens", options, split);
  std::vector<Pair> negatives = examples_with(split.validation, 0.0f);
  for (const Pair& p : examples_with(split.test, 0.0f)) negatives.push_back(p);
  EXPECT_EQ(set_of(negatives), (std::set<Pair>{{0, 4}, {1, 3}, {2, 2}, {3, 1}}));

  // One more per positive than there are non-edges: an Error, not an endless loop.
  options.eval_negatives_per_positive = 3;
  const std::string message = error_message([&] { random_link_split(graph, "listens", options); });
  EXPECT_CONTAINS(message, "(user, listens, artist)");
  EXPECT_CONTAINS(message, "6 evaluation negatives asked for");
  EXPECT_CONTAINS(message, "4 sources x 5 destinations hold only 4 non-edges");
}

TEST(LinkSplit, NegativesAreUniformOverTheNonEdges) {
  // Over 2000 seeds, 2 negatives from the 4 non-edges each time: each
  // non-edge is drawn 1000 times on average (one draw of 2 without
  // replacement from 4: probability 1/2, binomial sd ~22). A bound of 150
  // is ~7 sd, far from flaky, yet catches a mapping that favours a row.
  const HeteroGraph graph = dense_graph();
  std::map<Pair, int> counts;
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    LinkSplitOptions options;
    options.seed = seed;
    const LinkSplit split = random_link_split(graph, "listens", options);
    for (const Pair& p : examples_with(split.validation, 0.0f)) ++counts[p];
    for (const Pair& p : examples_with(split.test, 0.0f)) ++counts[p];
  }
  ASSERT_EQ(counts.size(), 4u);
  for (const auto& [pair, count] : counts) {
    EXPECT_NEAR(count, 1000, 150) << "(" << pair.first << ", " << pair.second << ")";
  }
}

TEST(LinkSplit, RepeatedEdgesCountOnce) {
  // Every edge twice: one copy can never be a train edge while the other is evaluated.
  HeteroGraph graph = listening_graph(500);
  Relation& listens = graph.relation(0);
  const std::vector<std::int32_t> src = listens.src, dst = listens.dst;
  listens.src.insert(listens.src.end(), src.rbegin(), src.rend());
  listens.dst.insert(listens.dst.end(), dst.rbegin(), dst.rend());
  const LinkSplitOptions options;
  const LinkSplit split = random_link_split(graph, "listens", options);
  EXPECT_EQ(split.validation.size(), 100);  // 50 of the 500 distinct edges, and 50 negatives
  EXPECT_EQ(split.message_graph.relation(0).n_edges(), 400);
  expect_valid_split(graph, "listens", options, split);
}

TEST(LinkSplit, Errors) {
  const HeteroGraph graph = listening_graph(100);
  const LinkSplitOptions defaults;

  const std::string unknown =
      error_message([&] { random_link_split(graph, "likes", LinkSplitOptions{}); });
  EXPECT_CONTAINS(unknown, "unknown relation 'likes'");
  EXPECT_CONTAINS(unknown, "listens, friends, tagged");

  auto with = [&](const std::function<void(LinkSplitOptions&)>& change) {
    LinkSplitOptions options = defaults;
    change(options);
    return error_message([&] { random_link_split(graph, "listens", options); });
  };
  EXPECT_CONTAINS(with([](LinkSplitOptions& o) { o.validation_fraction = -0.1; }),
                  "must be >= 0 and leave edges for training");
  EXPECT_CONTAINS(with([](LinkSplitOptions& o) { o.test_fraction = -0.1; }),
                  "(user, listens, artist): fractions");
  EXPECT_CONTAINS(with([](LinkSplitOptions& o) {
                    o.validation_fraction = 0.5;
                    o.test_fraction = 0.5;
                  }),
                  "leave edges for training");
  EXPECT_CONTAINS(with([](LinkSplitOptions& o) { o.validation_fraction = 1.5; }),
                  "leave edges for training");
  EXPECT_CONTAINS(with([](LinkSplitOptions& o) { o.disjoint_train_ratio = 1.0; }),
                  "disjoint_train_ratio 1 is not in [0, 1)");
  EXPECT_CONTAINS(with([](LinkSplitOptions& o) { o.disjoint_train_ratio = -0.5; }),
                  "disjoint_train_ratio -0.5 is not in [0, 1)");
  EXPECT_CONTAINS(with([](LinkSplitOptions& o) { o.eval_negatives_per_positive = -1; }),
                  "eval_negatives_per_positive -1 is negative");

  HeteroGraph empty = graph;
  empty.add_relation({"user", "blocks", "artist", {}, {}});
  EXPECT_CONTAINS(error_message([&] { random_link_split(empty, "blocks", defaults); }),
                  "relation (user, blocks, artist) has no edges");
}

}  // namespace
}  // namespace gnnrec::io
