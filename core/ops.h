// Tensor ops: check shapes, dtypes and devices (an Error that names the op
// and the operands, never a crash), allocate the output on the operands'
// device, and dispatch to the kernel of that backend (kernels/).
//
// These have no autograd; core/autograd.h records them on a tape. The math
// of each op is in its kernel header.
#pragma once

#include <cstdint>
#include <vector>

#include "core/csr.h"
#include "core/tensor.h"
#include "kernels/spmm.h"

namespace gnnrec::ops {

// ---- elementwise (kernels/elementwise.h); f32, same shape ------------------
Tensor add(const Tensor& a, const Tensor& b);
void add_scaled_(Tensor& y, float alpha, const Tensor& x);  // y += alpha * x
Tensor mul(const Tensor& a, const Tensor& b);
Tensor scale(const Tensor& a, float alpha);
Tensor add_bias(const Tensor& x, const Tensor& bias);  // x (rows, cols), bias (cols)
Tensor relu(const Tensor& x);
Tensor dropout(const Tensor& x, float p, std::uint64_t seed, std::uint64_t step);
Tensor row_dot(const Tensor& a, const Tensor& b);  // (rows, dim) x2 -> (rows)
Tensor weighted_sum(const std::vector<Tensor>& xs, const std::vector<float>& weights);
Tensor row_l2_normalize(const Tensor& x, float eps = 1e-12f);

// ---- reductions (kernels/reduce.h) -----------------------------------------
Tensor sum(const Tensor& x);         // shape (1), on x's device
Tensor mean(const Tensor& x);        // shape (1)
Tensor column_sum(const Tensor& x);  // (rows, cols) -> (cols)

// ---- dense and sparse products (kernels/gemm.h, kernels/spmm.h) ------------
// op(a) · op(b) for 2-D a, b.
Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a = false, bool trans_b = false);
// A · x for a CSR A on x's device, x (A.n_cols, dim) -> (A.n_rows, dim).
Tensor spmm(const Csr& a, const Tensor& x, SpmmAlgo algo = SpmmAlgo::WarpPerRow);
// The mean of A⁰x, A¹x, ..., Aᴷx for a square CSR A, K = n_powers >= 1
// (LightGCN's layer mean), by Horner's rule with w = 1 / (K + 1):
//   h₁ = w·(A x) + w·x,   h_j = A h_{j-1} + w·x  (j = 2..K),   result h_K
// one spmm_csr_add per power and no other pass over the rows.
Tensor propagation_mean(const Csr& a, const Tensor& x, int n_powers,
                        SpmmAlgo algo = SpmmAlgo::WarpPerRow);

// ---- embedding rows (kernels/embedding.h) -----------------------------------
// idx i32 (n). Indices are checked against table.rows() on the CPU; on the
// GPU they are trusted (a check would cost a copy and a sync per step).
Tensor gather_rows(const Tensor& table, const Tensor& idx);
void scatter_add_rows_(Tensor& dtable, const Tensor& idx, const Tensor& src);
// out[i] = a[a_idx[i], :] · b[b_idx[i], :], shape (n): row_dot of two gathers.
Tensor gathered_row_dot(const Tensor& a, const Tensor& a_idx, const Tensor& b, const Tensor& b_idx);

// ---- losses (kernels/loss.h), each the mean of its terms, shape (1) ---------
Tensor bpr_loss(const Tensor& pos_scores, const Tensor& neg_scores);
Tensor bce_with_logits(const Tensor& logits, const Tensor& labels);
Tensor squared_l2(const Tensor& x);  // sum of x^2 (not a mean), shape (1)

// ---- sampling and ranking (kernels/sampling.h, kernels/topk.h) --------------
// One negative item per entry of `users` (i32), rejecting `positives`' row.
Tensor sample_negatives(const Csr& positives, const Tensor& users, std::int32_t n_items,
                        std::uint64_t seed, std::uint64_t step);
// scores (rows, cols) with -inf written at each masked (row_offset + r, c).
void apply_row_mask_(Tensor& scores, const Csr& mask, std::int32_t row_offset);
struct TopK {
  Tensor values;   // f32 (rows, k)
  Tensor indices;  // i32 (rows, k); -1 past the finite scores
};
TopK topk_rows(const Tensor& scores, int k);
// topk_rows of the masked scores users · itemsᵀ (the mask's rows row_offset
// ..): on the CPU without the score matrix (score_topk_rows), on the GPU as
// matmul, apply_row_mask_ and topk_rows. The same result either way.
TopK score_topk(const Tensor& users, const Tensor& items, const Csr& mask, std::int32_t row_offset,
                int k);

}  // namespace gnnrec::ops
