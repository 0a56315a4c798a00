// GraphSAGE: one layer against its formula computed by hand, gradient
// checks of the homogeneous and heterogeneous encoders and of both decoders
// against finite differences (CPU backend), and the trainer's warm steps
// without system allocations.
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "core/allocator.h"
#include "models/link_trainer.h"
#include "models/sage.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

using gnnrec::testing::random_floats;

// 4 users, 5 artists: listens (user -> artist) and its reverse, friends
// (user -> user, made symmetric); artists have 2 input features. User 3
// listens to nothing (no neighbours in rev_listens).
HeteroGraph tiny_hetero_graph() {
  HeteroGraph g;
  g.add_node_type({"user", 4, {}, {}, {}});
  NodeType artist{"artist", 5, {}, {}, {}};
  artist.features = Tensor::from_vector(random_floats(10, 3), {5, 2});
  g.add_node_type(artist);
  g.add_relation({"user", "listens", "artist", {0, 0, 1, 2, 2, 2}, {0, 3, 1, 1, 2, 4}});
  g.add_relation({"user", "friends", "user", {0, 1}, {1, 2}});
  g.make_symmetric(g.relation_index("friends"));
  g.add_reverse_relations();
  return g;
}

// One type, one directed relation (not symmetric: A and Aᵀ differ).
HeteroGraph tiny_homogeneous_graph() {
  HeteroGraph g;
  g.add_node_type({"node", 6, {}, {}, {}});
  g.add_relation({"node", "edge", "node", {0, 1, 2, 3, 4, 5, 0, 2}, {1, 2, 0, 0, 0, 1, 3, 4}});
  return g;
}

// L = sum_i w_i logit_i over fixed pairs of (type a, type b) nodes.
float model_loss(const HeteroSage& model, const SageGraph& graph, ag::Tape& tape, int src_type,
                 int dst_type, ag::Var* loss_out = nullptr) {
  const std::vector<ag::Var> h = model.encode(tape, graph, false, 0);
  const Tensor src = Tensor::from_vector<std::int32_t>({0, 1, 2, 3, 1}, {5});
  const Tensor dst = Tensor::from_vector<std::int32_t>({4, 0, 3, 1, 2}, {5});
  ag::Var logits = model.decode(tape, ag::gather_rows(tape, h[src_type], src),
                                ag::gather_rows(tape, h[dst_type], dst), false, 0);
  const ag::Var weights =
      ag::Var::constant(Tensor::from_vector<float>({0.7f, -0.4f, 0.9f, 0.3f, -0.8f}, {5}));
  ag::Var loss = ag::sum(tape, ag::mul(tape, logits, weights));
  if (loss_out) *loss_out = loss;
  return loss.value().to_vector<float>()[0];
}

// Every parameter's gradient against central differences.
void expect_model_gradients_match(const HeteroGraph& g, const SageConfig& config, int src_type,
                                  int dst_type) {
  HeteroSage model(g, config, 17, Device::cpu());
  const SageGraph graph = SageGraph::build(g, Device::cpu());
  ag::Tape tape;
  ag::Var loss;
  model_loss(model, graph, tape, src_type, dst_type, &loss);
  tape.backward(loss);
  const double h = 5e-3;
  for (std::size_t p = 0; p < model.parameters().size(); ++p) {
    SCOPED_TRACE(model.parameter_names()[p]);
    const ag::Var& param = model.parameters()[p];
    const std::vector<float> analytic = param.grad().to_vector<float>();
    Tensor values = param.value();  // shares the parameter's storage
    float* x = values.data<float>();
    std::vector<float> numeric(analytic.size());
    for (std::size_t j = 0; j < numeric.size(); ++j) {
      const float original = x[j];
      ag::Tape no_grad;
      x[j] = static_cast<float>(original + h);
      const double plus = model_loss(model, graph, no_grad, src_type, dst_type);
      x[j] = static_cast<float>(original - h);
      const double minus = model_loss(model, graph, no_grad, src_type, dst_type);
      x[j] = original;
      no_grad.clear();
      numeric[j] = static_cast<float>((plus - minus) /
                                      (static_cast<double>(static_cast<float>(original + h)) -
                                       static_cast<float>(original - h)));
    }
    EXPECT_ALL_CLOSE(analytic, numeric, 3e-3f, 1e-2f);
  }
}

TEST(SageGradcheck, HomogeneousTwoLayersNormalizedDot) {
  SageConfig config;
  config.layers = 2;
  config.hidden = 3;
  config.normalize = true;
  expect_model_gradients_match(tiny_homogeneous_graph(), config, 0, 0);
}

