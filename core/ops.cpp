// Tensor ops: validate, allocate the output on the operands' device, dispatch
// to the kernel (kernels/*.h hold the math). Every check names the op and the
// operands' shapes, so a bad call is one readable Error, never a crash in a
// kernel.
#include "core/ops.h"

#include <string>

#include "kernels/elementwise.h"
#include "kernels/embedding.h"
#include "kernels/gemm.h"
#include "kernels/loss.h"
#include "kernels/reduce.h"
#include "kernels/sampling.h"
#include "kernels/topk.h"

namespace gnnrec::ops {
namespace {

// A defined f32 tensor; `name` says which operand ("a", "bias", ...).
void check_f32(const char* op, const Tensor& t, const char* name) {
  GNNREC_CHECK(t.defined(), op << ": operand '" << name << "' is an undefined tensor");
  GNNREC_CHECK(t.dtype() == DType::F32, op << ": operand '" << name << "' must be f32, got "
                                           << dtype_name(t.dtype()) << " of shape "
                                           << shape_str(t.shape()));
}

void check_ndim(const char* op, const Tensor& t, const char* name, int ndim) {
  GNNREC_CHECK(t.ndim() == ndim, op << ": operand '" << name << "' must be " << ndim
                                    << "-D, got shape " << shape_str(t.shape()));
}

// An i32 index vector on the same device as `data`.
void check_index_vector(const char* op, const Tensor& idx, const char* name, const Tensor& data) {
  GNNREC_CHECK(idx.defined(), op << ": operand '" << name << "' is an undefined tensor");
  GNNREC_CHECK(idx.dtype() == DType::I32, op << ": operand '" << name << "' must be i32, got "
                                             << dtype_name(idx.dtype()) << " of shape "
                                             << shape_str(idx.shape()));
  check_ndim(op, idx, name, 1);
  check_same_device(op, data, idx);
}

// Every index in [0, n_rows). Reads idx on the host, so only for CPU
// tensors: on the GPU this would be a device-to-host copy and a sync in the
// training step (DESIGN decision 8); there the ids come from our own
// samplers and loaders, which produce them in range.
void check_indices_in_range(const char* op, const Tensor& idx, std::int64_t n_rows,
                            const char* what) {
  if (!idx.device().is_cpu()) return;
  const std::int32_t* ids = idx.data<std::int32_t>();
  for (std::int64_t i = 0; i < idx.numel(); ++i) {
    GNNREC_CHECK(ids[i] >= 0 && ids[i] < n_rows, op << ": index " << ids[i] << " at position " << i
                                                    << " is out of range for " << what << " with "
                                                    << n_rows << " rows");
  }
}

void check_same_csr_device(const char* op, const Csr& a, const Tensor& x) {
  GNNREC_CHECK(a.device() == x.device(), op << ": the CSR matrix is on " << a.device().str()
                                            << " but the tensor is on " << x.device().str());
}

const float* f32(const Tensor& t) { return t.data<float>(); }
float* f32(Tensor& t) { return t.data<float>(); }

Tensor empty_f32(const Shape& shape, Device device) {
  return Tensor::empty(shape, DType::F32, device);
}

// Two f32 operands of one shape on one device (add, mul, the losses).
void check_pair(const char* op, const Tensor& a, const char* a_name, const Tensor& b,
                const char* b_name) {
  check_f32(op, a, a_name);
  check_f32(op, b, b_name);
  check_same_shape(op, a, b);
  check_same_device(op, a, b);
}

// The mean of `terms` (n > 0): sum, then times 1/n in place on the device,
// so the result never visits the host.
Tensor mean_of(const char* op, const Tensor& terms) {
  GNNREC_CHECK(terms.numel() > 0, op << ": mean of an empty tensor " << shape_str(terms.shape()));
  Tensor total = sum(terms);
  const float inv_n = static_cast<float>(1.0 / static_cast<double>(terms.numel()));
  GNNREC_DISPATCH(total.device(), gnnrec::scale, 1, inv_n, f32(total), f32(total));
  return total;
}

}  // namespace

// ---- elementwise --------------------------------------------------------------

Tensor add(const Tensor& a, const Tensor& b) {
  check_pair("add", a, "a", b, "b");
  Tensor out = empty_f32(a.shape(), a.device());
  GNNREC_DISPATCH(a.device(), gnnrec::add, a.numel(), f32(a), f32(b), f32(out));
  return out;
}

void add_scaled_(Tensor& y, float alpha, const Tensor& x) {
  check_pair("add_scaled_", y, "y", x, "x");
  GNNREC_DISPATCH(y.device(), gnnrec::add_scaled, y.numel(), alpha, f32(x), f32(y));
}

Tensor mul(const Tensor& a, const Tensor& b) {
  check_pair("mul", a, "a", b, "b");
  Tensor out = empty_f32(a.shape(), a.device());
  GNNREC_DISPATCH(a.device(), gnnrec::mul, a.numel(), f32(a), f32(b), f32(out));
  return out;
}

Tensor scale(const Tensor& a, float alpha) {
  check_f32("scale", a, "a");
  Tensor out = empty_f32(a.shape(), a.device());
  GNNREC_DISPATCH(a.device(), gnnrec::scale, a.numel(), alpha, f32(a), f32(out));
  return out;
}

Tensor add_bias(const Tensor& x, const Tensor& bias) {
  check_f32("add_bias", x, "x");
  check_f32("add_bias", bias, "bias");
  check_ndim("add_bias", x, "x", 2);
  GNNREC_CHECK(bias.ndim() == 1 && bias.numel() == x.cols(),
               "add_bias: bias of shape " << shape_str(bias.shape()) << " does not fit x of shape "
                                          << shape_str(x.shape()) << " (expected (" << x.cols()
                                          << "))");
  check_same_device("add_bias", x, bias);
  Tensor out = empty_f32(x.shape(), x.device());
  GNNREC_DISPATCH(x.device(), gnnrec::add_bias, x.rows(), x.cols(), f32(x), f32(bias), f32(out));
  return out;
}

Tensor relu(const Tensor& x) {
  check_f32("relu", x, "x");
  Tensor out = empty_f32(x.shape(), x.device());
  GNNREC_DISPATCH(x.device(), relu_forward, x.numel(), f32(x), f32(out));
  return out;
}

Tensor dropout(const Tensor& x, float p, std::uint64_t seed, std::uint64_t step) {
  check_f32("dropout", x, "x");
  GNNREC_CHECK(p >= 0.0f && p < 1.0f, "dropout: p must be in [0, 1), got " << p);
  Tensor out = empty_f32(x.shape(), x.device());
  GNNREC_DISPATCH(x.device(), dropout_forward, x.numel(), p, seed, step, f32(x), f32(out));
  return out;
}

Tensor row_dot(const Tensor& a, const Tensor& b) {
  check_pair("row_dot", a, "a", b, "b");
  check_ndim("row_dot", a, "a", 2);
  Tensor out = empty_f32({a.rows()}, a.device());
  GNNREC_DISPATCH(a.device(), gnnrec::row_dot, a.rows(), a.cols(), f32(a), f32(b), f32(out));
  return out;
}

Tensor weighted_sum(const std::vector<Tensor>& xs, const std::vector<float>& weights) {
  GNNREC_CHECK(!xs.empty() && xs.size() <= static_cast<std::size_t>(kMaxWeightedInputs),
               "weighted_sum: takes 1 to " << kMaxWeightedInputs << " tensors, got " << xs.size());
  GNNREC_CHECK(weights.size() == xs.size(),
               "weighted_sum: " << xs.size() << " tensors but " << weights.size() << " weights");
  WeightedInputs inputs{};
  inputs.count = static_cast<int>(xs.size());
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const std::string name = "xs[" + std::to_string(k) + "]";
    check_f32("weighted_sum", xs[k], name.c_str());
    check_same_shape("weighted_sum", xs[0], xs[k]);
    check_same_device("weighted_sum", xs[0], xs[k]);
    inputs.x[k] = f32(xs[k]);
    inputs.weight[k] = weights[k];
  }
  Tensor out = empty_f32(xs[0].shape(), xs[0].device());
  GNNREC_DISPATCH(out.device(), gnnrec::weighted_sum, out.numel(), inputs, f32(out));
  return out;
}

