// LightGCN: the normalized adjacency by hand, the loss's gradient against
// finite differences, K = 0 against BPR-MF, the trainer on both backends,
// and the accuracy check on MovieLens (LightGCN beats BPR-MF and the
// most-popular baseline).
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/ops.h"
#include "io/dataset.h"
#include "models/bpr_trainer.h"
#include "models/evaluate.h"
#include "models/lightgcn.h"
#include "tests/test_util.h"

#include <gmock/gmock.h>

namespace gnnrec {
namespace {

// 3 users, 4 items: user 0 -> {0, 2}, user 1 -> {1, 2, 3}, user 2 -> {0}.
Csr tiny_train() { return Csr::from_coo(3, 4, {0, 0, 1, 1, 1, 2}, {0, 2, 1, 2, 3, 0}); }

constexpr int kMovieLensTestEpochs = 20;
constexpr float kMovieLensTestLr = 5e-3f;

float scalar(const Tensor& t) { return t.to_vector<float>().at(0); }

TEST(LightGcn, NormalizedAdjacencyIsSymmetricWithInverseSqrtDegrees) {
  const Csr a = LightGcn::normalized_adjacency(tiny_train(), Device::cpu());
  ASSERT_EQ(a.n_rows(), 7);
  ASSERT_EQ(a.nnz(), 12);
  // deg(user 1) = 3, deg(item 2) = 2 (users 0 and 1): node 3 + 2 = 5.
  const std::vector<std::int32_t> row_ptr = a.row_ptr().to_vector<std::int32_t>();
  const std::vector<std::int32_t> col = a.col_idx().to_vector<std::int32_t>();
  const std::vector<float> value = a.values().to_vector<float>();
  auto entry = [&](std::int32_t r, std::int32_t c) {
    for (std::int32_t e = row_ptr[r]; e < row_ptr[r + 1]; ++e) {
      if (col[e] == c) return value[e];
    }
    return 0.0f;
  };
  EXPECT_FLOAT_EQ(entry(1, 5), 1.0f / std::sqrt(6.0f));
  EXPECT_FLOAT_EQ(entry(5, 1), 1.0f / std::sqrt(6.0f));
  EXPECT_FLOAT_EQ(entry(2, 3), 1.0f / std::sqrt(2.0f));  // user 2 (deg 1) - item 0 (deg 2)
  EXPECT_EQ(entry(0, 1), 0.0f);                          // no user-user edges
  for (std::int32_t r = 0; r < 7; ++r) {
    for (std::int32_t c = 0; c < 7; ++c) EXPECT_EQ(entry(r, c), entry(c, r));
  }
}

// dL/dE⁰ of the whole model loss (3 layers, BPR + L2) against central
// differences in double over the float forward.
TEST(LightGcn, LossGradientMatchesFiniteDifferences) {
  LightGcnConfig config;
  config.layers = 3;
  config.dim = 4;
  config.init_std = 0.5f;
  LightGcn model(3, 4, config, 11, Device::cpu());
  const Csr adjacency = LightGcn::normalized_adjacency(tiny_train(), Device::cpu());
  const Tensor users = Tensor::from_vector<std::int32_t>({0, 1, 2, 1}, {4});
  const Tensor pos = Tensor::from_vector<std::int32_t>({2, 3, 0, 1}, {4});
  const Tensor neg = Tensor::from_vector<std::int32_t>({1, 0, 3, 0}, {4});
  const float l2 = 0.3f;  // large, so the L2 term's gradient matters
  ag::Tape tape;
  tape.backward(model.bpr_loss(tape, adjacency, users, pos, neg, l2));
  const std::vector<float> analytic = model.table().grad().to_vector<float>();

  Tensor table_values = model.table().value();  // shares the parameter's storage
  float* table = table_values.data<float>();
  std::vector<float> numeric(analytic.size());
  const float h = 5e-3f;
  for (std::size_t j = 0; j < numeric.size(); ++j) {
    const float original = table[j];
    ag::Tape no_grad;
    table[j] = original + h;
    const double plus = scalar(model.bpr_loss(no_grad, adjacency, users, pos, neg, l2).value());
    table[j] = original - h;
    const double minus = scalar(model.bpr_loss(no_grad, adjacency, users, pos, neg, l2).value());
    table[j] = original;
    no_grad.clear();
    numeric[j] =
        static_cast<float>((plus - minus) / (static_cast<double>(original + h) - (original - h)));
  }
  EXPECT_ALL_CLOSE(analytic, numeric, 2e-3f, 1e-2f);
}

// With K = 0 the loss is BPR-MF's, written out here from its definition:
// mean softplus(e_u·e_j - e_u·e_i) + l2/(2B) (||e_u||² + ||e_i||² + ||e_j||²).
TEST(LightGcn, ZeroLayersIsBprMf) {
  LightGcnConfig config;
  config.layers = 0;
  config.dim = 8;
  LightGcn model(3, 4, config, 5, Device::cpu());
  const Csr adjacency = LightGcn::normalized_adjacency(tiny_train(), Device::cpu());
  const std::vector<std::int32_t> users = {0, 1, 2}, pos = {2, 3, 0}, neg = {1, 0, 3};
  const float l2 = 1e-2f;
  const std::vector<float> e = model.table().value().to_vector<float>();
  auto row = [&](std::int32_t node) { return e.data() + node * 8; };
  auto dot = [](const float* a, const float* b) {
    double s = 0;
    for (int d = 0; d < 8; ++d) s += static_cast<double>(a[d]) * b[d];
    return s;
  };
  double bpr = 0, norms = 0;
  for (std::size_t b = 0; b < users.size(); ++b) {
    const float* u = row(users[b]);
    const float* i = row(3 + pos[b]);
    const float* j = row(3 + neg[b]);
    bpr += std::log1p(std::exp(dot(u, j) - dot(u, i)));
    norms += dot(u, u) + dot(i, i) + dot(j, j);
  }
  const double want = bpr / 3 + l2 / (2.0 * 3) * norms;
  ag::Tape tape;
  const float got =
      scalar(model
                 .bpr_loss(tape, adjacency, Tensor::from_vector(users, {3}),
                           Tensor::from_vector(pos, {3}), Tensor::from_vector(neg, {3}), l2)
                 .value());
  EXPECT_NEAR(got, want, 1e-6 * std::abs(want));
}

TEST(LightGcn, FinalEmbeddingsAreTheLayerMean) {
  LightGcnConfig config;
  config.layers = 2;
  config.dim = 5;
  LightGcn model(3, 4, config, 9, Device::cpu());
  const Csr a = LightGcn::normalized_adjacency(tiny_train(), Device::cpu());
  const Tensor& e0 = model.table().value();
  const Tensor e1 = ops::spmm(a, e0);
  const Tensor e2 = ops::spmm(a, e1);
  const Tensor mean = ops::weighted_sum({e0, e1, e2}, {1 / 3.0f, 1 / 3.0f, 1 / 3.0f});
  const LightGcn::Embeddings e = model.final_embeddings(a);
  // Horner's rule (ops::propagation_mean) rounds differently from the sum of
  // the layers: a few float ulps.
  EXPECT_ALL_CLOSE(e.users.to_vector<float>(), mean.slice_rows(0, 3).to_vector<float>(), 1e-7,
                   1e-5);
  EXPECT_ALL_CLOSE(e.items.to_vector<float>(), mean.slice_rows(3, 7).to_vector<float>(), 1e-7,
                   1e-5);
}

// A random bipartite training graph with ragged degrees.
Csr random_train(std::int32_t n_users, std::int32_t n_items, std::uint64_t seed) {
  std::vector<std::int32_t> users = gnnrec::testing::random_ints(n_users * 6, seed, 0, n_users);
  std::vector<std::int32_t> items = gnnrec::testing::random_ints(n_users * 6, seed + 1, 0, n_items);
  for (std::int32_t u = 0; u < n_users; ++u) {  // every user has an edge
    users.push_back(u);
    items.push_back(u % n_items);
  }
  return Csr::from_coo(n_users, n_items, users, items);
}

std::vector<double> train_losses(Device device, int epochs) {
  const Csr train = random_train(50, 37, 3);
  LightGcnConfig config;
  config.dim = 16;
  LightGcn model(50, 37, config, 21, device);
  BprTrainConfig train_config;
  train_config.batch_size = 64;  // ~300 distinct edges: 5 batches, the last one ragged
  train_config.lr = 1e-2f;
  BprTrainer trainer(model, train, train_config);
  std::vector<double> losses;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    const EpochProgress progress = trainer.train_epoch(epoch, 0, {});
    losses.push_back(progress.loss_sum / static_cast<double>(progress.n_batches));
  }
  return losses;
}

class BprTrainerOnDevice : public gnnrec::testing::DeviceTest {};

// The loss goes down, and the same seed gives the same losses on this
// backend as on the CPU (bit-equal arithmetic on both sides, except that
// the GPU's scatter-add sums in another order: a float tolerance).
TEST_P(BprTrainerOnDevice, LossFallsAndMatchesTheCpu) {
  const std::vector<double> here = train_losses(device(), 4);
  const std::vector<double> cpu = train_losses(Device::cpu(), 4);
  EXPECT_LT(here.back(), here.front());
  for (std::size_t e = 0; e < here.size(); ++e) EXPECT_NEAR(here[e], cpu[e], 1e-5 * cpu[e]);
}

GNNREC_INSTANTIATE_DEVICE_TESTS(BprTrainerOnDevice);

TEST(BprTrainer, SameSeedSameLosses) {
  EXPECT_EQ(train_losses(Device::cpu(), 2), train_losses(Device::cpu(), 2));
}

// Ctrl-C's path: an epoch stopped after 2 of its 5 batches and resumed from
// batch 2 (by a new trainer with the saved table and Adam state) ends with
// the same table, bit for bit, as the uninterrupted epoch.
TEST(BprTrainer, EpochStoppedAndResumedMidwayEqualsUninterrupted) {
  const Csr train = random_train(50, 37, 3);
  LightGcnConfig config;
  config.dim = 8;
  BprTrainConfig train_config;
  train_config.batch_size = 64;
  LightGcn straight(50, 37, config, 21, Device::cpu());
  BprTrainer straight_trainer(straight, train, train_config);
  const EpochProgress whole = straight_trainer.train_epoch(1, 0, {});
  ASSERT_TRUE(whole.complete());
  ASSERT_GE(whole.n_batches, 3);

  LightGcn first(50, 37, config, 21, Device::cpu());
  BprTrainer first_trainer(first, train, train_config);
  const EpochProgress part =
      first_trainer.train_epoch(1, 0, [](std::int64_t done, std::int64_t) { return done < 2; });
  EXPECT_EQ(part.batches_done, 2);
  EXPECT_FALSE(part.complete());

  LightGcn resumed(50, 37, config, 99, Device::cpu());  // another init: overwritten below
  Tensor table = resumed.table().value();
  table.copy_from(first.table().value());
  BprTrainer resumed_trainer(resumed, train, train_config);
  resumed_trainer.optimizer().load_state(first_trainer.optimizer().step_count(),
                                         first_trainer.optimizer().first_moments(),
                                         first_trainer.optimizer().second_moments());
  const EpochProgress rest = resumed_trainer.train_epoch(1, part.batches_done, {});
  EXPECT_TRUE(rest.complete());
  EXPECT_EQ(part.loss_sum + rest.loss_sum, whole.loss_sum);
  EXPECT_EQ(resumed.table().value().to_vector<float>(),
            straight.table().value().to_vector<float>());
}

// A diverging run stops at the first non-finite loss, naming epoch and step.
TEST(BprTrainer, NonFiniteLossNamesEpochAndStep) {
  const Csr train = random_train(50, 37, 3);
  LightGcnConfig config;
  config.dim = 8;
  LightGcn model(50, 37, config, 21, Device::cpu());
  BprTrainConfig train_config;
  train_config.batch_size = 64;
  train_config.lr = 1e30f;
  BprTrainer trainer(model, train, train_config);
  try {
    for (int epoch = 1; epoch <= 3; ++epoch) trainer.train_epoch(epoch, 0, {});
    FAIL() << "no error for a diverging run";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("in epoch 1, step "));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("--lr"));
  }
}