TEST(SageGradcheck, HeterogeneousWithFeaturesAndMlpDecoder) {
  SageConfig config;
  config.layers = 2;
  config.hidden = 3;
  config.decoder = SageDecoder::Mlp;
  config.init_std = 0.5f;
  expect_model_gradients_match(tiny_hetero_graph(), config, 0, 1);
}

// One SAGE relation term of width 2 by hand, in double: for each destination v,
//   out[v] = W_neigh · mean over in_neighbours[v] of src[u] + b + W_root · dst[v]
// (a zero mean without in-neighbours).
std::vector<double> sage_term(const std::vector<float>& src, const std::vector<float>& dst,
                              const std::vector<float>& w_neigh, const std::vector<float>& b,
                              const std::vector<float>& w_root,
                              const std::vector<std::vector<int>>& in_neighbours) {
  std::vector<double> out;
  for (std::size_t v = 0; v < in_neighbours.size(); ++v) {
    double mean[2] = {0, 0};
    for (int u : in_neighbours[v]) {
      for (int d = 0; d < 2; ++d) mean[d] += src[u * 2 + d] / in_neighbours[v].size();
    }
    for (int o = 0; o < 2; ++o) {
      double want = b[o];
      for (int d = 0; d < 2; ++d)
        want += w_neigh[o * 2 + d] * mean[d] + w_root[o * 2 + d] * dst[v * 2 + d];
      out.push_back(want);
    }
  }
  return out;
}

// The model's out against sage_term.
void expect_sage_layer(const std::vector<float>& out, const std::vector<float>& src,
                       const std::vector<float>& dst, const std::vector<float>& w_neigh,
                       const std::vector<float>& b, const std::vector<float>& w_root,
                       const std::vector<std::vector<int>>& in_neighbours) {
  const std::vector<double> want = sage_term(src, dst, w_neigh, b, w_root, in_neighbours);
  ASSERT_EQ(out.size(), want.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_NEAR(out[i], want[i], 1e-6) << "node " << i / 2 << ", output " << i % 2;
  }
}

// One homogeneous layer = SAGEConv: W_neigh · mean(h_u) + b + W_root · h_v,
// with a zero mean for a node without in-neighbours.
TEST(Sage, OneLayerIsTheSageConvFormula) {
  HeteroGraph g;
  g.add_node_type({"node", 4, {}, {}, {}});
  g.add_relation({"node", "edge", "node", {1, 2, 2, 3}, {0, 0, 1, 1}});  // nodes 2, 3: no in-edges
  SageConfig config;
  config.layers = 1;
  config.hidden = 2;
  HeteroSage model(g, config, 3, Device::cpu());
  ag::Tape tape;
  const std::vector<float> out = model.encode(tape, SageGraph::build(g, Device::cpu()), false, 0)[0]
                                     .value()
                                     .to_vector<float>();
  const std::vector<float> e = model.parameters()[0].value().to_vector<float>();  // (4, 2)
  const std::vector<float> w_neigh = model.parameters()[1].value().to_vector<float>();
  const std::vector<float> b = model.parameters()[2].value().to_vector<float>();
  const std::vector<float> w_root = model.parameters()[3].value().to_vector<float>();
  ASSERT_EQ(model.parameter_names()[1], "layer1.edge.neigh.weight");
  expect_sage_layer(out, e, e, w_neigh, b, w_root, {{1, 2}, {2, 3}, {}, {}});
}

// A one-layer model of width 2 on g (embeddings normal(0, 0.5), seed
// `seed`) and its output rows for node type `type`, in evaluation mode.
struct OneLayer {
  HeteroSage model;
  std::vector<float> out;
  OneLayer(const HeteroGraph& g, std::uint64_t seed, int type)
      : model(g, config(), seed, Device::cpu()) {
    ag::Tape tape;
    out = model.encode(tape, SageGraph::build(g, Device::cpu()), false, 0)[type]
              .value()
              .to_vector<float>();
  }
  static SageConfig config() {
    SageConfig c;
    c.layers = 1;
    c.hidden = 2;
    c.init_std = 0.5f;
    return c;
  }
  std::vector<float> parameter(const std::string& name) const {
    const std::vector<std::string>& names = model.parameter_names();
    const auto at = std::find(names.begin(), names.end(), name);
    EXPECT_NE(at, names.end()) << name;
    if (at == names.end()) return {};
    return model.parameters()[static_cast<std::size_t>(at - names.begin())]
        .value()
        .to_vector<float>();
  }
};

