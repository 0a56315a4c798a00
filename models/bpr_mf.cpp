#include "models/bpr_mf.h"

#include <cmath>
#include <vector>

#include "core/philox.h"

namespace gnnrec {

Tensor normal_init(std::int64_t rows, std::int64_t cols, float std, std::uint64_t seed,
                   std::uint32_t salt, Device device) {
  // Box-Muller on pairs of Philox uniforms, computed on the host in double.
  std::vector<float> values(static_cast<std::size_t>(rows * cols));
  for (std::size_t i = 0; i < values.size(); i += 2) {
    Philox4 r = philox_block(seed, kRngInit, salt, static_cast<std::uint32_t>(i / 2),
                             static_cast<std::uint32_t>(i >> 33));
    double u1 = (static_cast<double>(r.w[0]) + 1.0) / 4294967296.0;  // (0, 1]
    double u2 = static_cast<double>(r.w[1]) / 4294967296.0;
    double radius = std::sqrt(-2.0 * std::log(u1));
    values[i] = static_cast<float>(std * radius * std::cos(2.0 * M_PI * u2));
    if (i + 1 < values.size()) {
      values[i + 1] = static_cast<float>(std * radius * std::sin(2.0 * M_PI * u2));
    }
  }
  return Tensor::from_vector(values, {rows, cols}, device);
}

BprMf::BprMf(std::int32_t n_users, std::int32_t n_items, std::int64_t dim, float init_std,
             std::uint64_t seed, Device device)
    : user_emb(ag::Var::parameter(normal_init(n_users, dim, init_std, seed, 0, device))),
      item_emb(ag::Var::parameter(normal_init(n_items, dim, init_std, seed, 1, device))) {}

ag::Var BprMf::loss(ag::Tape& tape, const Tensor& users, const Tensor& pos, const Tensor& neg,
                    float l2) const {
  ag::Var e_u = ag::gather_rows(tape, user_emb, users);
  ag::Var e_i = ag::gather_rows(tape, item_emb, pos);
  ag::Var e_j = ag::gather_rows(tape, item_emb, neg);
  ag::Var bpr = ag::bpr_loss(tape, ag::row_dot(tape, e_u, e_i), ag::row_dot(tape, e_u, e_j));
  ag::Var squared_norms =
      ag::add(tape, ag::add(tape, ag::squared_l2(tape, e_u), ag::squared_l2(tape, e_i)),
              ag::squared_l2(tape, e_j));
  const float reg_scale = l2 / (2.0f * static_cast<float>(users.numel()));
  return ag::add(tape, bpr, ag::scale(tape, squared_norms, reg_scale));
}

}  // namespace gnnrec
