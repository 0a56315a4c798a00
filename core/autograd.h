// A small reverse-mode autograd (DESIGN decision 3).
//
// A Var is a value tensor plus, after backward, its gradient. Each op below
// computes its forward with core/ops.h and, when an input needs a gradient,
// records on the Tape a closure that computes its backward. Tape::backward
// sets dloss = 1 and runs the closures in reverse order; each adds its
// contribution into the inputs' gradients (dx += ...), because in a GNN one
// tensor commonly feeds several ops (STYLE habit 4).
//
//   Tape tape;
//   Var x = Var::parameter(embeddings);           // requires_grad
//   Var y = ag::spmm(tape, norm_adj, norm_adj_t, x);
//   Var loss = ag::mean(tape, ag::row_dot(tape, y, y));
//   tape.backward(loss);                          // x.grad() now holds dloss/dx
//
// Gradients of parameters accumulate across backward calls until something
// zeroes them (the Adam kernels do, as they consume them). A tape is used
// for one step: backward() clears it, and the next step records anew.
//
// Writing an op (autograd.cpp): compute the forward with core/ops.h, then
//   return tape.record(out, {a, b}, [a, b](const Tensor& dout) {
//     if (a.requires_grad()) ...kernel adds into a.grad()...
//   });
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/csr.h"
#include "core/tensor.h"
#include "kernels/spmm.h"

namespace gnnrec::ag {

class Var {
 public:
  Var() = default;
  // A value that needs no gradient (an input, a constant).
  static Var constant(Tensor value);
  // A leaf whose gradient is kept (a parameter: embeddings, weights).
  static Var parameter(Tensor value);

  bool defined() const { return node_ != nullptr; }
  const Tensor& value() const;
  bool requires_grad() const;
  // The gradient buffer: zeros of value's shape, made on first use.
  Tensor& grad() const;
  bool has_grad() const;
  void zero_grad() const;  // zeroes the buffer if it exists
  // Records that the buffer holds zeros (an optimizer step has just zeroed
  // it): the next grad_slot() may then overwrite it, as a new buffer.
  void mark_grad_zeroed() const;

  // For a backward rule whose kernel can either write or add its
  // contribution (C = beta * C + ...): the gradient buffer, and beta = 0 when
  // the buffer is new (uninitialized: the kernel overwrites it) or holds
  // zeros (mark_grad_zeroed, with no grad() since), or 1 when it may hold
  // contributions. A first contribution is then written instead of added
  // to zeros, saving a zero-fill (or a temporary) and a read of the buffer.
  struct GradSlot {
    Tensor& buffer;
    float beta;
  };
  GradSlot grad_slot() const;

  // For an op whose output is a view of its input (slice_rows): the output's
  // gradient buffer becomes the same view of the input's gradient, so the
  // gradient lands in place and the op's backward has nothing to add.
  void share_grad_with_view_of(const Var& input, std::int64_t begin, std::int64_t end) const;

 private:
  struct Node {
    Tensor value;
    Tensor grad;
    bool requires_grad = false;
    bool grad_is_zero = false;  // see mark_grad_zeroed
  };
  std::shared_ptr<Node> node_;
  static Var make(Tensor value, bool requires_grad);
  friend class Tape;
};

class Tape {
 public:
  // The backward of one op: given dout, the gradient of the op's output
  // (same shape as the output), adds into the gradients of those inputs
  // that require one (dx += ..., never dx = ...).
  using BackwardFn = std::function<void(const Tensor& dout)>;

  // Wraps an op's forward result. When any of `inputs` requires a gradient,
  // the result does too and `backward_fn` is recorded with it; otherwise the
  // result is a constant and nothing is recorded (the closure and whatever it
  // captured are dropped at once).
  Var record(Tensor value, const std::vector<Var>& inputs, BackwardFn backward_fn);

  // dloss = 1 (loss must have one element and require a gradient), then
  // each recorded backward in reverse order, skipping ops whose output
  // received no gradient (a branch the loss does not depend on). Clears
  // the tape afterwards: a second backward needs a new forward.
  void backward(const Var& loss);
  void clear() { entries_.clear(); }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Var output;
    BackwardFn backward_fn;
  };
  std::vector<Entry> entries_;
};

