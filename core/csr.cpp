#include "core/csr.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace gnnrec {

Csr Csr::from_coo(std::int32_t n_rows, std::int32_t n_cols, const std::vector<std::int32_t>& rows,
                  const std::vector<std::int32_t>& cols, const std::vector<float>& values) {
  GNNREC_CHECK(n_rows >= 0 && n_cols >= 0,
               "CSR shape (" << n_rows << ", " << n_cols << ") is negative");
  GNNREC_CHECK(rows.size() == cols.size(),
               "COO has " << rows.size() << " row ids but " << cols.size() << " column ids");
  GNNREC_CHECK(values.empty() || values.size() == rows.size(),
               "COO has " << rows.size() << " entries but " << values.size() << " values");
  for (std::size_t e = 0; e < rows.size(); ++e) {
    GNNREC_CHECK(rows[e] >= 0 && rows[e] < n_rows,
                 "COO entry " << e << ": row " << rows[e] << " out of range [0, " << n_rows << ")");
    GNNREC_CHECK(cols[e] >= 0 && cols[e] < n_cols, "COO entry " << e << ": column " << cols[e]
                                                                << " out of range [0, " << n_cols
                                                                << ")");
  }
  // Counting sort by row, stable, then sort each row by column (stable, so
  // the first of a repeated pair stays first) and drop repeats.
  std::vector<std::int32_t> row_ptr(static_cast<std::size_t>(n_rows) + 1, 0);
  for (std::int32_t r : rows) ++row_ptr[static_cast<std::size_t>(r) + 1];
  std::partial_sum(row_ptr.begin(), row_ptr.end(), row_ptr.begin());
  std::vector<std::size_t> order(rows.size());
  std::vector<std::int32_t> next(row_ptr.begin(), row_ptr.end() - 1);
  for (std::size_t e = 0; e < rows.size(); ++e) order[next[rows[e]]++] = e;

  std::vector<std::int32_t> out_ptr(static_cast<std::size_t>(n_rows) + 1, 0);
  std::vector<std::int32_t> out_cols;
  std::vector<float> out_values;
  out_cols.reserve(rows.size());
  out_values.reserve(rows.size());
  for (std::int32_t r = 0; r < n_rows; ++r) {
    auto begin = order.begin() + row_ptr[r];
    auto end = order.begin() + row_ptr[r + 1];
    std::stable_sort(begin, end, [&](std::size_t a, std::size_t b) { return cols[a] < cols[b]; });
    for (auto it = begin; it != end; ++it) {
      if (it != begin && cols[*it] == cols[*(it - 1)]) continue;
      out_cols.push_back(cols[*it]);
      out_values.push_back(values.empty() ? 1.0f : values[*it]);
    }
    out_ptr[static_cast<std::size_t>(r) + 1] = static_cast<std::int32_t>(out_cols.size());
  }
  return from_arrays(n_rows, n_cols, std::move(out_ptr), std::move(out_cols),
                     std::move(out_values));
}

Csr Csr::from_arrays(std::int32_t n_rows, std::int32_t n_cols, std::vector<std::int32_t> row_ptr,
                     std::vector<std::int32_t> col_idx, std::vector<float> values) {
  GNNREC_CHECK(n_rows >= 0 && n_cols >= 0,
               "CSR shape (" << n_rows << ", " << n_cols << ") is negative");
  GNNREC_CHECK(
      row_ptr.size() == static_cast<std::size_t>(n_rows) + 1,
      "CSR row_ptr has " << row_ptr.size() << " entries, expected n_rows + 1 = " << n_rows + 1);
  GNNREC_CHECK(row_ptr[0] == 0, "CSR row_ptr[0] is " << row_ptr[0] << ", expected 0");
  GNNREC_CHECK(static_cast<std::size_t>(row_ptr.back()) == col_idx.size(),
               "CSR row_ptr ends at " << row_ptr.back() << " but there are " << col_idx.size()
                                      << " column indices");
  if (values.empty()) values.assign(col_idx.size(), 1.0f);
  GNNREC_CHECK(values.size() == col_idx.size(), "CSR has " << col_idx.size()
                                                           << " column indices but "
                                                           << values.size() << " values");
  // All of row_ptr first: a middle entry past nnz must not be used to read
  // col_idx (row_ptr = {0, 5, 2} with 2 columns would otherwise read [2, 5)).
  for (std::int32_t r = 0; r < n_rows; ++r) {
    GNNREC_CHECK(row_ptr[r] <= row_ptr[r + 1], "CSR row_ptr decreases at row "
                                                   << r << " (" << row_ptr[r] << " > "
                                                   << row_ptr[r + 1] << ")");
  }
  for (std::int32_t r = 0; r < n_rows; ++r) {
    for (std::int32_t p = row_ptr[r]; p < row_ptr[r + 1]; ++p) {
      GNNREC_CHECK(
          col_idx[p] >= 0 && col_idx[p] < n_cols,
          "CSR row " << r << ": column " << col_idx[p] << " out of range [0, " << n_cols << ")");
      GNNREC_CHECK(p == row_ptr[r] || col_idx[p - 1] < col_idx[p],
                   "CSR row " << r << ": columns not sorted and distinct at entry " << p);
    }
  }
  Csr csr;
  csr.n_rows_ = n_rows;
  csr.n_cols_ = n_cols;
  std::int64_t nnz = static_cast<std::int64_t>(col_idx.size());
  csr.row_ptr_ = Tensor::from_vector(row_ptr, {static_cast<std::int64_t>(n_rows) + 1});
  csr.col_idx_ = Tensor::from_vector(col_idx, {nnz});
  csr.values_ = Tensor::from_vector(values, {nnz});
  return csr;
}

