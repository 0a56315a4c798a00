// Csr: a sparse matrix in compressed sparse row form, the graph format of
// gnnrec (message passing is SpMM, DESIGN decision 4).
//
//   row_ptr  (n_rows + 1) i32   row r's entries are [row_ptr[r], row_ptr[r+1])
//   col_idx  (nnz) i32          column of each entry, sorted within a row
//   values   (nnz) f32          the entry's value (edge weight)
//
// Built on the CPU (from COO with duplicate removal, or from arrays that are
// validated), then moved with to(device). Kernels never see a Csr: they take
// a CsrView, a plain struct of sizes and pointers passed by value.
//
// Normalizations, with deg(r) = the number of entries of row r and
// deg'(c) = the number of entries of column c:
//   symmetric_normalized():  value(r, c) / sqrt(deg(r) * deg'(c))   (LightGCN's D^-1/2 A D^-1/2)
//   row_normalized():        value(r, c) / sum of row r's values     (SAGE's mean aggregation)
// Rows (or columns) with no entries are left empty; nothing divides by zero.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace gnnrec {

struct CsrView {
  std::int32_t n_rows = 0;
  std::int32_t n_cols = 0;
  std::int64_t nnz = 0;
  const std::int32_t* row_ptr = nullptr;  // (n_rows + 1)
  const std::int32_t* col_idx = nullptr;  // (nnz)
  const float* values = nullptr;          // (nnz), or nullptr: every value is 1
};

class Csr {
 public:
  Csr() = default;

  // From coordinates. Entries are sorted by (row, column); repeated
  // (row, column) pairs are kept once, with the first one's value. `values`
  // may be empty (every value 1). Out-of-range ids are an Error naming the
  // entry.
  static Csr from_coo(std::int32_t n_rows, std::int32_t n_cols,
                      const std::vector<std::int32_t>& rows, const std::vector<std::int32_t>& cols,
                      const std::vector<float>& values = {});

  // From ready CSR arrays (on the CPU), validated: row_ptr starts at 0 and
  // never decreases, ends at nnz, columns are in range and sorted in a row.
  static Csr from_arrays(std::int32_t n_rows, std::int32_t n_cols,
                         std::vector<std::int32_t> row_ptr, std::vector<std::int32_t> col_idx,
                         std::vector<float> values = {});

  std::int32_t n_rows() const { return n_rows_; }
  std::int32_t n_cols() const { return n_cols_; }
  std::int64_t nnz() const { return col_idx_.defined() ? col_idx_.numel() : 0; }
  Device device() const { return row_ptr_.device(); }
  const Tensor& row_ptr() const { return row_ptr_; }
  const Tensor& col_idx() const { return col_idx_; }
  const Tensor& values() const { return values_; }

  CsrView view() const;
  Csr to(Device device) const;

  Csr transpose() const;  // Aᵀ as its own CSR (columns sorted)
  // Row i of the result is row rows[i] of this one (CPU only; ids in range).
  Csr select_rows(const std::vector<std::int32_t>& rows) const;
  Csr symmetric_normalized() const;  // see the header comment
  Csr row_normalized() const;
  std::vector<std::int32_t> row_degrees() const;            // entries per row
  std::vector<std::int32_t> col_degrees() const;            // entries per column
  bool contains(std::int32_t row, std::int32_t col) const;  // CPU only; binary search

 private:
  std::int32_t n_rows_ = 0;
  std::int32_t n_cols_ = 0;
  Tensor row_ptr_;  // i32 (n_rows + 1)
  Tensor col_idx_;  // i32 (nnz)
  Tensor values_;   // f32 (nnz)

  void require_cpu(const char* what) const;
  static Csr from_valid_tensors(std::int32_t n_rows, std::int32_t n_cols, Tensor row_ptr,
                                Tensor col_idx, Tensor values);
};

}  // namespace gnnrec
