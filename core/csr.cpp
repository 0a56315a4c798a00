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

Csr Csr::transpose() const {
  require_cpu("transpose");
  const CsrView a = view();
  std::vector<std::int32_t> t_ptr(static_cast<std::size_t>(n_cols_) + 1, 0);
  for (std::int64_t p = 0; p < a.nnz; ++p) ++t_ptr[static_cast<std::size_t>(a.col_idx[p]) + 1];
  std::partial_sum(t_ptr.begin(), t_ptr.end(), t_ptr.begin());
  std::vector<std::int32_t> t_cols(static_cast<std::size_t>(a.nnz));
  std::vector<float> t_values(static_cast<std::size_t>(a.nnz));
  std::vector<std::int32_t> next(t_ptr.begin(), t_ptr.end() - 1);
  // Rows are visited in order, so each transposed row's columns come sorted.
  for (std::int32_t r = 0; r < n_rows_; ++r) {
    for (std::int32_t p = a.row_ptr[r]; p < a.row_ptr[r + 1]; ++p) {
      std::int32_t slot = next[a.col_idx[p]]++;
      t_cols[slot] = r;
      t_values[slot] = a.values[p];
    }
  }
  return from_arrays(n_cols_, n_rows_, std::move(t_ptr), std::move(t_cols), std::move(t_values));
}

Csr Csr::select_rows(const std::vector<std::int32_t>& rows) const {
  require_cpu("select_rows");
  const CsrView a = view();
  std::vector<std::int32_t> ptr(rows.size() + 1, 0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::int32_t r = rows[i];
    GNNREC_CHECK(r >= 0 && r < n_rows_,
                 "select_rows: row " << r << " out of range [0, " << n_rows_ << ")");
    ptr[i + 1] = ptr[i] + (a.row_ptr[r + 1] - a.row_ptr[r]);
  }
  std::vector<std::int32_t> cols(static_cast<std::size_t>(ptr.back()));
  std::vector<float> values(cols.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::int32_t begin = a.row_ptr[rows[i]], end = a.row_ptr[rows[i] + 1];
    std::copy(a.col_idx + begin, a.col_idx + end, cols.begin() + ptr[i]);
    if (a.values) {
      std::copy(a.values + begin, a.values + end, values.begin() + ptr[i]);
    } else {
      std::fill(values.begin() + ptr[i], values.begin() + ptr[i + 1], 1.0f);
    }
  }
  return from_arrays(static_cast<std::int32_t>(rows.size()), n_cols_, std::move(ptr),
                     std::move(cols), std::move(values));
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