// ---- Differentiable ops -------------------------------------------------------
Var add(Tape& tape, const Var& a, const Var& b);
Var mul(Tape& tape, const Var& a, const Var& b);
Var scale(Tape& tape, const Var& a, float alpha);
Var add_bias(Tape& tape, const Var& x, const Var& bias);
Var relu(Tape& tape, const Var& x);
// Identity when p == 0; `step` picks the mask (use a new one each step).
Var dropout(Tape& tape, const Var& x, float p, std::uint64_t seed, std::uint64_t step);
Var row_dot(Tape& tape, const Var& a, const Var& b);
Var weighted_sum(Tape& tape, const std::vector<Var>& xs, const std::vector<float>& weights);
Var row_l2_normalize(Tape& tape, const Var& x, float eps = 1e-12f);
Var sum(Tape& tape, const Var& x);
Var mean(Tape& tape, const Var& x);
// op(a) · op(b); e.g. a linear layer is matmul(x, W, false, true).
Var matmul(Tape& tape, const Var& a, const Var& b, bool trans_a = false, bool trans_b = false);
// A · x with a constant sparse A; `a_transposed` is Aᵀ for the backward
// (pass `a` itself when A is symmetric).
Var spmm(Tape& tape, const Csr& a, const Csr& a_transposed, const Var& x,
         SpmmAlgo algo = SpmmAlgo::WarpPerRow);
// The mean of x, A x, ..., Aᴷ x (K = n_powers >= 1) for a constant square A
// (ops::propagation_mean); the backward is the same mean over Aᵀ:
// dx += (1 / (K + 1)) Σ_k (Aᵀ)ᵏ dout.
Var propagation_mean(Tape& tape, const Csr& a, const Csr& a_transposed, const Var& x, int n_powers,
                     SpmmAlgo algo = SpmmAlgo::WarpPerRow);
// One GraphSAGE relation term (models/sage.h), mean = A·h_src:
//   project_first:  out = A·(h_src·W_neighᵀ) + h_dst·W_rootᵀ + bias
//   otherwise:      out = (A·h_src)·W_neighᵀ + h_dst·W_rootᵀ + bias
// in one buffer: the root product is added by the GEMM itself (beta = 1)
// and the bias in place, so neither the forward nor the backward makes a
// pass or a copy for the two sums. Backward: dbias = column sums of dout,
// dW_root = doutᵀ h_dst, dh_dst += dout W_root, and with dP = Aᵀ dout:
// dW_neigh = dPᵀ h_src, dh_src += dP W_neigh (project first), or with
// dM = dout W_neigh: dW_neigh = doutᵀ (A h_src), dh_src += Aᵀ dM.
// With h_dst and w_root both undefined the term has no root product (the
// relations into one node type take theirs together, models/sage.cpp).
Var sage_relation(Tape& tape, const Csr& a, const Csr& a_transposed, const Var& h_src,
                  const Var& h_dst, const Var& w_neigh, const Var& bias, const Var& w_root,
                  bool project_first);
Var gather_rows(Tape& tape, const Var& table, const Tensor& idx);
// row_dot(gather_rows(a, a_idx), gather_rows(b, b_idx)) in one op, without
// the gathered copies (kernels/embedding.h): a dot decoder's logits.
Var gathered_row_dot(Tape& tape, const Var& a, const Tensor& a_idx, const Var& b,
                     const Tensor& b_idx);
// x with another shape of the same element count, sharing its storage.
Var reshape(Tape& tape, const Var& x, const Shape& shape);
// Rows [begin, end) of x, sharing its storage (e.g. the user part of a
// stacked user-item table); dx[begin:end] += dout.
Var slice_rows(Tape& tape, const Var& x, std::int64_t begin, std::int64_t end);
Var bpr_loss(Tape& tape, const Var& pos_scores, const Var& neg_scores);
Var bce_with_logits(Tape& tape, const Var& logits, const Tensor& labels);
Var squared_l2(Tape& tape, const Var& x);

}  // namespace gnnrec::ag
