// LightGCN's propagation and loss, built from autograd ops (the math is in
// the header; each op's kernels are in kernels/).
#include "models/lightgcn.h"

#include <vector>

#include "models/init.h"

namespace gnnrec {

LightGcn::LightGcn(std::int32_t n_users, std::int32_t n_items, const LightGcnConfig& config,
                   std::uint64_t seed, Device device)
    : n_users_(n_users), n_items_(n_items), config_(config) {
  GNNREC_CHECK(n_users > 0 && n_items > 0, "LightGCN needs users and items, got "
                                               << n_users << " users and " << n_items << " items");
  GNNREC_CHECK(config.layers >= 0, "LightGCN: layers must be >= 0, got " << config.layers);
  GNNREC_CHECK(config.dim >= 1, "LightGCN: dim must be >= 1, got " << config.dim);
  const std::int64_t n_nodes = static_cast<std::int64_t>(n_users) + n_items;
  try {
    table_ = ag::Var::parameter(
        normal_init(n_nodes, config.dim, config.init_std, seed, /*salt=*/0, device));
  } catch (const OutOfMemory& e) {
    throw OutOfMemory(std::string(e.what()) + " for the embedding table (" +
                          std::to_string(n_nodes) + " nodes x dim " + std::to_string(config.dim) +
                          " floats)",
                      e.where());
  }
}

Csr LightGcn::normalized_adjacency(const Csr& train, Device device) {
  const std::int32_t n_users = train.n_rows();
  const std::int32_t n_nodes = n_users + train.n_cols();
  const CsrView view = train.view();
  std::vector<std::int32_t> rows, cols;
  rows.reserve(static_cast<std::size_t>(2 * train.nnz()));
  cols.reserve(rows.capacity());
  for (std::int32_t user = 0; user < n_users; ++user) {
    for (std::int32_t e = view.row_ptr[user]; e < view.row_ptr[user + 1]; ++e) {
      rows.push_back(user);  // user -> item
      cols.push_back(n_users + view.col_idx[e]);
      rows.push_back(n_users + view.col_idx[e]);  // item -> user
      cols.push_back(user);
    }
  }
  return Csr::from_coo(n_nodes, n_nodes, rows, cols).symmetric_normalized().to(device);
}

namespace {

// The layer mean of E⁰ = `layer0` propagated `n_layers` times over Â:
// (1 / (K + 1)) Σ_k Âᵏ E⁰, one autograd op (Horner's rule, one SpMM per layer
// and no pass to sum the layers; Â is symmetric, so it is its own transpose).
ag::Var layer_mean(ag::Tape& tape, const Csr& adjacency, const ag::Var& layer0, int n_layers) {
  if (n_layers == 0) return layer0;
  return ag::propagation_mean(tape, adjacency, /*a_transposed=*/adjacency, layer0, n_layers);
}

}  // namespace

ag::Var LightGcn::propagate(ag::Tape& tape, const Csr& adjacency) const {
  return layer_mean(tape, adjacency, table_, config_.layers);
}

ag::Var LightGcn::bpr_loss(ag::Tape& tape, const Csr& adjacency, const Tensor& users,
                           const Tensor& positive_items, const Tensor& negative_items,
                           float l2) const {
  const std::int64_t n_nodes = table_.value().rows();
  ag::Var final_table = propagate(tape, adjacency);
  ag::Var final_users = ag::slice_rows(tape, final_table, 0, n_users_);
  ag::Var final_items = ag::slice_rows(tape, final_table, n_users_, n_nodes);
  ag::Var e_u = ag::gather_rows(tape, final_users, users);
  ag::Var pos_scores = ag::row_dot(tape, e_u, ag::gather_rows(tape, final_items, positive_items));
  ag::Var neg_scores = ag::row_dot(tape, e_u, ag::gather_rows(tape, final_items, negative_items));
  ag::Var bpr = ag::bpr_loss(tape, pos_scores, neg_scores);
  if (l2 == 0.0f) return bpr;

  ag::Var layer0_users = ag::slice_rows(tape, table_, 0, n_users_);
  ag::Var layer0_items = ag::slice_rows(tape, table_, n_users_, n_nodes);
  ag::Var user_norms = ag::squared_l2(tape, ag::gather_rows(tape, layer0_users, users));
  ag::Var pos_norms = ag::squared_l2(tape, ag::gather_rows(tape, layer0_items, positive_items));
  ag::Var neg_norms = ag::squared_l2(tape, ag::gather_rows(tape, layer0_items, negative_items));
  ag::Var squared_norms = ag::add(tape, ag::add(tape, user_norms, pos_norms), neg_norms);
  const float reg_scale = l2 / (2.0f * static_cast<float>(users.numel()));
  return ag::add(tape, bpr, ag::scale(tape, squared_norms, reg_scale));
}

LightGcn::Embeddings LightGcn::final_embeddings(const Csr& adjacency) const {
  ag::Tape tape;  // stays empty: a constant E⁰ records nothing
  const Tensor e =
      layer_mean(tape, adjacency, ag::Var::constant(table_.value()), config_.layers).value();
  return {e.slice_rows(0, n_users_), e.slice_rows(n_users_, e.rows())};
}

}  // namespace gnnrec
