// Optimizers: dense Adam and row-sparse Adam (KERNELS.md section 7; the
// update formulas are in kernels/adam.h). DESIGN decision 5 and STYLE
// habit 14: which one a model uses is an explicit choice.
//
// Adam (dense), as torch.optim.Adam: every step moves *every* element of
// every parameter, including embedding rows the batch never touched (their
// gradient is 0, but their m and v still decay and their stale m still
// moves theta). This is what LightGCN-PyTorch gets with its dense Adam, and
// what full-graph LightGCN needs anyway (every row gets a gradient).
//   theta -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
//
// SparseAdam (row-sparse), as torch.optim.SparseAdam, for one embedding
// table in mini-batch training: step(rows) updates only the listed rows;
// every other row keeps its theta and its stale m and v (they do not decay).
// One step count t for the whole table, advanced by every step. eps sits on
// the *uncorrected* sqrt(v):
//   theta -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)
// i.e. an effective eps of eps / sqrt(1 - beta2^t), unlike dense Adam.
// (weight_decay, which SparseAdam in PyTorch lacks, is applied to the listed
// rows only.)
//
// Both consume the gradients: the kernels zero each gradient element they
// read, so the next backward starts from zero without a memset. SparseAdam
// zeroes only the listed rows, so `rows` must hold every row with a
// gradient (the distinct ids the batch gathered).
//
// State (m, v) is allocated once, in the constructor, on each parameter's
// device: a step allocates nothing.
#pragma once

#include <cstdint>
#include <vector>

#include "core/autograd.h"
#include "core/tensor.h"
#include "kernels/adam.h"

namespace gnnrec {

class Adam {
 public:
  Adam(std::vector<ag::Var> params, const AdamConfig& config);

  // t += 1, then one update of every parameter; zeroes the gradients.
  void step();

  std::int64_t step_count() const { return t_; }
  const AdamConfig& config() const { return config_; }
  void set_lr(float lr) { config_.lr = lr; }

  // The state a checkpoint keeps: the step count and each parameter's m and v.
  const std::vector<Tensor>& first_moments() const { return m_; }
  const std::vector<Tensor>& second_moments() const { return v_; }
  // Restores it (copies onto the parameters' devices; shapes must match).
  void load_state(std::int64_t step_count, const std::vector<Tensor>& first_moments,
                  const std::vector<Tensor>& second_moments);

 private:
  std::vector<ag::Var> params_;
  std::vector<Tensor> m_;  // first moments, one per parameter (its shape)
  std::vector<Tensor> v_;  // second moments
  AdamConfig config_;
  std::int64_t t_ = 0;
};

class SparseAdam {
 public:
  // table: a 2-D f32 parameter (n_rows, dim).
  SparseAdam(ag::Var table, const AdamConfig& config);

  // t += 1, then updates the rows listed in `rows` (i32, distinct, on the
  // table's device) and zeroes their gradient rows. On the CPU the ids are
  // checked (in range, distinct); on the GPU they are trusted (no host copy
  // in a training step, DESIGN decision 8).
  void step(const Tensor& rows);

  std::int64_t step_count() const { return t_; }
  const AdamConfig& config() const { return config_; }
  void set_lr(float lr) { config_.lr = lr; }

 private:
  ag::Var table_;
  Tensor m_;  // (n_rows, dim)
  Tensor v_;  // (n_rows, dim)
  AdamConfig config_;
  std::int64_t t_ = 0;
};

}  // namespace gnnrec