Tensor row_l2_normalize(const Tensor& x, float eps) {
  check_f32("row_l2_normalize", x, "x");
  check_ndim("row_l2_normalize", x, "x", 2);
  GNNREC_CHECK(eps > 0.0f, "row_l2_normalize: eps must be positive, got " << eps);
  Tensor out = empty_f32(x.shape(), x.device());
  GNNREC_DISPATCH(x.device(), gnnrec::row_l2_normalize, x.rows(), x.cols(), eps, f32(x), f32(out));
  return out;
}

// ---- reductions ---------------------------------------------------------------

Tensor sum(const Tensor& x) {
  check_f32("sum", x, "x");
  Tensor out = empty_f32({1}, x.device());
  GNNREC_DISPATCH(x.device(), gnnrec::sum, x.numel(), f32(x), f32(out));
  return out;
}

Tensor mean(const Tensor& x) {
  check_f32("mean", x, "x");
  return mean_of("mean", x);
}

Tensor column_sum(const Tensor& x) {
  check_f32("column_sum", x, "x");
  check_ndim("column_sum", x, "x", 2);
  Tensor out = empty_f32({x.cols()}, x.device());
  GNNREC_DISPATCH(x.device(), gnnrec::column_sum, x.rows(), x.cols(), f32(x), f32(out), false);
  return out;
}