CsrView Csr::view() const {
  CsrView v;
  v.n_rows = n_rows_;
  v.n_cols = n_cols_;
  v.nnz = nnz();
  v.row_ptr = row_ptr_.defined() ? row_ptr_.data<std::int32_t>() : nullptr;
  v.col_idx = col_idx_.defined() ? col_idx_.data<std::int32_t>() : nullptr;
  v.values = values_.defined() ? values_.data<float>() : nullptr;
  return v;
}

Csr Csr::to(Device device) const {
  Csr out = *this;
  out.row_ptr_ = row_ptr_.to(device);
  out.col_idx_ = col_idx_.to(device);
  out.values_ = values_.to(device);
  return out;
}

void Csr::require_cpu(const char* what) const {
  GNNREC_CHECK(device().is_cpu(), "Csr::" << what
                                          << " runs on the CPU; build the CSR there "
                                             "and move it with to(device) afterwards");
}

// Arrays that are a valid CSR by construction (transpose, select_rows):
// no O(nnz) validation, and no std::vector on the way (the tensors come
// from the caching allocator, so a training step that restricts a layer
// to its batch's rows allocates nothing after its first step).
Csr Csr::from_valid_tensors(std::int32_t n_rows, std::int32_t n_cols, Tensor row_ptr,
                            Tensor col_idx, Tensor values) {
  Csr csr;
  csr.n_rows_ = n_rows;
  csr.n_cols_ = n_cols;
  csr.row_ptr_ = std::move(row_ptr);
  csr.col_idx_ = std::move(col_idx);
  csr.values_ = std::move(values);
  return csr;
}

Csr Csr::transpose() const {
  require_cpu("transpose");
  const CsrView a = view();
  Tensor t_ptr_tensor = Tensor::zeros({static_cast<std::int64_t>(n_cols_) + 1}, DType::I32);
  Tensor t_cols_tensor = Tensor::empty({a.nnz}, DType::I32);
  Tensor t_values_tensor = Tensor::empty({a.nnz}, DType::F32);
  std::int32_t* t_ptr = t_ptr_tensor.data<std::int32_t>();
  std::int32_t* t_cols = t_cols_tensor.data<std::int32_t>();
  float* t_values = t_values_tensor.data<float>();
  // Counts per column, then t_ptr[c] = the start of transposed row c, used
  // as its cursor: after the fill t_ptr[c] is the start of row c + 1, and
  // one shift puts every start back.
  for (std::int64_t p = 0; p < a.nnz; ++p) ++t_ptr[a.col_idx[p] + 1];
  std::partial_sum(t_ptr, t_ptr + n_cols_ + 1, t_ptr);
  // Rows are visited in order, so each transposed row's columns come sorted.
  for (std::int32_t r = 0; r < n_rows_; ++r) {
    for (std::int32_t p = a.row_ptr[r]; p < a.row_ptr[r + 1]; ++p) {
      const std::int32_t slot = t_ptr[a.col_idx[p]]++;
      t_cols[slot] = r;
      t_values[slot] = a.values[p];
    }
  }
  std::copy_backward(t_ptr, t_ptr + n_cols_, t_ptr + n_cols_ + 1);
  t_ptr[0] = 0;
  return from_valid_tensors(n_cols_, n_rows_, std::move(t_ptr_tensor), std::move(t_cols_tensor),
                            std::move(t_values_tensor));
}

