#include "models/bpr_trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "core/ops.h"

namespace gnnrec {
namespace {

AdamConfig adam_config(float lr) {
  AdamConfig config;
  config.lr = lr;
  return config;
}

}  // namespace

BprTrainer::BprTrainer(LightGcn& model, const Csr& train, const BprTrainConfig& config)
    : model_(model), config_(config), optimizer_({model.table()}, adam_config(config.lr)) {
  GNNREC_CHECK(train.n_rows() == model.n_users() && train.n_cols() == model.n_items(),
               "BprTrainer: the training graph is "
                   << train.n_rows() << " x " << train.n_cols() << ", the model has "
                   << model.n_users() << " users and " << model.n_items() << " items");
  GNNREC_CHECK(train.nnz() > 0, "BprTrainer: the training graph has no edges");
  GNNREC_CHECK(config.batch_size >= 1,
               "BprTrainer: batch size must be >= 1, got " << config.batch_size);
  const Device device = model.table().value().device();
  train_on_device_ = train.to(device);
  adjacency_ = LightGcn::normalized_adjacency(train, device);
  const CsrView view = train.view();
  edge_users_.reserve(static_cast<std::size_t>(train.nnz()));
  for (std::int32_t user = 0; user < view.n_rows; ++user) {
    edge_users_.insert(edge_users_.end(),
                       static_cast<std::size_t>(view.row_ptr[user + 1] - view.row_ptr[user]), user);
  }
  edge_items_.assign(view.col_idx, view.col_idx + view.nnz);
}

std::int64_t BprTrainer::batches_per_epoch() const {
  const auto n_edges = static_cast<std::int64_t>(edge_users_.size());
  return (n_edges + config_.batch_size - 1) / config_.batch_size;
}

double BprTrainer::train_epoch(int epoch,
                               const std::function<void(std::int64_t, std::int64_t)>& on_batch) {
  const Device device = model_.table().value().device();
  const auto n_edges = static_cast<std::int64_t>(edge_users_.size());

  // This epoch's order, from (seed, epoch) alone.
  std::vector<std::int64_t> order(static_cast<std::size_t>(n_edges));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 shuffle_rng(config_.seed ^
                              (0x9e3779b97f4a7c15ull * static_cast<std::uint64_t>(epoch)));
  std::shuffle(order.begin(), order.end(), shuffle_rng);
  std::vector<std::int32_t> users(order.size()), items(order.size());
  for (std::size_t e = 0; e < order.size(); ++e) {
    users[e] = edge_users_[static_cast<std::size_t>(order[e])];
    items[e] = edge_items_[static_cast<std::size_t>(order[e])];
  }
  const Tensor epoch_users = Tensor::from_vector(users, {n_edges}, device);
  const Tensor epoch_items = Tensor::from_vector(items, {n_edges}, device);

  const std::int64_t n_batches = batches_per_epoch();
  Tensor loss_sum = Tensor::zeros({1}, DType::F32, device);
  for (std::int64_t batch = 0; batch < n_batches; ++batch) {
    const std::int64_t begin = batch * config_.batch_size;
    const std::int64_t end = std::min(n_edges, begin + config_.batch_size);
    const Tensor batch_users = epoch_users.slice_rows(begin, end);
    const Tensor positive_items = epoch_items.slice_rows(begin, end);
    const auto step = static_cast<std::uint64_t>((epoch - 1) * n_batches + batch);
    const Tensor negative_items =
        ops::sample_negatives(train_on_device_, batch_users, model_.n_items(), config_.seed, step);
    ag::Tape tape;
    ag::Var loss =
        model_.bpr_loss(tape, adjacency_, batch_users, positive_items, negative_items, config_.l2);
    tape.backward(loss);
    optimizer_.step();
    ops::add_scaled_(loss_sum, 1.0f, loss.value());
    if (on_batch) on_batch(batch + 1, n_batches);
  }
  const double mean_loss =
      static_cast<double>(loss_sum.to_vector<float>()[0]) / static_cast<double>(n_batches);
  GNNREC_CHECK(std::isfinite(mean_loss), "the training loss became " << mean_loss << " in epoch "
                                                                     << epoch
                                                                     << "; try a smaller --lr");
  return mean_loss;
}

}  // namespace gnnrec