// The accuracy check, on the CPU in well under a minute: on
// MovieLens latest-small (rating >= 3.5, 80/10/10, seed 42) LightGCN beats
// BPR-MF (the same model with K = 0) and the most-popular baseline on test
// recall@20 and NDCG@20. Both models train the same number of epochs with
// the same settings; the learning rate is raised from the paper's 1e-3 so a
// short run separates them (tools/run_main.sh shows the full-length run).
TEST(LightGcnOnMovieLens, BeatsBprMfAndMostPopular) {
  io::SplitOptions split;
  const io::RecDataset data = io::load_movielens(
      std::string(GNNREC_SOURCE_DIR) + "/data/ml-latest-small/ratings.csv", "", 3.5f, split);
  const Csr train = Csr::from_coo(data.n_users(), data.n_items(), data.train.user, data.train.item);
  io::EdgeList known = data.train;
  known.user.insert(known.user.end(), data.validation.user.begin(), data.validation.user.end());
  known.item.insert(known.item.end(), data.validation.item.begin(), data.validation.item.end());
  const Csr exclude = Csr::from_coo(data.n_users(), data.n_items(), known.user, known.item);
  const Csr test = Csr::from_coo(data.n_users(), data.n_items(), data.test.user, data.test.item);

  auto train_and_test = [&](int layers) {
    LightGcnConfig config;
    config.layers = layers;
    LightGcn model(data.n_users(), data.n_items(), config, 42, Device::cpu());
    BprTrainConfig train_config;
    train_config.lr = kMovieLensTestLr;
    BprTrainer trainer(model, train, train_config);
    for (int epoch = 1; epoch <= kMovieLensTestEpochs; ++epoch) trainer.train_epoch(epoch, 0, {});
    const LightGcn::Embeddings e = model.final_embeddings(trainer.adjacency());
    return evaluate_ranking(e.users, e.items, exclude, test, {20}).at(20);
  };
  const RankingMetrics lightgcn = train_and_test(3);
  const RankingMetrics mf = train_and_test(0);
  const RankingMetrics popular = most_popular_baseline(train, exclude, test, {20}).at(20);
  std::printf(
      "  test@20 recall / ndcg: LightGCN %.4f / %.4f, BPR-MF %.4f / %.4f, "
      "most popular %.4f / %.4f\n",
      lightgcn.recall, lightgcn.ndcg, mf.recall, mf.ndcg, popular.recall, popular.ndcg);
  EXPECT_GT(lightgcn.recall, mf.recall);
  EXPECT_GT(lightgcn.ndcg, mf.ndcg);
  EXPECT_GT(lightgcn.recall, popular.recall);
  EXPECT_GT(lightgcn.ndcg, popular.ndcg);
}

}  // namespace
}  // namespace gnnrec
