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

EpochProgress BprTrainer::train_epoch(
    int epoch, std::int64_t first_batch,
    const std::function<bool(std::int64_t, std::int64_t)>& keep_going) {
  const Device device = model_.table().value().device();
  const auto n_edges = static_cast<std::int64_t>(edge_users_.size());
  const std::int64_t n_batches = batches_per_epoch();
  GNNREC_CHECK(first_batch >= 0 && first_batch <= n_batches,
               "train_epoch: first batch " << first_batch << " of " << n_batches);

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

  Tensor batch_losses = Tensor::zeros({n_batches}, DType::F32, device);
  EpochProgress progress;
  progress.n_batches = n_batches;
  progress.batches_done = first_batch;
  for (std::int64_t batch = first_batch; batch < n_batches; ++batch) {
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
    Tensor loss_slot = batch_losses.slice_rows(batch, batch + 1);
    loss_slot.copy_from(loss.value());
    progress.batches_done = batch + 1;
    if (keep_going && !keep_going(batch + 1, n_batches)) break;
  }
  const std::vector<float> losses =
      batch_losses.slice_rows(first_batch, progress.batches_done).to_vector<float>();
  progress.loss_sum = sum_finite_losses(losses, epoch, first_batch, n_batches);
  return progress;
}

}  // namespace gnnrec