// 2 users -> 3 items: fewer source rows than destination rows, so the
// model projects the users before the mean (models/sage.h). The items'
// outputs still follow the formula, with the bias added once.
TEST(Sage, ProjectingBeforeTheMeanIsTheSameFormula) {
  HeteroGraph g;
  g.add_node_type({"user", 2, {}, {}, {}});
  g.add_node_type({"item", 3, {}, {}, {}});
  g.add_relation({"user", "likes", "item", {0, 1, 1}, {0, 0, 1}});  // item 2: no in-edges
  g.add_reverse_relations();
  const OneLayer layer(g, 5, 1);
  const std::vector<float> users = layer.parameter("user.embedding");
  const std::vector<float> items = layer.parameter("item.embedding");
  const std::vector<float> w_neigh = layer.parameter("layer1.likes.neigh.weight");
  const std::vector<float> b = layer.parameter("layer1.likes.neigh.bias");
  const std::vector<float> w_root = layer.parameter("layer1.likes.root.weight");
  expect_sage_layer(layer.out, users, items, w_neigh, b, w_root, {{0, 1}, {1}, {}});
}

// Two relations into the users (friends, and the reverse of likes): the
// users' output is the sum of the two SAGEConv terms, each with its own
// W_root (the model multiplies h by their sum once, models/sage.h).
TEST(Sage, RelationsIntoOneTypeAddUp) {
  HeteroGraph g;
  g.add_node_type({"user", 3, {}, {}, {}});
  g.add_node_type({"item", 2, {}, {}, {}});
  g.add_relation({"user", "likes", "item", {0, 1, 2}, {0, 0, 1}});
  g.add_relation({"user", "friends", "user", {0, 1}, {1, 2}});  // user 0: no in-friends
  g.add_reverse_relations();
  const OneLayer layer(g, 7, 0);
  const std::vector<float> users = layer.parameter("user.embedding");
  const std::vector<float> items = layer.parameter("item.embedding");
  // users' in-neighbours: friends {} / {0} / {1}; rev_likes (items) {0} / {0} / {1}
  const std::vector<double> friends =
      sage_term(users, users, layer.parameter("layer1.friends.neigh.weight"),
                layer.parameter("layer1.friends.neigh.bias"),
                layer.parameter("layer1.friends.root.weight"), {{}, {0}, {1}});
  const std::vector<double> listened =
      sage_term(items, users, layer.parameter("layer1.rev_likes.neigh.weight"),
                layer.parameter("layer1.rev_likes.neigh.bias"),
                layer.parameter("layer1.rev_likes.root.weight"), {{0}, {0}, {1}});
  ASSERT_EQ(layer.out.size(), friends.size());
  for (std::size_t i = 0; i < layer.out.size(); ++i) {
    EXPECT_NEAR(layer.out[i], friends[i] + listened[i], 1e-6) << "element " << i;
  }
}

// The last layer restricted to some rows per type (a training batch's
// nodes) gives exactly those rows of the full encoding, and the same
// parameter gradients for a loss on them (up to the order of the weight
// gradients' sums), on the heterogeneous and the homogeneous graph.
void expect_output_rows_are_the_full_rows(const HeteroGraph& g,
                                          const std::vector<std::vector<std::int32_t>>& rows) {
  SageConfig config;
  config.layers = 2;
  config.hidden = 3;
  config.init_std = 0.5f;
  const SageGraph graph = SageGraph::build(g, Device::cpu());
  HeteroSage full_model(g, config, 23, Device::cpu());
  HeteroSage restricted_model(g, config, 23, Device::cpu());
  // L = sum over types of sum_i w_i · h_t[rows_t[i]] (all columns), with
  // fixed random weights.
  auto loss_of = [&](ag::Tape& tape, const std::vector<ag::Var>& h, bool restricted) {
    ag::Var loss;
    for (std::size_t t = 0; t < rows.size(); ++t) {
      const auto n = static_cast<std::int64_t>(rows[t].size());
      ag::Var picked = h[t];
      if (!restricted || rows[t].empty()) {
        std::vector<std::int32_t> ids = rows[t];
        if (ids.empty()) {
          for (std::int32_t i = 0; i < g.node_type(static_cast<int>(t)).count; ++i)
            ids.push_back(i);
        }
        picked = ag::gather_rows(tape, h[t],
                                 Tensor::from_vector(ids, {static_cast<std::int64_t>(ids.size())}));
      }
      const std::int64_t n_rows = picked.value().rows();
      EXPECT_TRUE(rows[t].empty() || n_rows == n);
      const ag::Var weights =
          ag::Var::constant(Tensor::from_vector(random_floats(n_rows * 3, 40 + t), {n_rows, 3}));
      ag::Var term = ag::sum(tape, ag::mul(tape, picked, weights));
      loss = loss.defined() ? ag::add(tape, loss, term) : term;
    }
    return loss;
  };
  ag::Tape full_tape, restricted_tape;
  const std::vector<ag::Var> full = full_model.encode(full_tape, graph, false, 0);
  const std::vector<ag::Var> restricted =
      restricted_model.encode(restricted_tape, graph, false, 0, rows);
  for (std::size_t t = 0; t < rows.size(); ++t) {
    if (rows[t].empty()) {
      EXPECT_EQ(restricted[t].value().to_vector<float>(), full[t].value().to_vector<float>());
      continue;
    }
    const std::vector<float> all = full[t].value().to_vector<float>();
    const std::vector<float> some = restricted[t].value().to_vector<float>();
    ASSERT_EQ(some.size(), rows[t].size() * 3);
    for (std::size_t i = 0; i < rows[t].size(); ++i) {
      for (int c = 0; c < 3; ++c) EXPECT_EQ(some[i * 3 + c], all[rows[t][i] * 3 + c]);
    }
  }
  ag::Var full_loss = loss_of(full_tape, full, false);
  ag::Var restricted_loss = loss_of(restricted_tape, restricted, true);
  EXPECT_FLOAT_EQ(restricted_loss.value().to_vector<float>()[0],
                  full_loss.value().to_vector<float>()[0]);
  full_tape.backward(full_loss);
  restricted_tape.backward(restricted_loss);
  for (std::size_t p = 0; p < full_model.parameters().size(); ++p) {
    SCOPED_TRACE(full_model.parameter_names()[p]);
    EXPECT_ALL_CLOSE(restricted_model.parameters()[p].grad().to_vector<float>(),
                     full_model.parameters()[p].grad().to_vector<float>(), 1e-6f, 1e-5f);
  }
}