// ---- dense and sparse products ------------------------------------------------

Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
  check_f32("matmul", a, "a");
  check_f32("matmul", b, "b");
  check_ndim("matmul", a, "a", 2);
  check_ndim("matmul", b, "b", 2);
  check_same_device("matmul", a, b);
  // op(a) is (m, k), op(b) is (k_b, n).
  const std::int64_t m = trans_a ? a.size(1) : a.size(0);
  const std::int64_t k = trans_a ? a.size(0) : a.size(1);
  const std::int64_t k_b = trans_b ? b.size(1) : b.size(0);
  const std::int64_t n = trans_b ? b.size(0) : b.size(1);
  GNNREC_CHECK(k == k_b, "matmul: a " << shape_str(a.shape()) << (trans_a ? "^T" : "")
                                      << " times b " << shape_str(b.shape())
                                      << (trans_b ? "^T" : "") << ": inner dimensions " << k
                                      << " and " << k_b << " do not match");
  Tensor out = empty_f32({m, n}, a.device());
  GNNREC_DISPATCH(a.device(), gemm, trans_a, trans_b, m, n, k, 1.0f, f32(a), f32(b), 0.0f,
                  f32(out));
  return out;
}

Tensor spmm(const Csr& a, const Tensor& x, SpmmAlgo algo) {
  check_f32("spmm", x, "x");
  check_ndim("spmm", x, "x", 2);
  check_same_csr_device("spmm", a, x);
  GNNREC_CHECK(x.rows() == a.n_cols(), "spmm: A of shape (" << a.n_rows() << ", " << a.n_cols()
                                                            << ") times x of shape "
                                                            << shape_str(x.shape()) << ": x needs "
                                                            << a.n_cols() << " rows");
  Tensor out = empty_f32({a.n_rows(), x.cols()}, x.device());
  GNNREC_DISPATCH(x.device(), spmm_csr, a.view(), f32(x), x.cols(), f32(out), algo);
  return out;
}

Tensor propagation_mean(const Csr& a, const Tensor& x, int n_powers, SpmmAlgo algo) {
  check_f32("propagation_mean", x, "x");
  check_ndim("propagation_mean", x, "x", 2);
  check_same_csr_device("propagation_mean", a, x);
  GNNREC_CHECK(a.n_rows() == a.n_cols() && x.rows() == a.n_cols(),
               "propagation_mean: A of shape (" << a.n_rows() << ", " << a.n_cols()
                                                << ") must be square with x's "
                                                << shape_str(x.shape()) << " rows");
  GNNREC_CHECK(n_powers >= 1, "propagation_mean: n_powers must be >= 1, got " << n_powers);
  const float w = 1.0f / static_cast<float>(n_powers + 1);
  // h_j alternates between two buffers; each step reads the other one.
  Tensor h = empty_f32(x.shape(), x.device());
  Tensor previous = n_powers > 1 ? empty_f32(x.shape(), x.device()) : Tensor();
  GNNREC_DISPATCH(x.device(), spmm_csr_add, a.view(), f32(x), x.cols(), w, f32(x), w, f32(h), algo);
  for (int j = 2; j <= n_powers; ++j) {
    std::swap(h, previous);
    GNNREC_DISPATCH(x.device(), spmm_csr_add, a.view(), f32(previous), x.cols(), 1.0f, f32(x), w,
                    f32(h), algo);
  }
  return h;
}

// ---- embedding rows -------------------------------------------------------------

