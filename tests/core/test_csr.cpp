// Csr (core/csr.h), on the CPU: building from COO (sorting, duplicates,
// empty rows), validation errors and their messages, transpose, the two
// normalizations, degrees and contains().
#include <cmath>
#include <functional>
#include <random>
#include <string>

#include "core/csr.h"
#include "tests/test_util.h"

namespace gnnrec {
namespace {

struct CsrArrays {
  std::vector<std::int32_t> row_ptr, col_idx;
  std::vector<float> values;
};

CsrArrays arrays_of(const Csr& csr) {
  return {csr.row_ptr().to_vector<std::int32_t>(), csr.col_idx().to_vector<std::int32_t>(),
          csr.values().to_vector<float>()};
}

// The message of the gnnrec::Error that `f` throws ("" and a failure if none).
std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a gnnrec::Error";
  return "";
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "in: " << (text)

// A (n_rows x n_cols) as a dense row-major matrix.
std::vector<float> dense_of(const Csr& csr) {
  const CsrArrays a = arrays_of(csr);
  std::vector<float> dense(static_cast<std::size_t>(csr.n_rows()) * csr.n_cols(), 0.0f);
  for (std::int32_t r = 0; r < csr.n_rows(); ++r) {
    for (std::int32_t p = a.row_ptr[r]; p < a.row_ptr[r + 1]; ++p) {
      dense[static_cast<std::size_t>(r) * csr.n_cols() + a.col_idx[p]] = a.values[p];
    }
  }
  return dense;
}

// A random matrix with distinct entries, every 3rd row empty.
Csr random_csr(std::int32_t n_rows, std::int32_t n_cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int32_t> pick_col(0, n_cols - 1);
  std::vector<std::int32_t> rows, cols;
  for (std::int32_t r = 0; r < n_rows; ++r) {
    if (r % 3 == 2) continue;
    for (int e = 0; e < 5; ++e) {
      rows.push_back(r);
      cols.push_back(pick_col(rng));
    }
  }
  const std::vector<float> values =
      testing::random_floats(static_cast<std::int64_t>(rows.size()), seed, 0.5f, 2.0f);
  return Csr::from_coo(n_rows, n_cols, rows, cols, values);
}

TEST(Csr, FromCooSortsRemovesDuplicatesAndKeepsEmptyRows) {
  // Entries (row, col, value), unsorted, with (0, 3) and (2, 1) repeated;
  // rows 1 and 3 empty. The first of a repeated pair keeps its value.
  const Csr a = Csr::from_coo(4, 5, {2, 0, 2, 0, 2, 2}, {1, 3, 0, 3, 1, 4}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(a.n_rows(), 4);
  EXPECT_EQ(a.n_cols(), 5);
  EXPECT_EQ(a.nnz(), 4);
  const CsrArrays arrays = arrays_of(a);
  EXPECT_EQ(arrays.row_ptr, (std::vector<std::int32_t>{0, 1, 1, 4, 4}));
  EXPECT_EQ(arrays.col_idx, (std::vector<std::int32_t>{3, 0, 1, 4}));
  EXPECT_EQ(arrays.values, (std::vector<float>{2, 3, 1, 6}));
}

TEST(Csr, FromCooWithoutValuesIsAllOnes) {
  const Csr a = Csr::from_coo(2, 2, {1, 0, 1}, {0, 1, 0});
  const CsrArrays arrays = arrays_of(a);
  EXPECT_EQ(arrays.row_ptr, (std::vector<std::int32_t>{0, 1, 2}));
  EXPECT_EQ(arrays.col_idx, (std::vector<std::int32_t>{1, 0}));
  EXPECT_EQ(arrays.values, (std::vector<float>{1, 1}));
}

TEST(Csr, FromCooEmptyMatrix) {
  const Csr a = Csr::from_coo(3, 4, {}, {});
  EXPECT_EQ(a.nnz(), 0);
  EXPECT_EQ(arrays_of(a).row_ptr, (std::vector<std::int32_t>{0, 0, 0, 0}));
}

TEST(Csr, FromCooOutOfRangeNamesTheEntryAndTheRange) {
  EXPECT_THROW(Csr::from_coo(3, 4, {0, 5}, {1, 1}), Error);
  std::string message = error_message([] { Csr::from_coo(3, 4, {0, 5}, {1, 1}); });
  EXPECT_CONTAINS(message, "COO entry 1");
  EXPECT_CONTAINS(message, "row 5");
  EXPECT_CONTAINS(message, "[0, 3)");

  message = error_message([] { Csr::from_coo(3, 4, {0, 1, 2}, {0, 1, -1}); });
  EXPECT_CONTAINS(message, "COO entry 2");
  EXPECT_CONTAINS(message, "column -1");
  EXPECT_CONTAINS(message, "[0, 4)");

  message = error_message([] { Csr::from_coo(3, 4, {0, 1}, {4, 1}); });
  EXPECT_CONTAINS(message, "COO entry 0");
  EXPECT_CONTAINS(message, "column 4");
}

TEST(Csr, FromCooMismatchedLengthsThrow) {
  EXPECT_CONTAINS(error_message([] { Csr::from_coo(3, 3, {0, 1}, {0}); }), "2 row ids but 1");
  EXPECT_CONTAINS(error_message([] {
                    Csr::from_coo(3, 3, {0, 1}, {0, 1}, {1.0f});
                  }),
                  "2 entries but 1 values");
}

TEST(Csr, FromArraysAcceptsAValidMatrix) {
  const Csr a = Csr::from_arrays(3, 3, {0, 2, 2, 3}, {0, 2, 1}, {1, 2, 3});
  EXPECT_EQ(a.nnz(), 3);
  EXPECT_EQ(arrays_of(a).values, (std::vector<float>{1, 2, 3}));
}

TEST(Csr, FromArraysRejectsBadInput) {
  // A column out of range.
  std::string message = error_message([] { Csr::from_arrays(2, 3, {0, 1, 2}, {0, 7}); });
  EXPECT_CONTAINS(message, "row 1");
  EXPECT_CONTAINS(message, "column 7 out of range [0, 3)");
  // Columns not sorted within a row (and a repeated column).
  message = error_message([] { Csr::from_arrays(1, 3, {0, 2}, {2, 0}); });
  EXPECT_CONTAINS(message, "row 0");
  EXPECT_CONTAINS(message, "not sorted");
  EXPECT_CONTAINS(error_message([] { Csr::from_arrays(1, 3, {0, 2}, {1, 1}); }), "not sorted");
  // row_ptr: decreasing (with a middle entry past nnz), not starting at 0,
  // not ending at nnz, wrong length.
  message = error_message([] { Csr::from_arrays(2, 3, {0, 5, 2}, {0, 1}); });
  EXPECT_CONTAINS(message, "decreases at row 1");
  EXPECT_CONTAINS(error_message([] {
                    Csr::from_arrays(1, 3, {1, 2}, {0, 1});
                  }),
                  "row_ptr[0] is 1, expected 0");
  EXPECT_CONTAINS(error_message([] {
                    Csr::from_arrays(1, 3, {0, 1}, {0, 1});
                  }),
                  "ends at 1 but there are 2 column indices");
  EXPECT_CONTAINS(error_message([] {
                    Csr::from_arrays(2, 3, {0, 1}, {0});
                  }),
                  "expected n_rows + 1 = 3");
  // Values that do not match the columns.
  EXPECT_CONTAINS(error_message([] {
                    Csr::from_arrays(1, 3, {0, 2}, {0, 1}, {1.0f});
                  }),
                  "2 column indices but 1 values");
}

TEST(Csr, TransposeTwiceIsIdentity) {
  const Csr a = random_csr(50, 37, 1);
  const Csr a_tt = a.transpose().transpose();
  EXPECT_EQ(a_tt.n_rows(), a.n_rows());
  EXPECT_EQ(a_tt.n_cols(), a.n_cols());
  const CsrArrays x = arrays_of(a), y = arrays_of(a_tt);
  EXPECT_EQ(y.row_ptr, x.row_ptr);
  EXPECT_EQ(y.col_idx, x.col_idx);
  EXPECT_EQ(y.values, x.values);
}

TEST(Csr, TransposeMatchesDenseTranspose) {
  const Csr a = random_csr(23, 41, 2);
  const Csr a_t = a.transpose();
  ASSERT_EQ(a_t.n_rows(), 41);
  ASSERT_EQ(a_t.n_cols(), 23);
  ASSERT_EQ(a_t.nnz(), a.nnz());
  const std::vector<float> dense = dense_of(a), dense_t = dense_of(a_t);
  for (std::int32_t r = 0; r < 23; ++r) {
    for (std::int32_t c = 0; c < 41; ++c) {
      ASSERT_EQ(dense_t[c * 23 + r], dense[r * 41 + c]) << "entry (" << r << ", " << c << ")";
    }
  }
}

TEST(Csr, SelectRowsMatchesTheDenseRows) {
  const Csr a = random_csr(23, 41, 3);
  const std::vector<std::int32_t> rows = {22, 0, 5, 5, 17};  // any order, repeats allowed
  const Csr picked = a.select_rows(rows);
  ASSERT_EQ(picked.n_rows(), 5);
  ASSERT_EQ(picked.n_cols(), 41);
  const std::vector<float> dense = dense_of(a), dense_picked = dense_of(picked);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::int32_t c = 0; c < 41; ++c) {
      ASSERT_EQ(dense_picked[i * 41 + c], dense[rows[i] * 41 + c]) << "row " << i << ", col " << c;
    }
  }
  EXPECT_EQ(a.select_rows({}).n_rows(), 0);
  EXPECT_THROW(a.select_rows({23}), Error);
  EXPECT_THROW(a.select_rows({-1}), Error);
}

TEST(Csr, SymmetricNormalizedHandExample) {
  //     [2 0 1]   row degrees (entries) {2, 1}, column degrees {1, 0, 2}
  // A = [0 0 4]   value(r, c) / sqrt(deg(r) * deg'(c)):
  //               2/sqrt(2*1), 1/sqrt(2*2) = 0.5, 4/sqrt(1*2)
  const Csr a = Csr::from_arrays(2, 3, {0, 2, 3}, {0, 2, 2}, {2, 1, 4});
  const Csr n = a.symmetric_normalized();
  const CsrArrays arrays = arrays_of(n);
  EXPECT_EQ(arrays.row_ptr, arrays_of(a).row_ptr);
  EXPECT_EQ(arrays.col_idx, arrays_of(a).col_idx);
  ASSERT_EQ(arrays.values.size(), 3u);
  EXPECT_FLOAT_EQ(arrays.values[0], static_cast<float>(2.0 / std::sqrt(2.0)));
  EXPECT_FLOAT_EQ(arrays.values[1], 0.5f);
  EXPECT_FLOAT_EQ(arrays.values[2], static_cast<float>(4.0 / std::sqrt(2.0)));
}

TEST(Csr, SymmetricNormalizedOfSymmetricIsSymmetric) {
  // The undirected path 0 - 1 - 2: D^-1/2 A D^-1/2 stays symmetric.
  const Csr a = Csr::from_coo(3, 3, {0, 1, 1, 2}, {1, 0, 2, 1});
  const Csr n = a.symmetric_normalized();
  EXPECT_EQ(dense_of(n), dense_of(n.transpose()));
  EXPECT_FLOAT_EQ(dense_of(n)[0 * 3 + 1], static_cast<float>(1.0 / std::sqrt(2.0)));
}

TEST(Csr, RowNormalizedRowsSumToOne) {
  const Csr a = random_csr(40, 30, 3);
  const Csr n = a.row_normalized();
  const CsrArrays arrays = arrays_of(n);
  EXPECT_EQ(arrays.row_ptr, arrays_of(a).row_ptr);  // empty rows stay empty
  for (std::int32_t r = 0; r < 40; ++r) {
    if (arrays.row_ptr[r] == arrays.row_ptr[r + 1]) {
      EXPECT_EQ(r % 3, 2) << "row " << r << " lost its entries";
      continue;
    }
    double sum = 0.0;
    for (std::int32_t p = arrays.row_ptr[r]; p < arrays.row_ptr[r + 1]; ++p) {
      sum += arrays.values[p];
    }
    // Each value is rounded to float once: at most 5 half-ulps of error.
    EXPECT_NEAR(sum, 1.0, 1e-6) << "row " << r;
  }
}

TEST(Csr, RowAndColumnDegrees) {
  const Csr a = Csr::from_coo(4, 3, {0, 0, 2, 3, 3, 3}, {0, 2, 2, 0, 1, 2});
  EXPECT_EQ(a.row_degrees(), (std::vector<std::int32_t>{2, 0, 1, 3}));
  EXPECT_EQ(a.col_degrees(), (std::vector<std::int32_t>{2, 1, 3}));
  // Degrees of Aᵀ swap.
  EXPECT_EQ(a.transpose().row_degrees(), a.col_degrees());
  EXPECT_EQ(a.transpose().col_degrees(), a.row_degrees());
}

TEST(Csr, Contains) {
  const Csr a = Csr::from_coo(3, 5, {0, 0, 2, 2, 2}, {1, 4, 0, 2, 3});
  EXPECT_TRUE(a.contains(0, 1));
  EXPECT_TRUE(a.contains(0, 4));
  EXPECT_FALSE(a.contains(0, 0));
  EXPECT_FALSE(a.contains(0, 2));
  EXPECT_FALSE(a.contains(1, 1));  // empty row
  EXPECT_TRUE(a.contains(2, 0));
  EXPECT_TRUE(a.contains(2, 3));
  EXPECT_FALSE(a.contains(2, 4));
  EXPECT_CONTAINS(error_message([&] { (void)a.contains(3, 0); }), "row 3 out of range [0, 3)");
}

TEST(Csr, ViewMatchesTheArrays) {
  const Csr a = random_csr(10, 12, 4);
  const CsrView v = a.view();
  EXPECT_EQ(v.n_rows, 10);
  EXPECT_EQ(v.n_cols, 12);
  EXPECT_EQ(v.nnz, a.nnz());
  EXPECT_EQ(v.row_ptr[10], a.nnz());
  ASSERT_NE(v.values, nullptr);
}

}  // namespace
}  // namespace gnnrec
