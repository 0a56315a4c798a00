// The tape and the differentiable ops. Each op is its forward (core/ops.h)
// followed by its backward closure, which adds into the inputs' gradients
// with the backward kernels (their math is in kernels/*.h). A gradient is
// computed only for inputs that require one.
#include "core/autograd.h"

#include <map>
#include <mutex>
#include <utility>

#include "core/ops.h"
#include "kernels/elementwise.h"
#include "kernels/embedding.h"
#include "kernels/gemm.h"
#include "kernels/loss.h"
#include "kernels/reduce.h"

namespace gnnrec::ag {
namespace {

const float* f32(const Tensor& t) { return t.data<float>(); }
float* f32(Tensor& t) { return t.data<float>(); }

// A one-element 1.0 on `device`, made once per device: seeding dloss is then
// a copy queued on the device, not a host-to-device copy that waits
// (DESIGN decision 8: no hidden synchronization in a step).
const Tensor& one_on(Device device) {
  static std::mutex mutex;
  static std::map<std::pair<DeviceType, int>, Tensor> ones;
  std::lock_guard<std::mutex> lock(mutex);
  Tensor& one = ones[{device.type, device.index}];
  if (!one.defined()) one = Tensor::full({1}, 1.0f, device);
  return one;
}

// The gradient buffer of `x` when it needs one, else nullptr (the backward
// kernels in elementwise.h and loss.h skip a null output).
float* grad_or_null(const Var& x) { return x.requires_grad() ? f32(x.grad()) : nullptr; }

// dx += alpha * contribution; a first contribution is copied (or scaled)
// into the buffer instead of added to zeros.
void add_to_grad(const Var& x, float alpha, const Tensor& contribution) {
  const Var::GradSlot slot = x.grad_slot();
  if (slot.beta == 1.0f) {
    ops::add_scaled_(slot.buffer, alpha, contribution);
  } else if (alpha == 1.0f) {
    slot.buffer.copy_from(contribution);
  } else {
    GNNREC_DISPATCH(contribution.device(), gnnrec::scale, contribution.numel(), alpha,
                    f32(contribution), f32(slot.buffer));
  }
}

// `a_transposed` must be Aᵀ: the backward of an op over a constant A.
void check_transposed(const char* op, const Csr& a, const Csr& a_transposed) {
  GNNREC_CHECK(a_transposed.n_rows() == a.n_cols() && a_transposed.n_cols() == a.n_rows() &&
                   a_transposed.nnz() == a.nnz(),
               op << ": a_transposed (" << a_transposed.n_rows() << ", " << a_transposed.n_cols()
                  << ", nnz " << a_transposed.nnz() << ") is not the transpose of A (" << a.n_rows()
                  << ", " << a.n_cols() << ", nnz " << a.nnz() << ")");
}

// dx += Aᵀ·dy. The SpMM kernel overwrites its output: it writes a new
// gradient buffer directly, or a temporary that is then added in.
void add_spmm_to_grad(const Var& x, const Csr& a_transposed, const Tensor& dy, SpmmAlgo algo) {
  const Var::GradSlot dx = x.grad_slot();
  if (dx.beta == 0.0f) {
    GNNREC_DISPATCH(dy.device(), spmm_csr, a_transposed.view(), f32(dy), dy.cols(), f32(dx.buffer),
                    algo);
  } else {
    ops::add_scaled_(dx.buffer, 1.0f, ops::spmm(a_transposed, dy, algo));
  }
}

}  // namespace

// ---- Var ------------------------------------------------------------------------

Var Var::make(Tensor value, bool requires_grad) {
  GNNREC_CHECK(value.defined(), "autograd: a Var needs a defined tensor");
  Var var;
  var.node_ = std::make_shared<Node>();
  var.node_->value = std::move(value);
  var.node_->requires_grad = requires_grad;
  return var;
}

Var Var::constant(Tensor value) { return make(std::move(value), false); }

Var Var::parameter(Tensor value) {
  GNNREC_CHECK(value.defined() && value.dtype() == DType::F32,
               "Var::parameter: a parameter must be a defined f32 tensor");
  return make(std::move(value), true);
}

const Tensor& Var::value() const {
  GNNREC_CHECK(defined(), "autograd: use of an undefined Var");
  return node_->value;
}

bool Var::requires_grad() const { return defined() && node_->requires_grad; }

Tensor& Var::grad() const {
  GNNREC_CHECK(defined(), "autograd: grad() of an undefined Var");
  if (!node_->grad.defined()) {
    node_->grad = Tensor::zeros(node_->value.shape(), DType::F32, node_->value.device());
  }
  node_->grad_is_zero = false;  // the caller may add into it
  return node_->grad;
}

Var::GradSlot Var::grad_slot() const {
  GNNREC_CHECK(defined(), "autograd: grad_slot() of an undefined Var");
  if (!node_->grad.defined()) {
    node_->grad = Tensor::empty(node_->value.shape(), DType::F32, node_->value.device());
    return {node_->grad, 0.0f};
  }
  if (node_->grad_is_zero) {
    node_->grad_is_zero = false;
    return {node_->grad, 0.0f};
  }
  return {node_->grad, 1.0f};
}

void Var::share_grad_with_view_of(const Var& input, std::int64_t begin, std::int64_t end) const {
  GNNREC_CHECK(defined() && !has_grad(), "autograd: share_grad_with_view_of on a used Var");
  node_->grad = input.grad().slice_rows(begin, end);
}

bool Var::has_grad() const { return defined() && node_->grad.defined(); }

void Var::zero_grad() const {
  if (!has_grad()) return;
  node_->grad.zero_();
  node_->grad_is_zero = true;
}

void Var::mark_grad_zeroed() const {
  if (has_grad()) node_->grad_is_zero = true;
}

// ---- Tape -----------------------------------------------------------------------

Var Tape::record(Tensor value, const std::vector<Var>& inputs, BackwardFn backward_fn) {
  bool requires_grad = false;
  for (const Var& input : inputs) requires_grad = requires_grad || input.requires_grad();
  Var output = Var::make(std::move(value), requires_grad);
  if (requires_grad) entries_.push_back({output, std::move(backward_fn)});
  return output;
}

void Tape::backward(const Var& loss) {
  GNNREC_CHECK(loss.defined() && loss.value().numel() == 1,
               "backward: the loss must be one element, got shape "
                   << (loss.defined() ? shape_str(loss.value().shape()) : "(undefined)"));
  GNNREC_CHECK(loss.requires_grad(),
               "backward: the loss does not depend on any parameter (nothing to differentiate)");
  const Tensor& value = loss.value();
  loss.grad().copy_from(one_on(value.device()).reshape(value.shape()));
  for (auto entry = entries_.rbegin(); entry != entries_.rend(); ++entry) {
    if (entry->output.has_grad()) entry->backward_fn(entry->output.grad());
  }
  clear();
}

// ---- Elementwise -----------------------------------------------------------------

// out = a + b:  da += dout, db += dout
Var add(Tape& tape, const Var& a, const Var& b) {
  return tape.record(ops::add(a.value(), b.value()), {a, b}, [a, b](const Tensor& dout) {
    if (a.requires_grad()) add_to_grad(a, 1.0f, dout);
    if (b.requires_grad()) add_to_grad(b, 1.0f, dout);
  });
}

// out = a * b:  da += dout * b, db += dout * a
Var mul(Tape& tape, const Var& a, const Var& b) {
  return tape.record(ops::mul(a.value(), b.value()), {a, b}, [a, b](const Tensor& dout) {
    // a and b may be the same Var (x * x): both terms then land in one buffer.
    float* da = grad_or_null(a);
    float* db = grad_or_null(b);
    GNNREC_DISPATCH(dout.device(), mul_backward, dout.numel(), f32(dout), f32(a.value()),
                    f32(b.value()), da, db);
  });
}

// out = alpha * a:  da += alpha * dout
Var scale(Tape& tape, const Var& a, float alpha) {
  return tape.record(ops::scale(a.value(), alpha), {a},
                     [a, alpha](const Tensor& dout) { add_to_grad(a, alpha, dout); });
}

// out[r, c] = x[r, c] + bias[c]:  dx += dout, dbias[c] += sum_r dout[r, c]
Var add_bias(Tape& tape, const Var& x, const Var& bias) {
  return tape.record(ops::add_bias(x.value(), bias.value()), {x, bias},
                     [x, bias](const Tensor& dout) {
                       if (x.requires_grad()) add_to_grad(x, 1.0f, dout);
                       if (bias.requires_grad()) {
                         GNNREC_DISPATCH(dout.device(), column_sum, dout.rows(), dout.cols(),
                                         f32(dout), f32(bias.grad()), true);
                       }
                     });
}

// out = max(x, 0):  dx += dout * (x > 0)
Var relu(Tape& tape, const Var& x) {
  return tape.record(ops::relu(x.value()), {x}, [x](const Tensor& dout) {
    const Var::GradSlot dx = x.grad_slot();
    GNNREC_DISPATCH(dout.device(), relu_backward, dout.numel(), f32(x.value()), f32(dout), dx.beta,
                    f32(dx.buffer));
  });
}

// out = x * keep / (1 - p):  dx += dout * keep / (1 - p), with the same mask
// recomputed from (seed, step) rather than stored.
Var dropout(Tape& tape, const Var& x, float p, std::uint64_t seed, std::uint64_t step) {
  if (p == 0.0f) return x;
  return tape.record(ops::dropout(x.value(), p, seed, step), {x},
                     [x, p, seed, step](const Tensor& dout) {
                       GNNREC_DISPATCH(dout.device(), dropout_backward, dout.numel(), p, seed, step,
                                       f32(dout), f32(x.grad()));
                     });
}

// out[r] = a[r, :] . b[r, :]:  da[r, :] += dout[r] * b[r, :], db[r, :] += dout[r] * a[r, :]
Var row_dot(Tape& tape, const Var& a, const Var& b) {
  return tape.record(ops::row_dot(a.value(), b.value()), {a, b}, [a, b](const Tensor& dout) {
    const Tensor& a_value = a.value();
    // a's slot first: for row_dot(x, x) it makes x's gradient and b's adds to it.
    float *da = nullptr, *db = nullptr, da_beta = 0.0f, db_beta = 0.0f;
    if (a.requires_grad()) {
      const Var::GradSlot slot = a.grad_slot();
      da = f32(slot.buffer);
      da_beta = slot.beta;
    }
    if (b.requires_grad()) {
      const Var::GradSlot slot = b.grad_slot();
      db = f32(slot.buffer);
      db_beta = slot.beta;
    }
    GNNREC_DISPATCH(dout.device(), gnnrec::row_dot_backward, a_value.rows(), a_value.cols(),
                    f32(dout), f32(a_value), f32(b.value()), da_beta, da, db_beta, db);
  });
}

// out = sum_k w_k x_k:  dx_k += w_k * dout
Var weighted_sum(Tape& tape, const std::vector<Var>& xs, const std::vector<float>& weights) {
  std::vector<Tensor> values;
  values.reserve(xs.size());
  for (const Var& x : xs) values.push_back(x.value());
  return tape.record(ops::weighted_sum(values, weights), xs, [xs, weights](const Tensor& dout) {
    for (std::size_t k = 0; k < xs.size(); ++k) {
      if (xs[k].requires_grad()) add_to_grad(xs[k], weights[k], dout);
    }
  });
}

// y = x / max(||x||, eps) per row:  dx += (dy - y (y . dy)) / ||x||  (kernels/elementwise.h)
Var row_l2_normalize(Tape& tape, const Var& x, float eps) {
  Tensor y = ops::row_l2_normalize(x.value(), eps);
  return tape.record(y, {x}, [x, y, eps](const Tensor& dy) {
    const Tensor& x_value = x.value();
    GNNREC_DISPATCH(dy.device(), row_l2_normalize_backward, x_value.rows(), x_value.cols(), eps,
                    f32(x_value), f32(y), f32(dy), f32(x.grad()));
  });
}

// ---- Reductions -------------------------------------------------------------------

// out = sum_i x_i:  dx_i += dout  (dout read on the device)
Var sum(Tape& tape, const Var& x) {
  return tape.record(ops::sum(x.value()), {x}, [x](const Tensor& dout) {
    GNNREC_DISPATCH(dout.device(), sum_backward, x.value().numel(), 1.0f, f32(dout), f32(x.grad()));
  });
}

// out = (1/n) sum_i x_i:  dx_i += dout / n
Var mean(Tape& tape, const Var& x) {
  return tape.record(ops::mean(x.value()), {x}, [x](const Tensor& dout) {
    const std::int64_t n = x.value().numel();
    const float inv_n = static_cast<float>(1.0 / static_cast<double>(n));
    GNNREC_DISPATCH(dout.device(), sum_backward, n, inv_n, f32(dout), f32(x.grad()));
  });
}

// ---- Products -----------------------------------------------------------------------

// C = op(A) op(B), C (m, n), op(A) (m, k), op(B) (k, n). With dC the gradient:
//   d op(A) = dC op(B)ᵀ (m, k)        d op(B) = op(A)ᵀ dC (k, n)
// and the stored A is op(A) or its transpose, so:
//   A not transposed:  dA += dC · op(B)ᵀ,  i.e. gemm(N, !trans_b) of (dC, B)   (m x k)
//   A transposed:      dA += op(B) · dCᵀ,  i.e. gemm(trans_b, T) of (B, dC)    (k x m)
//   B not transposed:  dB += op(A)ᵀ · dC,  i.e. gemm(!trans_a, N) of (A, dC)   (k x n)
//   B transposed:      dB += dCᵀ · op(A),  i.e. gemm(T, trans_a) of (dC, A)    (n x k)
// (op(X)ᵀ under a gemm flag f is X under !f.) beta = 1 accumulates, beta = 0
// writes a new gradient buffer (Var::grad_slot).
Var matmul(Tape& tape, const Var& a, const Var& b, bool trans_a, bool trans_b) {
  Tensor c = ops::matmul(a.value(), b.value(), trans_a, trans_b);
  const std::int64_t m = c.size(0), n = c.size(1);
  const std::int64_t k = trans_a ? a.value().size(0) : a.value().size(1);
  return tape.record(c, {a, b}, [a, b, trans_a, trans_b, m, n, k](const Tensor& dc) {
    const float* a_data = f32(a.value());
    const float* b_data = f32(b.value());
    const Device device = dc.device();
    if (a.requires_grad()) {
      const Var::GradSlot da = a.grad_slot();
      if (!trans_a) {
        GNNREC_DISPATCH(device, gemm, false, !trans_b, m, k, n, 1.0f, f32(dc), b_data, da.beta,
                        f32(da.buffer));
      } else {
        GNNREC_DISPATCH(device, gemm, trans_b, true, k, m, n, 1.0f, b_data, f32(dc), da.beta,
                        f32(da.buffer));
      }
    }
    if (b.requires_grad()) {
      const Var::GradSlot db = b.grad_slot();
      if (!trans_b) {
        GNNREC_DISPATCH(device, gemm, !trans_a, false, k, n, m, 1.0f, a_data, f32(dc), db.beta,
                        f32(db.buffer));
      } else {
        GNNREC_DISPATCH(device, gemm, true, trans_a, n, k, m, 1.0f, f32(dc), a_data, db.beta,
                        f32(db.buffer));
      }
    }
  });
}

// Y = A X with A constant:  dX += Aᵀ dY.
Var spmm(Tape& tape, const Csr& a, const Csr& a_transposed, const Var& x, SpmmAlgo algo) {
  check_transposed("spmm", a, a_transposed);
  return tape.record(ops::spmm(a, x.value(), algo), {x}, [a_transposed, x, algo](const Tensor& dy) {
    add_spmm_to_grad(x, a_transposed, dy, algo);
  });
}

// out = mean_k Aᵏ x:  dx += mean_k (Aᵀ)ᵏ dout, by the same Horner steps.
Var propagation_mean(Tape& tape, const Csr& a, const Csr& a_transposed, const Var& x, int n_powers,
                     SpmmAlgo algo) {
  check_transposed("propagation_mean", a, a_transposed);
  return tape.record(ops::propagation_mean(a, x.value(), n_powers, algo), {x},
                     [a_transposed, x, n_powers, algo](const Tensor& dout) {
                       Tensor dx = ops::propagation_mean(a_transposed, dout, n_powers, algo);
                       const Var::GradSlot slot = x.grad_slot();
                       if (slot.beta == 0.0f) {
                         slot.buffer = std::move(dx);  // a new tensor, nobody else's
                       } else {
                         ops::add_scaled_(slot.buffer, 1.0f, dx);
                       }
                     });
}

Var sage_relation(Tape& tape, const Csr& a, const Csr& a_transposed, const Var& h_src,
                  const Var& h_dst, const Var& w_neigh, const Var& bias, const Var& w_root,
                  bool project_first) {
  const std::int64_t n_src = a.n_cols(), n_dst = a.n_rows();
  const std::int64_t hidden = w_neigh.value().rows();
  const std::int64_t in_src = h_src.value().cols();
  const bool root = w_root.defined();
  const std::int64_t in_dst = root ? h_dst.value().cols() : 0;
  check_transposed("sage_relation", a, a_transposed);
  GNNREC_CHECK(root == h_dst.defined(),
               "sage_relation: h_dst and W_root go together (both, or neither for no root term)");
  GNNREC_CHECK(h_src.value().rows() == n_src && w_neigh.value().cols() == in_src &&
                   bias.value().numel() == hidden &&
                   (!root || (h_dst.value().rows() == n_dst && w_root.value().rows() == hidden &&
                              w_root.value().cols() == in_dst)),
               "sage_relation: A ("
                   << n_dst << ", " << n_src << "), h_src " << shape_str(h_src.value().shape())
                   << ", W_neigh " << shape_str(w_neigh.value().shape()) << ", bias "
                   << shape_str(bias.value().shape()) << ", h_dst "
                   << (root ? shape_str(h_dst.value().shape()) : "none") << ", W_root "
                   << (root ? shape_str(w_root.value().shape()) : "none")
                   << " do not fit together");
  const Device device = h_src.value().device();
  Tensor mean;  // A·h_src, kept for dW_neigh when the mean comes first
  Tensor out;
  if (project_first) {
    out = ops::spmm(a, ops::matmul(h_src.value(), w_neigh.value(), false, true));
  } else {
    mean = ops::spmm(a, h_src.value());
    out = ops::matmul(mean, w_neigh.value(), false, true);
  }
  if (root) {
    GNNREC_DISPATCH(device, gemm, false, true, n_dst, hidden, in_dst, 1.0f, f32(h_dst.value()),
                    f32(w_root.value()), 1.0f, f32(out));
  }
  GNNREC_DISPATCH(device, gnnrec::add_bias, n_dst, hidden, f32(out), f32(bias.value()), f32(out));
  return tape.record(out, {h_src, h_dst, w_neigh, bias, w_root}, [=](const Tensor& dout) {
    // y = x·Wᵀ: dW += doutᵀ x, dx += dout W (as in matmul's backward).
    auto linear_backward = [&](const Tensor& dy, const Var& x, const Tensor& x_value, const Var& w,
                               std::int64_t rows, std::int64_t in) {
      if (w.requires_grad()) {
        const Var::GradSlot dw = w.grad_slot();
        GNNREC_DISPATCH(device, gemm, true, false, hidden, in, rows, 1.0f, f32(dy), f32(x_value),
                        dw.beta, f32(dw.buffer));
      }
      if (x.defined() && x.requires_grad()) {
        const Var::GradSlot dx = x.grad_slot();
        GNNREC_DISPATCH(device, gemm, false, false, rows, in, hidden, 1.0f, f32(dy), f32(w.value()),
                        dx.beta, f32(dx.buffer));
      }
    };
    if (bias.requires_grad()) {
      GNNREC_DISPATCH(device, column_sum, n_dst, hidden, f32(dout), f32(bias.grad()), true);
    }
    if (root) linear_backward(dout, h_dst, h_dst.value(), w_root, n_dst, in_dst);
    if (project_first) {
      linear_backward(ops::spmm(a_transposed, dout), h_src, h_src.value(), w_neigh, n_src, in_src);
      return;
    }
    linear_backward(dout, Var(), mean, w_neigh, n_dst, in_src);  // dW_neigh = doutᵀ (A h_src)
    if (h_src.requires_grad()) {
      add_spmm_to_grad(h_src, a_transposed, ops::matmul(dout, w_neigh.value()),
                       SpmmAlgo::WarpPerRow);
    }
  });
}

// out[i, :] = table[idx[i], :]:  dtable[idx[i], :] += dout[i, :]  (repeats add up)
Var gather_rows(Tape& tape, const Var& table, const Tensor& idx) {
  return tape.record(ops::gather_rows(table.value(), idx), {table},
                     [table, idx](const Tensor& dout) {
                       GNNREC_DISPATCH(dout.device(), scatter_add_rows, idx.numel(), dout.cols(),
                                       f32(dout), idx.data<std::int32_t>(), f32(table.grad()));
                     });
}

// out[i] = a[a_idx[i], :] · b[b_idx[i], :]:
//   da[a_idx[i], :] += dout[i] b[b_idx[i], :],  db[b_idx[i], :] += dout[i] a[a_idx[i], :]
Var gathered_row_dot(Tape& tape, const Var& a, const Tensor& a_idx, const Var& b,
                     const Tensor& b_idx) {
  return tape.record(ops::gathered_row_dot(a.value(), a_idx, b.value(), b_idx), {a, b},
                     [a, a_idx, b, b_idx](const Tensor& dout) {
                       GNNREC_DISPATCH(dout.device(), gnnrec::gathered_row_dot_backward,
                                       a_idx.numel(), a.value().cols(), f32(dout), f32(a.value()),
                                       a_idx.data<std::int32_t>(), f32(b.value()),
                                       b_idx.data<std::int32_t>(), grad_or_null(a),
                                       grad_or_null(b));
                     });
}

Var reshape(Tape& tape, const Var& x, const Shape& shape) {
  return tape.record(x.value().reshape(shape), {x}, [x](const Tensor& dout) {
    add_to_grad(x, 1.0f, dout.reshape(x.value().shape()));
  });
}

// out = x[begin:end, :], a view:  dx[begin:end, :] += dout. The output's
// gradient is that view of x's gradient (Var::share_grad_with_view_of), so
// the contributions land in x's rows directly and the backward is empty.
Var slice_rows(Tape& tape, const Var& x, std::int64_t begin, std::int64_t end) {
  Var out = tape.record(x.value().slice_rows(begin, end), {x}, [](const Tensor&) {});
  if (out.requires_grad()) out.share_grad_with_view_of(x, begin, end);
  return out;
}

// ---- Losses (means of per-element terms, kernels/loss.h) -------------------------------

// loss = (1/n) sum_i softplus(neg_i - pos_i)
Var bpr_loss(Tape& tape, const Var& pos_scores, const Var& neg_scores) {
  return tape.record(ops::bpr_loss(pos_scores.value(), neg_scores.value()),
                     {pos_scores, neg_scores}, [pos_scores, neg_scores](const Tensor& dloss) {
                       const std::int64_t n = pos_scores.value().numel();
                       const float inv_n = static_cast<float>(1.0 / static_cast<double>(n));
                       GNNREC_DISPATCH(dloss.device(), bpr_loss_backward, n, inv_n, f32(dloss),
                                       f32(pos_scores.value()), f32(neg_scores.value()),
                                       grad_or_null(pos_scores), grad_or_null(neg_scores));
                     });
}

// loss = (1/n) sum_i bce(z_i, y_i), labels constant
Var bce_with_logits(Tape& tape, const Var& logits, const Tensor& labels) {
  return tape.record(ops::bce_with_logits(logits.value(), labels), {logits},
                     [logits, labels](const Tensor& dloss) {
                       const std::int64_t n = logits.value().numel();
                       const float inv_n = static_cast<float>(1.0 / static_cast<double>(n));
                       GNNREC_DISPATCH(dloss.device(), bce_with_logits_backward, n, inv_n,
                                       f32(dloss), f32(logits.value()), f32(labels),
                                       f32(logits.grad()));
                     });
}

// loss = sum_i x_i^2:  dx += 2 x dloss
Var squared_l2(Tape& tape, const Var& x) {
  return tape.record(ops::squared_l2(x.value()), {x}, [x](const Tensor& dloss) {
    GNNREC_DISPATCH(dloss.device(), squared_l2_backward, x.value().numel(), 1.0f, f32(dloss),
                    f32(x.value()), f32(x.grad()));
  });
}

}  // namespace gnnrec::ag