Tensor gather_rows(const Tensor& table, const Tensor& idx) {
  check_f32("gather_rows", table, "table");
  check_ndim("gather_rows", table, "table", 2);
  check_index_vector("gather_rows", idx, "idx", table);
  check_indices_in_range("gather_rows", idx, table.rows(),
                         ("a table of shape " + shape_str(table.shape())).c_str());
  Tensor out = empty_f32({idx.numel(), table.cols()}, table.device());
  GNNREC_DISPATCH(table.device(), gnnrec::gather_rows, idx.numel(), table.cols(), f32(table),
                  idx.data<std::int32_t>(), f32(out));
  return out;
}

Tensor gathered_row_dot(const Tensor& a, const Tensor& a_idx, const Tensor& b,
                        const Tensor& b_idx) {
  check_f32("gathered_row_dot", a, "a");
  check_f32("gathered_row_dot", b, "b");
  check_ndim("gathered_row_dot", a, "a", 2);
  check_ndim("gathered_row_dot", b, "b", 2);
  check_same_device("gathered_row_dot", a, b);
  check_index_vector("gathered_row_dot", a_idx, "a_idx", a);
  check_index_vector("gathered_row_dot", b_idx, "b_idx", b);
  GNNREC_CHECK(a.cols() == b.cols() && a_idx.numel() == b_idx.numel(),
               "gathered_row_dot: a " << shape_str(a.shape()) << " and b " << shape_str(b.shape())
                                      << " need the same width, a_idx (" << a_idx.numel()
                                      << ") and b_idx (" << b_idx.numel() << ") the same length");
  check_indices_in_range("gathered_row_dot", a_idx, a.rows(),
                         ("a of shape " + shape_str(a.shape())).c_str());
  check_indices_in_range("gathered_row_dot", b_idx, b.rows(),
                         ("b of shape " + shape_str(b.shape())).c_str());
  Tensor out = empty_f32({a_idx.numel()}, a.device());
  GNNREC_DISPATCH(a.device(), gnnrec::gathered_row_dot, a_idx.numel(), a.cols(), f32(a),
                  a_idx.data<std::int32_t>(), f32(b), b_idx.data<std::int32_t>(), f32(out));
  return out;
}

void scatter_add_rows_(Tensor& dtable, const Tensor& idx, const Tensor& src) {
  check_f32("scatter_add_rows_", dtable, "dtable");
  check_f32("scatter_add_rows_", src, "src");
  check_ndim("scatter_add_rows_", dtable, "dtable", 2);
  check_index_vector("scatter_add_rows_", idx, "idx", dtable);
  check_same_device("scatter_add_rows_", dtable, src);
  GNNREC_CHECK(src.ndim() == 2 && src.rows() == idx.numel() && src.cols() == dtable.cols(),
               "scatter_add_rows_: src of shape "
                   << shape_str(src.shape()) << " must be (" << idx.numel() << ", " << dtable.cols()
                   << ") for idx " << shape_str(idx.shape()) << " and dtable "
                   << shape_str(dtable.shape()));
  check_indices_in_range("scatter_add_rows_", idx, dtable.rows(),
                         ("a table of shape " + shape_str(dtable.shape())).c_str());
  GNNREC_DISPATCH(dtable.device(), scatter_add_rows, idx.numel(), dtable.cols(), f32(src),
                  idx.data<std::int32_t>(), f32(dtable));
}

// ---- losses ---------------------------------------------------------------------

Tensor bpr_loss(const Tensor& pos_scores, const Tensor& neg_scores) {
  check_pair("bpr_loss", pos_scores, "pos_scores", neg_scores, "neg_scores");
  Tensor terms = empty_f32(pos_scores.shape(), pos_scores.device());
  GNNREC_DISPATCH(terms.device(), bpr_loss_forward, terms.numel(), f32(pos_scores), f32(neg_scores),
                  f32(terms));
  return mean_of("bpr_loss", terms);
}

Tensor bce_with_logits(const Tensor& logits, const Tensor& labels) {
  check_pair("bce_with_logits", logits, "logits", labels, "labels");
  Tensor terms = empty_f32(logits.shape(), logits.device());
  GNNREC_DISPATCH(terms.device(), bce_with_logits_forward, terms.numel(), f32(logits), f32(labels),
                  f32(terms));
  return mean_of("bce_with_logits", terms);
}

Tensor squared_l2(const Tensor& x) {
  check_f32("squared_l2", x, "x");
  Tensor terms = empty_f32(x.shape(), x.device());
  GNNREC_DISPATCH(x.device(), squared_l2_forward, x.numel(), f32(x), f32(terms));
  return sum(terms);
}