TEST(Sage, LastLayerForSomeRowsIsThoseRowsOfTheFullLayer) {
  // Artists 1 and 4 (4 has two listeners); the users whole.
  expect_output_rows_are_the_full_rows(tiny_hetero_graph(), {{}, {1, 4}});
  expect_output_rows_are_the_full_rows(tiny_hetero_graph(), {{0, 3}, {0, 2, 3}});
  expect_output_rows_are_the_full_rows(tiny_homogeneous_graph(), {{0, 2, 5}});
}

TEST(Sage, RejectsATypeWithoutIncomingRelations) {
  HeteroGraph g;
  g.add_node_type({"user", 2, {}, {}, {}});
  g.add_node_type({"artist", 2, {}, {}, {}});
  g.add_relation({"user", "listens", "artist", {0, 1}, {1, 0}});
  EXPECT_THROW(HeteroSage(g, SageConfig{}, 1, Device::cpu()), Error);
  g.add_reverse_relations();
  EXPECT_NO_THROW(HeteroSage(g, SageConfig{}, 1, Device::cpu()));
}

// Warm training steps on the CPU, with the last layer restricted to the
// batch's nodes (2 positives and 2 negatives of 40 artists), take every
// tensor from the caching allocator's cache: no system allocation after
// the first steps (as the TinyModel step of test_optim.cpp). The host-side
// row lists are LinkTrainer's BatchRows, kept from step to step.
TEST(LinkTrainer, WarmCpuStepsMakeNoSystemAllocations) {
  const std::int32_t n_users = 6, n_artists = 40;
  HeteroGraph g;
  g.add_node_type({"user", n_users, {}, {}, {}});
  g.add_node_type({"artist", n_artists, {}, {}, {}});
  std::vector<std::int32_t> src, dst;
  for (std::int32_t e = 0; e < 30; ++e) {
    src.push_back(e % n_users);
    dst.push_back((7 * e) % n_artists);
  }
  g.add_relation({"user", "listens", "artist", src, dst});
  g.add_reverse_relations();
  SageConfig config;
  config.hidden = 8;
  HeteroSage model(g, config, 3, Device::cpu());
  const SageGraph graph = SageGraph::build(g, Device::cpu());
  LinkTask task;
  task.src_type = 0;
  task.dst_type = 1;
  task.src_end = n_users;
  task.dst_end = n_artists;
  task.train_src = src;
  task.train_dst = dst;
  task.train_positives = Csr::from_coo(n_users, n_artists, src, dst);
  LinkTrainConfig train_config;
  train_config.batch_size = 2;
  LinkTrainer trainer(model, graph, task, train_config, Device::cpu());
  std::vector<std::int64_t> allocs;  // after each step
  trainer.train_epoch(1, 0, [&](std::int64_t, std::int64_t) {
    allocs.push_back(allocator_for(Device::cpu()).stats().n_system_allocs);
    return true;
  });
  ASSERT_EQ(allocs.size(), 15u);
  for (std::size_t step = 3; step < allocs.size(); ++step) {
    EXPECT_EQ(allocs[step], allocs[2]) << "step " << step + 1;
  }
}

}  // namespace
}  // namespace gnnrec