Csr Csr::select_rows(const std::vector<std::int32_t>& rows) const {
  require_cpu("select_rows");
  const CsrView a = view();
  const auto n_out = static_cast<std::int64_t>(rows.size());
  Tensor ptr_tensor = Tensor::empty({n_out + 1}, DType::I32);
  std::int32_t* ptr = ptr_tensor.data<std::int32_t>();
  ptr[0] = 0;
  for (std::int64_t i = 0; i < n_out; ++i) {
    const std::int32_t r = rows[static_cast<std::size_t>(i)];
    GNNREC_CHECK(r >= 0 && r < n_rows_,
                 "select_rows: row " << r << " out of range [0, " << n_rows_ << ")");
    ptr[i + 1] = ptr[i] + (a.row_ptr[r + 1] - a.row_ptr[r]);
  }
  Tensor cols_tensor = Tensor::empty({ptr[n_out]}, DType::I32);
  Tensor values_tensor = Tensor::empty({ptr[n_out]}, DType::F32);
  std::int32_t* cols = cols_tensor.data<std::int32_t>();
  float* values = values_tensor.data<float>();
  for (std::int64_t i = 0; i < n_out; ++i) {
    const std::int32_t r = rows[static_cast<std::size_t>(i)];
    std::copy(a.col_idx + a.row_ptr[r], a.col_idx + a.row_ptr[r + 1], cols + ptr[i]);
    std::copy(a.values + a.row_ptr[r], a.values + a.row_ptr[r + 1], values + ptr[i]);
  }
  return from_valid_tensors(static_cast<std::int32_t>(n_out), n_cols_, std::move(ptr_tensor),
                            std::move(cols_tensor), std::move(values_tensor));
}

std::vector<std::int32_t> Csr::row_degrees() const {
  std::vector<std::int32_t> ptr = row_ptr_.to_vector<std::int32_t>();
  std::vector<std::int32_t> degrees(static_cast<std::size_t>(n_rows_));
  for (std::int32_t r = 0; r < n_rows_; ++r) degrees[r] = ptr[r + 1] - ptr[r];
  return degrees;
}

std::vector<std::int32_t> Csr::col_degrees() const {
  std::vector<std::int32_t> cols = col_idx_.to_vector<std::int32_t>();
  std::vector<std::int32_t> degrees(static_cast<std::size_t>(n_cols_), 0);
  for (std::int32_t c : cols) ++degrees[c];
  return degrees;
}

Csr Csr::symmetric_normalized() const {
  require_cpu("symmetric_normalized");
  std::vector<std::int32_t> row_deg = row_degrees();
  std::vector<std::int32_t> col_deg = col_degrees();
  Csr out = to(Device::cpu());
  const CsrView a = view();
  float* values = out.values_.data<float>();
  for (std::int32_t r = 0; r < n_rows_; ++r) {
    for (std::int32_t p = a.row_ptr[r]; p < a.row_ptr[r + 1]; ++p) {
      double scale = std::sqrt(static_cast<double>(row_deg[r]) * col_deg[a.col_idx[p]]);
      values[p] = static_cast<float>(a.values[p] / scale);
    }
  }
  return out;
}

Csr Csr::row_normalized() const {
  require_cpu("row_normalized");
  Csr out = to(Device::cpu());
  const CsrView a = view();
  float* values = out.values_.data<float>();
  for (std::int32_t r = 0; r < n_rows_; ++r) {
    double row_sum = 0.0;
    for (std::int32_t p = a.row_ptr[r]; p < a.row_ptr[r + 1]; ++p) row_sum += a.values[p];
    if (row_sum == 0.0) continue;
    for (std::int32_t p = a.row_ptr[r]; p < a.row_ptr[r + 1]; ++p) {
      values[p] = static_cast<float>(a.values[p] / row_sum);
    }
  }
  return out;
}

bool Csr::contains(std::int32_t row, std::int32_t col) const {
  require_cpu("contains");
  GNNREC_CHECK(row >= 0 && row < n_rows_, "row " << row << " out of range [0, " << n_rows_ << ")");
  const CsrView a = view();
  return std::binary_search(a.col_idx + a.row_ptr[row], a.col_idx + a.row_ptr[row + 1], col);
}

}  // namespace gnnrec