// ---- sampling and ranking ---------------------------------------------------------

Tensor sample_negatives(const Csr& positives, const Tensor& users, std::int32_t n_items,
                        std::uint64_t seed, std::uint64_t step) {
  GNNREC_CHECK(users.defined(), "sample_negatives: operand 'users' is an undefined tensor");
  check_dtype("sample_negatives", users, DType::I32);
  check_ndim("sample_negatives", users, "users", 1);
  check_same_csr_device("sample_negatives", positives, users);
  GNNREC_CHECK(n_items > 0, "sample_negatives: n_items must be positive, got " << n_items);
  GNNREC_CHECK(positives.n_cols() <= n_items, "sample_negatives: positives has "
                                                  << positives.n_cols()
                                                  << " item columns but n_items is " << n_items);
  check_indices_in_range("sample_negatives", users, positives.n_rows(), "the positives CSR");
  Tensor negatives = Tensor::empty(users.shape(), DType::I32, users.device());
  GNNREC_DISPATCH(users.device(), gnnrec::sample_negatives, users.numel(), positives.view(),
                  users.data<std::int32_t>(), n_items, seed, step, negatives.data<std::int32_t>());
  return negatives;
}

void apply_row_mask_(Tensor& scores, const Csr& mask, std::int32_t row_offset) {
  check_f32("apply_row_mask_", scores, "scores");
  check_ndim("apply_row_mask_", scores, "scores", 2);
  check_same_csr_device("apply_row_mask_", mask, scores);
  GNNREC_CHECK(row_offset >= 0 && row_offset + scores.rows() <= mask.n_rows(),
               "apply_row_mask_: rows [" << row_offset << ", " << row_offset + scores.rows()
                                         << ") of scores " << shape_str(scores.shape())
                                         << " are outside the mask's " << mask.n_rows() << " rows");
  GNNREC_CHECK(mask.n_cols() <= scores.cols(), "apply_row_mask_: the mask has "
                                                   << mask.n_cols() << " columns but scores "
                                                   << shape_str(scores.shape()) << " has only "
                                                   << scores.cols());
  GNNREC_DISPATCH(scores.device(), apply_row_mask, scores.rows(), scores.cols(), mask.view(),
                  row_offset, f32(scores));
}

TopK topk_rows(const Tensor& scores, int k) {
  check_f32("topk_rows", scores, "scores");
  check_ndim("topk_rows", scores, "scores", 2);
  GNNREC_CHECK(k >= 1 && k <= kMaxTopK, "topk_rows: k must be in [1, "
                                            << kMaxTopK << "], got " << k << " for scores "
                                            << shape_str(scores.shape()));
  TopK top;
  top.values = empty_f32({scores.rows(), k}, scores.device());
  top.indices = Tensor::empty({scores.rows(), k}, DType::I32, scores.device());
  GNNREC_DISPATCH(scores.device(), gnnrec::topk_rows, scores.rows(), scores.cols(), scores.cols(),
                  f32(scores), k, f32(top.values), top.indices.data<std::int32_t>());
  return top;
}

TopK score_topk(const Tensor& users, const Tensor& items, const Csr& mask, std::int32_t row_offset,
                int k) {
  if (!users.device().is_cpu()) {
    Tensor scores = matmul(users, items, false, true);
    apply_row_mask_(scores, mask, row_offset);
    return topk_rows(scores, k);
  }
  check_f32("score_topk", users, "users");
  check_f32("score_topk", items, "items");
  check_ndim("score_topk", users, "users", 2);
  check_ndim("score_topk", items, "items", 2);
  check_same_device("score_topk", users, items);
  check_same_csr_device("score_topk", mask, users);
  GNNREC_CHECK(users.cols() == items.cols(), "score_topk: users "
                                                 << shape_str(users.shape()) << " and items "
                                                 << shape_str(items.shape()) << " differ in width");
  GNNREC_CHECK(k >= 1 && k <= kMaxTopK,
               "score_topk: k must be in [1, " << kMaxTopK << "], got " << k);
  TopK top;
  top.values = empty_f32({users.rows(), k}, users.device());
  top.indices = Tensor::empty({users.rows(), k}, DType::I32, users.device());
  score_topk_rows<Cpu>(users.rows(), items.rows(), users.cols(), f32(users), f32(items),
                       mask.view(), row_offset, k, f32(top.values),
                       top.indices.data<std::int32_t>());
  return top;
}

}  // namespace gnnrec::ops
